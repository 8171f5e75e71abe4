"""Redrawing MNIST digits: with a fine pen along their skeleton, and with the strokes some
writers add (the flag of a European 1, the bar through a 7).

All of it works on a digit re-stroked at 4x (112x112 floats, from paper.restroke).
"""
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

INK = 0.4  # a 112x112 glyph's ink: where it reaches this
EDGE = 1.5  # px: a Gaussian this wide softens an added stroke's edges as the glyph's are


def _neighbours(image):
    """The 8 neighbours of each pixel, clockwise from north, as shifted views of a padded array."""
    h, w = image.shape[0] - 2, image.shape[1] - 2
    steps = ((0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0), (1, 0), (0, 0))
    return [image[y:y + h, x:x + w] for y, x in steps]


def skeleton(mask):
    """Zhang-Suen thinning: the 1-pixel-wide centre lines of a boolean mask."""
    image = np.pad(mask, 1).astype(np.uint8)
    inner = image[1:-1, 1:-1]
    changed = True
    while changed:
        changed = False
        for step in (0, 1):
            n, ne, e, se, s, sw, w, nw = _neighbours(image)
            ring = [n, ne, e, se, s, sw, w, nw, n]
            filled = sum(ring[:8])
            crossings = sum((a == 0) & (b == 1) for a, b in zip(ring, ring[1:]))
            if step == 0:
                apart = (n * e * s == 0) & (e * s * w == 0)
            else:
                apart = (n * e * w == 0) & (n * s * w == 0)
            remove = (inner == 1) & (filled >= 2) & (filled <= 6) & (crossings == 1) & apart
            if remove.any():
                inner[remove] = 0
                changed = True
    return inner.astype(bool)


def stroke_width(glyph):
    """A glyph's mean stroke width in its own pixels: ink area over skeleton length."""
    mask = glyph >= INK
    return mask.sum() / max(skeleton(mask).sum(), 1)


def fine_pen(glyph, height, pen, supersample=4):
    """The glyph redrawn along its skeleton with a pen `pen` pixels wide, `height` pixels high:
    floats in [0, 1], anti-aliased."""
    lines = skeleton(glyph >= INK)
    ys, xs = np.nonzero(lines)
    scale = (height - pen) * supersample / max(np.ptp(ys), 1)
    margin = pen * supersample
    size = (round(np.ptp(xs) * scale + 2 * margin) + 1, round(np.ptp(ys) * scale + 2 * margin) + 1)
    canvas = Image.new("L", size)
    draw = ImageDraw.Draw(canvas)
    points = {(int(y), int(x)) for y, x in zip(ys, xs)}
    width = max(1, round(pen * supersample))

    def at(y, x):
        return (x - xs.min()) * scale + margin, (y - ys.min()) * scale + margin

    for y, x in points:
        for dy, dx in ((0, 1), (1, -1), (1, 0), (1, 1)):  # each neighbouring pair once
            if (y + dy, x + dx) in points:
                draw.line([at(y, x), at(y + dy, x + dx)], fill=255, width=width)
        centre = at(y, x)
        draw.ellipse([centre[0] - width / 2, centre[1] - width / 2,
                      centre[0] + width / 2, centre[1] + width / 2], fill=255)
    small = canvas.resize((max(1, size[0] // supersample), max(1, size[1] // supersample)),
                          Image.Resampling.BOX)
    return np.asarray(small, np.float32) / 255


def pen_width(glyph):
    """The width of the pen that drew a glyph: its ink's median width across a row (the stem
    of a 1 or a 7), or its mean stroke width if that is less."""
    widths = (glyph >= INK).sum(axis=1)
    return min(np.median(widths[widths > 0]), stroke_width(glyph))


def _draw(glyph, ends, width, supersample=4):
    """The glyph with a stroke added between two points (x, y), drawn as a pen draws it: round
    ends and soft edges like the glyph's own (re-stroked with a bicubic filter), not a
    hard-edged bar."""
    size = tuple(side * supersample for side in glyph.shape[::-1])
    layer = Image.new("L", size)
    draw = ImageDraw.Draw(layer)
    points = [(x * supersample, y * supersample) for x, y in ends]
    radius = width * supersample / 2
    draw.line(points, fill=255, width=max(1, round(2 * radius)))
    for x, y in points:
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=255)
    small = layer.resize(glyph.shape[::-1], Image.Resampling.BOX)
    soft = small.filter(ImageFilter.GaussianBlur(EDGE))
    return np.maximum(glyph, np.asarray(soft, np.float32) / 255)


def flagged_one(glyph, rng):
    """A 1 with the flag of a European 1: a stroke from its top down to the left."""
    rows, cols = np.nonzero(glyph >= INK)
    top = rows.min()
    x = cols[rows <= top + 2].mean()
    height = rows.max() - top
    length, angle = height * rng.uniform(0.28, 0.42), np.radians(rng.uniform(25, 50))
    end = (x - length * np.cos(angle), top + length * np.sin(angle))
    return _draw(glyph, [(x, top + 1), end], pen_width(glyph))


def crossed_seven(glyph, rng):
    """A 7 with a bar through the middle of its stem, as many Europeans write it."""
    rows, cols = np.nonzero(glyph >= INK)
    top, bottom = rows.min(), rows.max()
    y = round(top + (bottom - top) * rng.uniform(0.45, 0.6))
    stem = np.nonzero(glyph[y] >= INK)[0]
    centre = stem.mean() if len(stem) else cols.mean()
    half = (cols.max() - cols.min()) * rng.uniform(0.18, 0.28)
    tilt = half * rng.uniform(-0.15, 0.1)
    return _draw(glyph, [(centre - half, y + tilt), (centre + half, y - tilt)], pen_width(glyph))
