"""Turn a photo or scan of one handwritten digit into the 28x28 image MNIST would have made of it.

read_gray() decodes a file safely; center_ink() repeats MNIST's steps; digit() does both.
find_ink() and fit_crop() are center_ink's two halves, for pages that hold more than one digit.
Pure NumPy and Pillow: importing this never loads TensorFlow.
"""
import io
import os
import warnings
from typing import NamedTuple

import numpy as np
from PIL import Image

from digits.errors import UserError
from digits.mnist import IMAGE_SIDE, to_unit_floats

FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP")
MAX_PIXELS = 50_000_000  # more than any phone photo; a 30000x30000 bomb is refused unread
WORK_SIDE = 256          # bigger images are shrunk to this before the ink is looked for
BOX_SIDE = 20            # MNIST fits each digit in 20x20 ...
CENTER = IMAGE_SIDE / 2  # ... and puts its centre of mass at (14, 14) of the 28x28 field
MIN_CONTRAST = 0.1       # ink must differ from paper by a tenth of black-to-white
EDGE_LEVEL = 0.3         # the ink's box ends where ink fades below 30% of the stroke's level

Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses bigger images when it reads their header
warnings.filterwarnings("ignore", category=UserWarning, module="PIL")  # a damaged file's notes:
warnings.simplefilter("error", Image.DecompressionBombWarning)        # its error says enough
ORIENTATION = 0x0112  # the EXIF tag, and how to turn each of its values upright:
UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
           4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
           6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
           8: Image.Transpose.ROTATE_90}


class ImageError(UserError):
    """This file cannot become a digit; the message says why."""


class NoInk(ImageError):
    """The image holds no ink: a blank page."""


def read_gray(source, side=WORK_SIDE):
    """Grayscale floats in [0, 1], at most `side` pixels a side, from a file path or its bytes."""
    try:
        in_memory = isinstance(source, (bytes, bytearray))
        if (len(source) if in_memory else os.path.getsize(source)) == 0:
            raise ImageError("empty file")
        with Image.open(io.BytesIO(source) if in_memory else source, formats=FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:  # known from the header, before decoding
                raise ImageError(f"image too large: {image.width}x{image.height} pixels "
                                 f"(at most {MAX_PIXELS:,})")
            image.draft("L", (side, side))  # JPEG: decode at 1/2, 1/4 or 1/8 size
            turn = UPRIGHT.get(image.getexif().get(ORIENTATION))  # phone photos
            full_scale = 65535 if image.mode.startswith("I") else 1  # 16-bit grayscale
            small = _shrunk(image, side)
            if small.mode.startswith("I") or small.mode == "F":
                small = small.convert("F")
            elif small.mode != "L":
                small = small.convert("LA" if small.has_transparency_data else "L")
            small.thumbnail((side, side), Image.Resampling.BOX)
            small = small.transpose(turn) if turn is not None else small
            pixels = np.asarray(small, np.float32) / (full_scale if small.mode == "F" else 255)
    except ImageError:
        raise
    except FileNotFoundError:
        raise ImageError("no such file") from None
    except Image.UnidentifiedImageError:
        raise ImageError("not an image (PNG, JPEG, BMP, GIF, TIFF or WebP)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"image too large (more than {MAX_PIXELS:,} pixels)") from None
    except Exception as error:  # a corrupt file makes Pillow's decoders raise many kinds of error
        raise ImageError(f"cannot decode the image ({error})") from None
    if pixels.ndim == 3:
        return _on_paper(pixels[..., 0], pixels[..., 1])
    return np.clip(np.nan_to_num(pixels), 0, 1)  # a float TIFF may hold NaN: no light, black


def _shrunk(image, side):
    """The decoded image, reduced by a whole factor while it is more than twice `side` a side,
    before any conversion, so that a large image exists at full size only once in memory."""
    if image.mode in ("1", "P", "PA") or image.mode.startswith("I;16"):  # reduce() can't average
        image = image.convert("I" if image.mode.startswith("I") else
                              "LA" if image.has_transparency_data else "L")
    factor = max(image.size) // (2 * side)
    return image.reduce(factor) if factor > 1 else image


def _on_paper(gray, alpha):
    """Lay transparent ink on paper of the opposite shade, so the background reads as paper."""
    if alpha.sum() == 0:
        raise NoInk("no ink: every pixel is transparent")
    ink_shade = (gray * alpha).sum() / alpha.sum()
    paper = 1.0 if ink_shade < 0.5 else 0.0
    return (alpha * gray + (1 - alpha) * paper).astype(np.float32)


def _float_image(pixels):
    return Image.fromarray(np.ascontiguousarray(pixels, np.float32), "F")


def _around(values, **pad):
    """Each pixel's 3x3 neighbourhood as 9 shifted copies of the array, the pixel itself at [4]."""
    h, w = values.shape
    padded = np.pad(values, 1, **pad)
    return [padded[i:i + h, j:j + w] for i in range(3) for j in range(3)]


def _without_specks(pixels):
    """Each pixel capped at its brightest neighbour: a lone bright speck sinks, strokes stay."""
    neighbours = _around(pixels, constant_values=pixels.min())
    del neighbours[4]
    return np.minimum(pixels, np.max(neighbours, axis=0))


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
    return 1.4826 / np.sqrt(2) * float(np.median(steps)) if steps.size else 0.0


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
    or NoInk if it looks blank. `even_paper`: the paper is known to be the border's one shade."""
    gray = np.asarray(gray, np.float32)
    # Polarity: paper is the border's usual shade; the ink lies farther from it, darker or lighter.
    paper = np.median(np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]]))
    bright, dark = _without_specks(gray), _without_specks(1 - gray)
    if paper - (1 - dark.max()) > bright.max() - paper:
        gray, smooth, paper = 1 - gray, dark, 1 - paper
    else:
        smooth = bright
    # Uneven paper: subtract its smooth shade.
    background = np.full_like(gray, paper) if even_paper else _paper_level(gray)
    ink, smooth = gray - background, smooth - background
    noise = _noise(gray)
    peak = smooth.max()
    if peak < max(MIN_CONTRAST, 6 * noise):
        raise NoInk("no ink found: the page looks blank")
    return Ink(ink, smooth, float(np.median(ink[smooth > peak / 2])), noise, background)


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
    mass = small.astype(np.float64)
    ys, xs = np.indices(small.shape)
    top = round(CENTER - (ys * mass).sum() / mass.sum())
    left = round(CENTER - (xs * mass).sum() / mass.sum())
    field = np.zeros((IMAGE_SIDE, IMAGE_SIDE), np.uint8)
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + small.shape[0], IMAGE_SIDE), min(left + small.shape[1], IMAGE_SIDE)
    field[y0:y1, x0:x1] = small[y0 - top:y1 - top, x0 - left:x1 - left]
    return field


def digit(source):
    """The model's input for one image file: float32 (28, 28), scaled exactly as in training."""
    return to_unit_floats(center_ink(read_gray(source)))
