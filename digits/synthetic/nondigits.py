"""Images that are not digits, as a person might show them: letters and signs in several fonts,
words, scribbles, shapes, smileys and hatching, dark ink on light paper (PIL images, mode L).

The fonts come with matplotlib; the training and test splits use different fonts, so a detector
fitted on one is measured on letters it has never seen.
"""
import importlib.util
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path(importlib.util.find_spec("matplotlib").submodule_search_locations[0],
                "mpl-data", "fonts", "ttf")
FONTS = {
    "train": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf",
              "DejaVuSerif-Italic.ttf", "DejaVuSansMono.ttf", "cmr10.ttf", "cmss10.ttf",
              "cmtt10.ttf"),
    "test": ("STIXGeneral.ttf", "STIXGeneralItalic.ttf", "STIXGeneralBol.ttf",
             "DejaVuSans-Oblique.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSansMono-Bold.ttf"),
}
# Left out: glyphs that are digits in all but name (I, l, O, o, |) and the slash that MNIST's
# slanted 1s look like.
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"
SIGNS = "+-=%&@#$?!*<>~^()[]{}€£§πΣΩαβλμ÷×"
WORDS = ("hello", "Hi", "ok", "yes", "no", "cat", "Tel", "abc", "xyz", "Dear", "the", "Mr",
         "Ave", "St", "km", "kg", "cm", "etc", "OK!", "A+", "B-", "x=y", "Sun", "Jan")


def _canvas(rng):
    side = int(rng.integers(56, 140))
    paper = int(rng.integers(190, 256))
    return Image.new("L", (side, side), paper), int(rng.integers(0, 90)), side


def _font(rng, split, size):
    return ImageFont.truetype(str(FONT_DIR / rng.choice(FONTS[split])), size)


def _text(rng, split, text):
    image, ink, side = _canvas(rng)
    size = int(side * rng.uniform(0.35, 0.75) / max(1, len(text)) ** 0.5)
    font = _font(rng, split, max(size, 10))
    stroke = int(rng.integers(0, 3)) * max(1, size // 30)
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font, stroke_width=stroke)
    x = (side - (right - left)) / 2 - left + rng.uniform(-0.1, 0.1) * side
    y = (side - (bottom - top)) / 2 - top + rng.uniform(-0.1, 0.1) * side
    draw.text((x, y), text, fill=ink, font=font, stroke_width=stroke, stroke_fill=ink)
    return image.rotate(rng.uniform(-15, 15), resample=Image.Resampling.BILINEAR,
                        fillcolor=image.getpixel((0, 0)))


def letter(rng, split):
    return _text(rng, split, str(rng.choice(list(LETTERS))))


def sign(rng, split):
    return _text(rng, split, str(rng.choice(list(SIGNS))))


def word(rng, split):
    return _text(rng, split, str(rng.choice(WORDS)))


def _pen(rng, side):
    return max(1, int(side * rng.uniform(0.02, 0.09)))


def _smooth(points, rounds=3):
    """Chaikin's corner cutting: a polyline becomes a smooth curve through its corners."""
    for _ in range(rounds):
        points = np.concatenate([[points[0]], *[[0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b]
                                                for a, b in zip(points[:-1], points[1:])],
                                 [points[-1]]])
    return [tuple(point) for point in points]


def scribble(rng, split):
    image, ink, side = _canvas(rng)
    corners = rng.uniform(0.15, 0.85, (int(rng.integers(4, 12)), 2)) * side
    ImageDraw.Draw(image).line(_smooth(corners), fill=ink, width=_pen(rng, side), joint="curve")
    return image


def _regular(n, centre, radius, turn, star=False):
    """The corners of a regular polygon, or of a star (inner corners at 45% of the radius)."""
    count = 2 * n if star else n
    corners = []
    for i in range(count):
        reach = radius * (0.45 if star and i % 2 else 1)
        angle = turn + 2 * math.pi * i / count
        corners.append((centre[0] + reach * math.cos(angle), centre[1] + reach * math.sin(angle)))
    return corners


def shape(rng, split):
    image, ink, side = _canvas(rng)
    draw, pen = ImageDraw.Draw(image), _pen(rng, side)
    centre, radius = (side / 2, side / 2), side * rng.uniform(0.25, 0.4)
    kind = rng.choice(["circle", "square", "triangle", "star", "cross", "arrow", "polygon"])
    fill = ink if rng.random() < 0.25 else None
    box = (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius)
    if kind == "circle":
        draw.ellipse(box, outline=ink, width=pen, fill=fill)
    elif kind == "square":
        draw.rectangle(box, outline=ink, width=pen, fill=fill)
    elif kind == "cross":
        draw.line([box[:2], box[2:]], fill=ink, width=pen)
        draw.line([(box[0], box[3]), (box[2], box[1])], fill=ink, width=pen)
    elif kind == "arrow":
        tip = (box[2], centre[1])
        draw.line([(box[0], centre[1]), tip], fill=ink, width=pen)
        draw.line([(tip[0] - radius / 2, tip[1] - radius / 2), tip,
                   (tip[0] - radius / 2, tip[1] + radius / 2)], fill=ink, width=pen)
    else:
        n = {"triangle": 3, "star": 5, "polygon": int(rng.integers(5, 9))}[kind]
        corners = _regular(n, centre, radius, rng.uniform(0, math.pi), star=kind == "star")
        draw.polygon(corners, outline=ink, width=pen, fill=fill)
    return image.rotate(rng.uniform(-30, 30), fillcolor=image.getpixel((0, 0)))


def smiley(rng, split):
    image, ink, side = _canvas(rng)
    draw, pen = ImageDraw.Draw(image), _pen(rng, side)
    r, c = side * rng.uniform(0.3, 0.42), side / 2
    draw.ellipse((c - r, c - r, c + r, c + r), outline=ink, width=pen)
    for dx in (-0.35, 0.35):
        e = max(pen, r * 0.08)
        draw.ellipse((c + dx * r - e, c - 0.3 * r - e, c + dx * r + e, c - 0.3 * r + e), fill=ink)
    mood = rng.choice([0, 180])  # a smile or a frown
    draw.arc((c - 0.55 * r, c - 0.2 * r + (0.5 * r if mood else 0), c + 0.55 * r,
              c + 0.5 * r + (0.5 * r if mood else 0)), 20 + mood, 160 + mood, fill=ink, width=pen)
    return image


def hatching(rng, split):
    image, ink, side = _canvas(rng)
    paper = Image.new("L", image.size, image.getpixel((0, 0)))
    draw, pen = ImageDraw.Draw(image), max(1, _pen(rng, side) // 2)
    lo, hi = side * rng.uniform(0.1, 0.3), side * rng.uniform(0.7, 0.9)
    gap = side * rng.uniform(0.06, 0.15)
    patterns = ([45], [-45], [0], [90], [45, -45], [0, 90])
    for angle in patterns[int(rng.integers(len(patterns)))]:
        d = np.array([math.cos(math.radians(angle)), math.sin(math.radians(angle))])
        normal = np.array([-d[1], d[0]])
        for offset in np.arange(-side, side, gap):
            a = np.array([side / 2] * 2) + normal * offset - d * side
            b = a + 2 * d * side
            draw.line([tuple(a), tuple(b)], fill=ink, width=pen)
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rectangle((lo, lo, hi, hi), fill=255)
    return Image.composite(image, paper, mask)  # a hatched patch on plain paper


KINDS = {"letter": letter, "sign": sign, "word": word, "scribble": scribble, "shape": shape,
         "smiley": smiley, "hatching": hatching}


def make(rng, count, split="train"):
    """`count` non-digit images as (PIL image, kind), the kinds in turn; `split` picks the fonts."""
    made = []
    for number in range(count):
        kind = list(KINDS)[number % len(KINDS)]
        image = KINDS[kind](rng, split)
        if rng.random() < 0.3:
            image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
        made.append((image, kind))
    return made
