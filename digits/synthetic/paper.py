"""Pen, paper, light and camera: the pieces every generator of photographed handwriting shares.

A generator draws a map of ink coverage (floats in [0, 1], one per pixel of the photo) with
restroke() and place(), then photograph() lays it on paper under some light and takes the
picture: blur, sensor noise and JPEG.
"""
import io

import numpy as np
from PIL import Image, ImageFilter

UP = 4  # MNIST digits are re-stroked at 4x their 28 px, so a pen can change by a quarter pixel

INKS = {  # RGB: what each pen leaves on white paper
    "black": (28, 28, 34),
    "blue": (30, 50, 150),
    "red": (185, 35, 40),
}


def restroke(digit, change=0.0):
    """An MNIST digit (uint8 28x28) as if drawn with a pen `change` pixels (of the 28) wider on
    each side, or narrower if negative: grey-scale dilation or erosion at 4x. Floats (112, 112)."""
    big = Image.fromarray(np.asarray(digit, np.uint8)).resize((28 * UP, 28 * UP),
                                                              Image.Resampling.BICUBIC)
    steps = round(abs(change) * UP)
    if steps:
        rank = ImageFilter.MaxFilter if change > 0 else ImageFilter.MinFilter
        big = big.filter(rank(2 * steps + 1))
    return np.asarray(big, np.float32) / 255


def ink_box(glyph, level=0.3):
    """(left, top, right, bottom), right and bottom exclusive, of where ink reaches `level`."""
    rows, cols = np.nonzero(glyph >= level)
    return int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1


def crop_to_ink(glyph, margin=0.04, level=0.3):
    """The glyph cut to its ink (where it reaches `level`), with a small margin (a fraction of
    its side) kept around it."""
    left, top, right, bottom = ink_box(glyph, level)
    pad = round(margin * max(glyph.shape))
    return glyph[max(top - pad, 0):bottom + pad, max(left - pad, 0):right + pad]


def scaled(glyph, height, angle=0.0, shear=0.0):
    """The glyph resized so it is `height` pixels high (aspect kept; None keeps its size),
    slanted by `shear` (x moves by shear*y) and rotated by `angle` degrees counter-clockwise,
    grown to hold it all."""
    h, w = glyph.shape
    image = Image.fromarray(np.ascontiguousarray(glyph, np.float32), "F")
    if height is not None:
        width = max(1, round(w * height / h))
        image = image.resize((width, max(1, round(height))), Image.Resampling.BICUBIC)
    if shear:
        extra = abs(shear) * image.height
        image = image.transform((round(image.width + extra), image.height), Image.Transform.AFFINE,
                                (1, shear, -extra if shear > 0 else 0, 0, 1, 0),
                                Image.Resampling.BILINEAR)
    if angle:
        image = image.rotate(angle, Image.Resampling.BILINEAR, expand=True)
    return np.clip(np.asarray(image, np.float32), 0, 1)


def touching_left(coverage, glyph, left, top, limit, extra):
    """The x at which the glyph, moved left from `left`, first overlaps ink already there,
    `extra` pixels further; None if it reaches `limit` without touching."""
    ink = glyph > 0.5
    for x in range(left, limit - 1, -1):
        window = coverage[top:top + glyph.shape[0], x:x + glyph.shape[1]] > 0.5
        if (window & ink[:window.shape[0], :window.shape[1]]).any():
            return x - extra
    return None


def place(coverage, glyph, left, top):
    """Add ink to the coverage map in place (the darker wins where strokes cross), the glyph's
    top-left corner at (left, top); whatever falls outside the map is lost."""
    h, w = glyph.shape
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + h, coverage.shape[0]), min(left + w, coverage.shape[1])
    if y1 > y0 and x1 > x0:
        window = coverage[y0:y1, x0:x1]
        np.maximum(window, glyph[y0 - top:y1 - top, x0 - left:x1 - left], out=window)


def paper_colour(rng, shade=None):
    """A sheet's RGB: white to grey, slightly warm or cool."""
    shade = rng.uniform(190, 250) if shade is None else shade
    return np.array([shade + rng.uniform(-6, 6) for _ in range(3)], np.float32).clip(0, 255)


def lighting(shape, rng, strength=0.12, shadow=0.0):
    """Light falling on the page, 1 at its brightest: a gradient and a vignette whose depth is up
    to `strength`, and, if `shadow` > 0, a soft-edged shadow that darkens part of the page by it."""
    h, w = shape
    ys = np.arange(h, dtype=np.float32)[:, None] / max(h, w)
    xs = np.arange(w, dtype=np.float32)[None, :] / max(h, w)
    direction = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(direction) * xs + np.sin(direction) * ys
    light = 1 - strength * rng.uniform(0.3, 1) * (ramp - ramp.min()) / max(np.ptp(ramp), 1e-6)
    cy, cx = rng.uniform(0.2, 0.8, 2) * np.array([h, w]) / max(h, w)
    light = light * (1 - strength * rng.uniform(0, 1) * ((ys - cy) ** 2 + (xs - cx) ** 2))
    if shadow:  # the edge of something between the lamp and the page
        angle, where = rng.uniform(0, 2 * np.pi), rng.uniform(0.25, 0.75)
        distance = (np.cos(angle) * (xs - 0.5) + np.sin(angle) * (ys - 0.5)) - (where - 0.5)
        softness = rng.uniform(0.01, 0.06)
        light = light * (1 - shadow / (1 + np.exp(-distance / softness)))
    return np.broadcast_to(light, shape).astype(np.float32)


def _bytes(pixels):
    return np.clip(pixels + 0.5, 0, 255).astype(np.uint8)


def photograph(coverage, rng, ink=INKS["black"], paper=None, light=None, blur=0.0, noise=2.0,
               quality=90, base=None):
    """The photo (PIL RGB, through JPEG at `quality`; None keeps it lossless) of ink laid on
    paper: `paper` an RGB colour, or `base` an (h, w, 3) picture of the sheet and its
    surroundings; `light` multiplies both; `blur` is the camera's Gaussian blur radius in pixels
    and `noise` its sensor noise (standard deviation, of 255)."""
    cover = np.asarray(coverage, np.float32)[..., None]
    if base is None:
        base = paper_colour(rng) if paper is None else paper
    base = np.asarray(base, np.float32)
    pixels = base + (np.asarray(ink, np.float32) - base) * cover
    if light is not None:
        pixels *= light[..., None]
    image = Image.fromarray(_bytes(pixels), "RGB")
    if blur > 0:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    if noise > 0:
        pixels = np.asarray(image, np.float32) + noise * rng.standard_normal(
            (image.height, image.width, 3), np.float32)
        image = Image.fromarray(_bytes(pixels), "RGB")
    if quality is None:
        return image
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=int(quality))
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
