"""Turn a photo or scan of one handwritten digit into the 28x28 image MNIST would have made of it.

center_ink() repeats MNIST's steps on a decoded image (digits.decoding); digit() does both.
find_ink() and fit_crop() are center_ink's two halves, for pages that hold more than one digit.
Pure NumPy and Pillow: importing this never loads TensorFlow.
"""
from typing import NamedTuple

import numpy as np
from PIL import Image

from digits import grid
from digits.decoding import NoInk, read_gray
from digits.mnist import IMAGE_SIDE, to_unit_floats

BOX_SIDE = 20            # MNIST fits each digit in 20x20 ...
CENTER = IMAGE_SIDE / 2  # ... and puts its centre of mass at (14, 14) of the 28x28 field
MIN_CONTRAST = 0.1       # ink must differ from paper by a tenth of black-to-white
EDGE_LEVEL = 0.3         # the ink's box ends where ink fades below 30% of the stroke's level

def median(values):
    """np.median of an array's values, without the 15 us that np.median spends on its own
    checks (the reader takes medians of small arrays, a few times per image)."""
    values = np.ravel(values)
    low, high = (values.size - 1) // 2, values.size // 2
    middle = np.partition(values, [low, high])
    return (middle[low] + middle[high]) / 2


def _float_image(pixels):
    return Image.fromarray(np.ascontiguousarray(pixels, np.float32), "F")


def _around(values, **pad):
    """Each pixel's 3x3 neighbourhood as 9 shifted copies of the array, the pixel itself at [4]."""
    h, w = values.shape
    padded = np.pad(values, 1, **pad)
    return [padded[i:i + h, j:j + w] for i in range(3) for j in range(3)]


def _without_specks(pixels):
    """Each pixel capped at its brightest neighbour: a lone bright speck sinks, strokes stay."""
    return np.minimum(pixels, grid.brightest_neighbour(pixels, pixels.min()))


def _paper_level(ink):
    """A smooth estimate of the paper under bright ink: the darker quarter of each block (16-32 px,
    8x8 at most), opened over 3x3 blocks so thick strokes don't count, upsampled bilinearly."""
    h, w = ink.shape
    grid = int(np.clip(max(h, w) // 16, 1, 8))
    if grid == 1:  # a small image: one shade of paper (the same result, 3x faster)
        return np.full_like(ink, np.percentile(ink, 25))
    bh, bw = -(-h // grid), -(-w // grid)
    padded = np.pad(ink, ((0, bh * grid - h), (0, bw * grid - w)), mode="edge")
    blocks = np.percentile(padded.reshape(grid, bh, grid, bw).transpose(0, 2, 1, 3)
                           .reshape(grid, grid, -1), 25, axis=2)
    slope = {"mode": "reflect", "reflect_type": "odd"}  # padding continues the paper's slope
    paper = np.max(_around(np.min(_around(blocks, **slope), axis=0), **slope), axis=0)
    ring = _float_image(np.pad(paper, 1, **slope))
    return np.asarray(ring.resize((w, h), Image.Resampling.BILINEAR,
                                  box=(1, 1, 1 + w / bw, 1 + h / bh)))


def _noise(gray):
    """The paper's noise (standard deviation), from differences between neighbours: robust MAD."""
    steps = np.abs(np.diff(gray, axis=1))
    return 1.4826 / np.sqrt(2) * float(median(steps)) if steps.size else 0.0


class Ink(NamedTuple):
    """A page's ink, bright on black with the paper's shade subtracted."""
    ink: np.ndarray     # floats: 0 on paper, about `level` on strokes
    smooth: np.ndarray  # the same with lone specks sunk, for deciding where ink is
    level: float        # the strokes' usual brightness
    noise: float        # the paper's noise
    paper: np.ndarray   # the paper's shade that was subtracted (ink + paper: the image, bright
                        # ink up)

    @property
    def edge(self):
        """Where ink ends: a crop box holds the pixels of `smooth` above this."""
        return max(EDGE_LEVEL * self.level, 4 * self.noise)


def find_ink(gray, even_paper=False):
    """Polarity, uneven paper and noise (steps 2-4 of MNIST's): the Ink of a grayscale image,
    or NoInk if it looks blank. `even_paper`: the paper is known to be the border's one exact
    shade (a drawing)."""
    gray = np.asarray(gray, np.float32)
    # Polarity: paper is the border's usual shade; the ink lies farther from it, darker or lighter.
    paper = median(np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]]))
    bright, dark = _without_specks(gray), _without_specks(1 - gray)
    if paper - (1 - dark.max()) > bright.max() - paper:
        gray, smooth, paper = 1 - gray, dark, 1 - paper
    else:
        smooth = bright
    # Uneven paper: subtract its smooth shade.
    background = np.full_like(gray, paper) if even_paper else _paper_level(gray)
    ink, smooth = gray - background, smooth - background
    noise = 0.0 if even_paper else _noise(gray)  # paper of one exact shade has no noise
    peak = smooth.max()
    if peak < max(MIN_CONTRAST, 6 * noise):
        raise NoInk("no ink found: the page looks blank")
    return Ink(ink, smooth, float(median(ink[smooth > peak / 2])), noise, background)


def fit_crop(crop, found):
    """A crop of found.ink (or of ink like it) scaled into 20x20 and centred by mass in the
    28x28 field (steps 5-6): uint8 (28, 28)."""
    floor = 3 * found.noise
    crop = np.clip((crop - floor) / max(found.level - floor, 1e-6), 0, 1)
    # Fit the box in 20x20, keeping the aspect ratio, with anti-aliased grey levels.
    scale = BOX_SIDE / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    small = np.asarray(_float_image(crop).resize(size, Image.Resampling.LANCZOS))
    small = np.round(np.clip(small, 0, 1) * 255).astype(np.uint8)
    if not small.any():
        raise NoInk("no ink found: the page looks blank")
    return _place_by_mass(small)


def center_ink(gray):
    """MNIST's steps on a grayscale image: uint8 (28, 28), bright ink centred on black."""
    found = find_ink(gray)
    rows, cols = np.nonzero(found.smooth > found.edge)
    if rows.size == 0:  # only specks stand out (in a tiny image): no stroke
        raise NoInk("no ink found: the page looks blank")
    return fit_crop(found.ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1], found)


def _place_by_mass(small):
    """Paste into the 28x28 field so the centre of mass lands on (14, 14), to the nearest pixel."""
    rows, cols = small.sum(axis=1, dtype=np.int64), small.sum(axis=0, dtype=np.int64)
    total = int(rows.sum())  # sums of whole numbers: exact, in any order
    top = round(CENTER - int(rows @ np.arange(len(rows))) / total)
    left = round(CENTER - int(cols @ np.arange(len(cols))) / total)
    field = np.zeros((IMAGE_SIDE, IMAGE_SIDE), np.uint8)
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + small.shape[0], IMAGE_SIDE), min(left + small.shape[1], IMAGE_SIDE)
    field[y0:y1, x0:x1] = small[y0 - top:y1 - top, x0 - left:x1 - left]
    return field


def digit(source):
    """The model's input for one image file: float32 (28, 28), scaled exactly as in training."""
    return to_unit_floats(center_ink(read_gray(source)))
