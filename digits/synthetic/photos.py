"""MNIST digits made into photos of one digit on paper, each of a named kind of difficulty.

    samples = photos(images, labels, np.random.default_rng(7), 500)
    for image, label, kind in samples: ...

Every photo has some of everything (paper shade, light, pen width, tilt, blur, noise, JPEG);
its kind pushes one of them further: a coloured pen, a thin pen or a thick marker, uneven light,
a shadow, rotation up to 12 degrees, blur, or heavy noise and JPEG. Photos are 100-1000 px a
side with the digit off-centre. Build them from MNIST's test split, which no model has seen.
"""
from typing import NamedTuple

import numpy as np
from PIL import Image

from digits.synthetic.paper import (
    INKS,
    crop_to_ink,
    ink_box,
    lighting,
    photograph,
    place,
    restroke,
    scaled,
)

KINDS = ("black pen", "blue pen", "red marker", "thin pen", "thick marker", "uneven light",
         "shadow", "rotated", "blurred", "noisy JPEG")

STROKE_28 = 2.5  # an MNIST stroke is about this wide, in pixels of the 28x28 image


class Sample(NamedTuple):
    image: Image.Image  # RGB, as decoded from the JPEG the camera saved
    label: int | str    # a digit for one-digit photos, the digits as a string for numbers
    kind: str
    boxes: tuple = ()   # each digit's ink (left, top, right, bottom) in the photo, left to right


def _style(rng, kind):
    """How this photo is taken: a mild version of everything, one thing pushed by its kind."""
    style = {
        "ink": INKS["black"], "change": rng.uniform(-0.25, 0.5), "angle": rng.uniform(-4, 4),
        "light": rng.uniform(0.02, 0.15), "shadow": 0.0, "blur": rng.uniform(0, 0.5),
        "noise": rng.uniform(1, 3), "quality": int(rng.integers(75, 96)),
    }
    if kind == "blue pen":
        style["ink"] = INKS["blue"]
    elif kind == "red marker":
        style.update(ink=INKS["red"], change=rng.uniform(0.5, 1.2))
    elif kind == "thin pen":
        style["change"] = rng.uniform(-0.75, -0.4)
    elif kind == "thick marker":
        style["change"] = rng.uniform(0.75, 1.5)
    elif kind == "uneven light":
        style["light"] = rng.uniform(0.3, 0.45)
    elif kind == "shadow":
        style["shadow"] = rng.uniform(0.25, 0.45)
    elif kind == "rotated":
        style["angle"] = rng.choice([-1, 1]) * rng.uniform(6, 12)
    elif kind == "blurred":
        style["blur"] = rng.uniform(0.12, 0.3)  # of the stroke's width, set once its size is known
    elif kind == "noisy JPEG":
        style.update(noise=rng.uniform(8, 15), quality=int(rng.integers(30, 61)))
    elif kind != "black pen":
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    return style


def page_size(rng, low=100, high=1000):
    """(width, height): the longer side between low and high pixels, a photo's aspect ratio."""
    side = int(rng.integers(low, high + 1))
    aspect = rng.uniform(0.75, 1.0)
    short = max(low, round(side * aspect))
    return (side, short) if rng.random() < 0.5 else (short, side)


def photo(digit, rng, kind="black pen"):
    """One MNIST digit (uint8 28x28, bright on black) photographed on paper, as a PIL RGB image."""
    return _photo(digit, rng, kind)[0]


def _photo(digit, rng, kind):
    style = _style(rng, kind)
    width, height = page_size(rng)
    glyph = crop_to_ink(restroke(digit, style["change"]))
    tall = rng.uniform(0.3, 0.75) * min(width, height)
    glyph = scaled(glyph, tall, style["angle"])
    coverage = np.zeros((height, width), np.float32)
    left = int(rng.integers(0, max(width - glyph.shape[1], 0) + 1))
    top = int(rng.integers(0, max(height - glyph.shape[0], 0) + 1))
    place(coverage, glyph, left, top)
    stroke = tall / 20 * STROKE_28  # MNIST's digits are 20 px high
    blur = style["blur"] * stroke if kind == "blurred" else style["blur"]
    light = lighting((height, width), rng, style["light"], style["shadow"])
    image = photograph(coverage, rng, style["ink"], light=light, blur=blur, noise=style["noise"],
                       quality=style["quality"])
    return image, ink_box(coverage)


def photos(images, labels, rng, count, kinds=KINDS):
    """`count` Samples of distinct digits drawn at random from images/labels (MNIST's uint8
    28x28 and their labels), the kinds taken in turn so each is equally represented."""
    chosen = rng.choice(len(images), count, replace=False)
    samples = []
    for number, index in enumerate(chosen):
        kind = kinds[number % len(kinds)]
        image, box = _photo(images[index], rng, kind)
        samples.append(Sample(image, int(labels[index]), kind, (box,)))
    return samples
