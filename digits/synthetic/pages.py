"""Photos of whole pages with one digit or a number (1-4 MNIST test digits) written on them,
each of a kind that today's one-digit path gets wrong:

- "lined paper", "squared paper": ruled lines under and through the writing;
- "table edge": the sheet ends in the frame and a dark table shows beyond it;
- "scan border": a dark band along one or two sides, as scanners leave;
- "fine pen": a 1-2 px pen on a page of 600-1200 px;
- "European 1", "crossed 7": every 1 with its flag, every 7 with a bar through it;
- "specks and underline": dots of ink around the number and a line under it.
"""
import numpy as np
from PIL import Image, ImageDraw

from digits.synthetic.numbers import glyphs, write_row
from digits.synthetic.paper import (
    INKS,
    crop_to_ink,
    lighting,
    paper_colour,
    photograph,
    place,
    restroke,
    scaled,
)
from digits.synthetic.photos import STROKE_28, Sample
from digits.synthetic.strokes import crossed_seven, fine_pen, flagged_one

KINDS = ("lined paper", "squared paper", "table edge", "scan border", "fine pen", "European 1",
         "crossed 7", "specks and underline")
DECORATED = {"European 1": (1, flagged_one), "crossed 7": (7, crossed_seven)}


def _choose(labels, rng, kind):
    """Indices of 1-4 digits; a European 1 or crossed 7 page has at least one 1 or 7."""
    chosen = list(rng.choice(len(labels), int(rng.integers(1, 5)), replace=False))
    if kind in DECORATED:
        wanted = np.nonzero(labels == DECORATED[kind][0])[0]
        chosen[int(rng.integers(len(chosen)))] = int(rng.choice(wanted))
    return chosen


def _rules(sheet, rng, spacing, horizontal=True, vertical=False, start=0.0):
    """Ruled lines, slightly tilted, `spacing` pixels apart, drawn on an RGB sheet in place."""
    h, w = sheet.shape[:2]
    image = Image.fromarray(sheet.astype(np.uint8))
    draw = ImageDraw.Draw(image)
    colour = tuple(int(c) for c in rng.choice([(150, 180, 225), (165, 165, 170), (120, 160, 210)]))
    width = max(1, round(max(h, w) / 600 * rng.uniform(1, 2.5)))
    tilt = np.tan(np.radians(rng.uniform(-1.5, 1.5)))
    if horizontal:
        for y in np.arange(start % spacing, h + w * abs(tilt), spacing):
            draw.line([(0, y), (w, y + w * tilt)], fill=colour, width=width)
    if vertical:
        for x in np.arange(rng.uniform(0, spacing), w + h * abs(tilt), spacing):
            draw.line([(x, 0), (x - h * tilt, h)], fill=colour, width=width)
    sheet[:] = np.asarray(image, np.float32)


def _dark_region(sheet, rng, depth, colour, texture):
    """Replace the sheet beyond a slightly tilted edge, `depth` of the way in from a random
    side, by a dark surface. Returns the sheet's free area (left, top, right, bottom)."""
    h, w = sheet.shape[:2]
    side = rng.choice(["bottom", "bottom", "top", "left", "right"])
    tilt = np.tan(np.radians(rng.uniform(-4, 4)))
    ys, xs = np.mgrid[0:h, 0:w]
    if side in ("top", "bottom"):
        edge = depth * h + tilt * (xs - w / 2)
        dark = ys > h - edge if side == "bottom" else ys < edge
    else:
        edge = depth * w + tilt * (ys - h / 2)
        dark = xs > w - edge if side == "right" else xs < edge
    grain = Image.fromarray(rng.uniform(-1, 1, (8, 8)).astype(np.float32), "F")
    grain = np.asarray(grain.resize((w, h), Image.Resampling.BICUBIC))[..., None]
    sheet[dark] = (np.asarray(colour, np.float32) + texture * grain)[dark]
    keep = round((depth + 0.05 + abs(tilt) / 2) * (h if side in ("top", "bottom") else w))
    return {"bottom": (0, 0, w, h - keep), "top": (0, keep, w, h),
            "right": (0, 0, w - keep, h), "left": (keep, 0, w, h)}[side]


def _specks_and_underline(coverage, rng, box, stroke):
    """Dots of ink anywhere on the page, and a line under the number."""
    image = Image.fromarray((coverage * 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    h, w = coverage.shape
    for _ in range(int(rng.integers(8, 40))):
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.7, 2.5)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
    left, top, right, bottom = box
    y = bottom + (bottom - top) * rng.uniform(0.12, 0.3)
    width, height = right - left, bottom - top
    ends = [(left - rng.uniform(0, 0.2) * width, y),
            (right + rng.uniform(0, 0.2) * width, y + rng.uniform(-0.1, 0.1) * height)]
    draw.line(ends, fill=255, width=max(1, round(stroke)))
    coverage[:] = np.asarray(image, np.float32) / 255


def _fitted(row, boxes, free):
    """The row (coverage, glyph boxes) shrunk if need be so that all of it fits in the free
    part of the page (left, top, right, bottom): every digit of the label stays in the photo."""
    width = max(b[2] for b in boxes) - min(b[0] for b in boxes)
    height = max(b[3] for b in boxes) - min(b[1] for b in boxes)
    factor = min(1.0, (free[2] - free[0]) / width, (free[3] - free[1]) / height)
    if factor == 1.0:
        return row, boxes
    factor *= 0.97  # room for rounding
    size = (max(1, round(row.shape[1] * factor)), max(1, round(row.shape[0] * factor)))
    row = np.asarray(Image.fromarray(row).resize(size, Image.Resampling.BOX), np.float32)
    return row, tuple((int(a * factor), int(b * factor), int(np.ceil(c * factor)),
                       int(np.ceil(d * factor))) for a, b, c, d in boxes)


def page(images, labels, rng, kind):
    """One page photo of the given kind: a Sample whose label is the written string."""
    chosen = _choose(labels, rng, kind)
    text = "".join(str(labels[i]) for i in chosen)
    low = 600 if kind == "fine pen" else 300
    width, height = (int(v) for v in rng.integers(low, 1201, 2))
    sheet = np.broadcast_to(paper_colour(rng, rng.uniform(200, 250)), (height, width, 3)).copy()
    free = (0, 0, width, height)
    tall = rng.uniform(0.08, 0.22) * min(width, height)
    if kind == "table edge":
        free = _dark_region(sheet, rng, rng.uniform(0.1, 0.3), rng.choice(
            [(70, 50, 35), (45, 45, 50), (95, 70, 45)]), rng.uniform(5, 25))
    elif kind == "scan border":
        for _ in range(int(rng.integers(1, 3))):  # writing stays clear of every border
            box = _dark_region(sheet, rng, rng.uniform(0.02, 0.08), (20, 20, 22), 4)
            free = (max(free[0], box[0]), max(free[1], box[1]), min(free[2], box[2]),
                    min(free[3], box[3]))
    change = rng.uniform(-0.4, 0.8)
    if kind == "fine pen":
        tall = rng.uniform(0.1, 0.25) * min(width, height)
        pen = rng.uniform(1, 2)
        made = [crop_to_ink(scaled(fine_pen(restroke(images[i]), tall * rng.uniform(0.9, 1.1),
                                            pen), None, rng.uniform(-5, 5)), margin=0)
                for i in chosen]
    else:
        digit, decorate = DECORATED.get(kind, (None, None))
        mark = None if decorate is None else (
            lambda glyph, n: decorate(glyph, rng) if labels[chosen[n]] == digit else glyph)
        made = glyphs(images[chosen], rng, tall, change, decorate=mark)
    gaps = [rng.uniform(0.15, 0.6) * tall for _ in made[1:]]
    row, boxes = _fitted(*write_row(made, rng, tall, gaps, rng.uniform(-3, 3)), free)
    row_box = (min(b[0] for b in boxes), min(b[1] for b in boxes),
               max(b[2] for b in boxes), max(b[3] for b in boxes))
    left = int(rng.integers(free[0], max(free[0], free[2] - (row_box[2] - row_box[0])) + 1))
    top = int(rng.integers(free[1], max(free[1], free[3] - (row_box[3] - row_box[1])) + 1))
    shift = (left - row_box[0], top - row_box[1])
    boxes = tuple((a + shift[0], b + shift[1], c + shift[0], d + shift[1]) for a, b, c, d in boxes)
    coverage = np.zeros((height, width), np.float32)
    place(coverage, row, shift[0], shift[1])
    bottom = top + row_box[3] - row_box[1]
    if kind == "lined paper":
        _rules(sheet, rng, tall * rng.uniform(0.9, 1.5), start=bottom + rng.normal(0, 0.05) * tall)
    elif kind == "squared paper":
        _rules(sheet, rng, tall * rng.uniform(0.45, 0.7), vertical=True, start=rng.uniform(0, 99))
    elif kind == "specks and underline":
        stroke = tall / 20 * (STROKE_28 + 2 * change) * 0.6
        _specks_and_underline(coverage, rng, (left, top, left + row_box[2] - row_box[0], bottom),
                              stroke)
    ink = INKS[rng.choice(["black", "black", "blue"])]
    light = lighting((height, width), rng, rng.uniform(0.03, 0.3))
    image = photograph(coverage, rng, ink, base=sheet, light=light, blur=rng.uniform(0, 0.7),
                       noise=rng.uniform(1, 5), quality=int(rng.integers(70, 96)))
    return Sample(image, text, kind, boxes)


def pages(images, labels, rng, count, kinds=KINDS):
    """`count` page photos, the kinds taken in turn."""
    return [page(images, labels, rng, kinds[number % len(kinds)]) for number in range(count)]
