"""Photographed numbers: 2-6 MNIST digits written in a row, apart or touching, with the string.

    samples = numbers(images, labels, rng, 300)         # kinds "2 digits" ... "6 digits"
    pairs = touching_pairs(images, labels, rng, 200)    # kinds "overlapping", "joined"

One writer's pen per number (thin to thick), digits of slightly varied size, spacing, tilt and
baseline, the whole row on a slope; then paper, light, blur, noise and JPEG as in photos.py.
Touching pairs are pushed together until their strokes overlap, or joined by a connecting stroke.
"""
import numpy as np
from PIL import Image, ImageDraw

from digits.synthetic.paper import (
    INKS,
    crop_to_ink,
    ink_box,
    lighting,
    photograph,
    place,
    restroke,
    scaled,
    touching_left,
)
from digits.synthetic.photos import STROKE_28, Sample

TOUCHING = ("overlapping", "joined")


def glyphs(digits, rng, height, change, slope=0.0, decorate=None):
    """Each MNIST digit re-stroked by `change`, `height` px high give or take 10%, tilted by up to
    5 degrees besides the row's slope, and cut to its ink. `decorate(glyph_112, digit_index)` may
    add strokes (a flag, a bar) before scaling."""
    made = []
    for index, digit in enumerate(digits):
        glyph = restroke(digit, change)
        if decorate is not None:
            glyph = decorate(glyph, index)
        glyph = crop_to_ink(glyph, margin=0)
        tall = height * rng.uniform(0.9, 1.1)
        made.append(crop_to_ink(scaled(glyph, tall, slope + rng.uniform(-5, 5)), margin=0))
    return made


def _ligature(coverage, first, second, width):
    """A connecting stroke from the first glyph's lowest right-hand ink to the second's left."""
    (_, t1, r1, b1), (l2, t2, _, b2) = first, second
    rows = np.nonzero(coverage[t1 + (b1 - t1) // 2:b1, r1 - 1] > 0.5)[0]
    start = (r1 - 1, t1 + (b1 - t1) // 2 + (int(rows.mean()) if len(rows) else 0))
    rows = np.nonzero(coverage[t2:b2, l2] > 0.5)[0]
    end = (l2, t2 + (int(rows.mean()) if len(rows) else (b2 - t2) // 2))
    stroke = Image.new("L", (coverage.shape[1], coverage.shape[0]))
    ImageDraw.Draw(stroke).line([start, end], fill=255, width=max(1, round(width)))
    np.maximum(coverage, np.asarray(stroke, np.float32) / 255, out=coverage)


def write_row(made, rng, height, gaps, slope=0.0, touch=None, stroke=3.0):
    """Lay glyphs left to right with gaps (in px) on a wobbly baseline rising by `slope` degrees;
    if `touch` is set the first two touch ("overlapping" or "joined"). Returns the coverage
    map (with room around it) and each glyph's ink box in it."""
    margin = round(height)
    width = sum(g.shape[1] for g in made) + sum(max(gap, 0) for gap in gaps) + 2 * margin
    rise = np.tan(np.radians(slope))
    tall = height * 1.4 + abs(rise) * width
    coverage = np.zeros((round(tall + 2 * margin), round(width)), np.float32)
    base = margin + height * 1.2 + max(rise, 0) * width
    x, boxes = margin, []
    for index, glyph in enumerate(made):
        top = round(base - rise * (x - margin) - glyph.shape[0] + rng.normal(0, 0.04) * height)
        if index == 1 and touch == "overlapping":
            x = touching_left(coverage, glyph, x, top, x - glyph.shape[1],
                               round(rng.uniform(0, 0.05) * height)) or x
        place(coverage, glyph, x, top)
        boxes.append((x, top, x + glyph.shape[1], top + glyph.shape[0]))
        if index == 1 and touch == "joined":
            _ligature(coverage, boxes[0], boxes[1], stroke)
        x += glyph.shape[1] + (round(gaps[index]) if index < len(gaps) else 0)
    return coverage, boxes


def photograph_row(coverage, boxes, rng, ink=None, pad=(0.1, 0.6)):
    """The row on a sheet with random margins, photographed: (PIL image, boxes in it)."""
    left, top, right, bottom = ink_box(coverage, 0.05)
    w, h = right - left, bottom - top
    pads = (rng.uniform(*pad, 4) * np.array([w, h, w, h]) + 8).round().astype(int)
    page = np.zeros((h + pads[1] + pads[3], w + pads[0] + pads[2]), np.float32)
    place(page, coverage[top:bottom, left:right], pads[0], pads[1])
    shift = (pads[0] - left, pads[1] - top)
    boxes = tuple((bl + shift[0], bt + shift[1], br + shift[0], bb + shift[1])
                  for bl, bt, br, bb in boxes)
    if ink is None:
        ink = INKS[rng.choice(["black", "black", "blue", "red"])]
    shadow = rng.uniform(0.2, 0.35) if rng.random() < 0.2 else 0.0
    light = lighting(page.shape, rng, rng.uniform(0.03, 0.35), shadow)
    stroke_blur = rng.uniform(0, 0.8)
    image = photograph(page, rng, ink, light=light, blur=stroke_blur, noise=rng.uniform(1, 6),
                       quality=int(rng.integers(60, 96)))
    return image, boxes


def number_photo(digits, rng, touch=None, height=None):
    """A photo of the MNIST digits written as one number: (PIL image, each digit's box)."""
    height = height or rng.uniform(30, 150)
    change, slope = rng.uniform(-0.5, 0.8), rng.uniform(-5, 5)
    made = glyphs(digits, rng, height, change, slope)
    gaps = [rng.uniform(0.1, 0.6) * height for _ in range(len(digits) - 1)]
    if touch == "joined":
        gaps[0] = rng.uniform(0.08, 0.25) * height
    elif touch == "overlapping":
        gaps[0] = 0
    stroke = height / 20 * (STROKE_28 + 2 * change) * 0.6
    coverage, boxes = write_row(made, rng, height, gaps, slope, touch, stroke)
    return photograph_row(coverage, boxes, rng)


def numbers(images, labels, rng, count, lengths=range(2, 7)):
    """`count` Samples of numbers of separate digits, lengths taken in turn: kind "N digits"."""
    samples = []
    for number in range(count):
        length = lengths[number % len(lengths)]
        chosen = rng.choice(len(images), length, replace=False)
        image, boxes = number_photo(images[chosen], rng)
        text = "".join(str(labels[i]) for i in chosen)
        samples.append(Sample(image, text, f"{length} digits", boxes))
    return samples


def touching_pairs(images, labels, rng, count, lengths=(2,)):
    """`count` Samples of two digits that touch, half "overlapping", half "joined"; with other
    `lengths` (taken in turn), numbers that long whose first two digits touch."""
    samples = []
    for number in range(count):
        kind = TOUCHING[number % 2]
        chosen = rng.choice(len(images), lengths[number % len(lengths)], replace=False)
        image, boxes = number_photo(images[chosen], rng, touch=kind)
        samples.append(Sample(image, "".join(str(labels[i]) for i in chosen), kind, boxes))
    return samples
