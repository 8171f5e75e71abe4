"""Where the digits of a photo are, before any model looks: the cleaned ink grouped into places
left to right, each place as one candidate digit, and the model's 28x28 view of any candidate.

    page = find(gray, size)            # None if no ink may be a digit
    views([crop(page.ink, c) for c in page.wholes], page.cleaned)  # what the model is shown
"""
from typing import NamedTuple

import numpy as np

from digits import batching, imaging, segmentation, thickness, writing
from digits.components import pieces
from digits.mnist import to_unit_floats

READING_SIDE = 512  # photos are decoded this large, so a 1-2 px pen on a big page keeps its
                    # strokes
MIN_AREA = 3        # pieces of fewer pixels are noise


class Candidate(NamedTuple):
    mask: np.ndarray  # the ink that makes this digit, in the place's box
    left: int         # where the box starts in the working image
    top: int


class Layout(NamedTuple):
    cleaned: imaging.Ink  # the page's ink, the paper's shade subtracted
    kept: list        # the pieces of ink that may be digits
    places: list      # the pieces grouped into places, left to right
    wholes: list      # each place as one Candidate, all its ink
    bodies: list      # each place without its small pieces (None if it has none or no body)
    ink: np.ndarray   # the ink near strokes, stray ink left out
    scale: tuple      # original pixels per working pixel, across and down
    origin: tuple     # where the part read starts in the whole image


def find(gray, size):
    """Where the digits are: the cleaned ink and its places; None if no ink may be a digit.
    `size`: the original image's (width, height), for boxes in its pixels (None: gray's)."""
    gray = np.asarray(gray, np.float32)
    scale = _scale(gray.shape, size)
    gray, origin, drawn = writing.trimmed(gray)
    if drawn:
        gray, factor = writing.halved(gray)
        scale, origin = (scale[0] * factor, scale[1] * factor), (origin[0] / factor,
                                                                  origin[1] / factor)
    found, labels, count = writing.find(gray, drawn)
    mask = labels > 0
    strength = np.bincount(labels.ravel(), found.ink.ravel(), count + 1)
    kept = writing.not_shading([p for p in pieces(labels, count) if p.area >= MIN_AREA],
                               strength, found.level, mask.shape)
    if kept:
        kept = segmentation.without_frame_slivers(kept, mask.shape)
    if not kept:  # ink, but all of it ruled lines, a border or shading: no digit there
        return None
    places, _ = segmentation.places(kept)
    ink = np.where(writing.near(mask), found.ink, 0)  # faint edges of strokes kept, stray ink not
    wholes = [_whole(place, labels) for place in places]
    height = segmentation.usual_height(kept)
    bodies = [_bodies(place, labels, height) for place in places]
    return Layout(found, kept, places, wholes, bodies, ink, scale, origin)


def whole_places(gray):
    """The model's view (float32 28x28) of each place of the writing, left to right, read whole:
    no cut tried and no model needed. Training the convnet on these shows it photographed
    digits as the reader shows them. Raises decoding.NoInk if the image has no ink at all."""
    page = find(gray, None)
    return [] if page is None else views(
        [crop(page.ink, candidate) for candidate in page.wholes], page.cleaned)


def views(crops, cleaned):
    """The model's view of each crop of the cleaned page (imaging.fit_crop, scaled as in
    training), each distinct crop fitted once."""
    return batching.once_each(lambda distinct: [to_unit_floats(imaging.fit_crop(crop, cleaned))
                                                for crop in distinct], crops)


def crop(ink, candidate):
    """A candidate's ink (the rest of its box blanked), strokes brought toward MNIST's width
    if they are far from it: what is fitted into MNIST's 28x28 field for the model."""
    rows, cols = np.nonzero(candidate.mask)
    top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    mask = candidate.mask[top:bottom, left:right]
    y, x = candidate.top + top, candidate.left + left
    part = ink[y:y + mask.shape[0], x:x + mask.shape[1]] * writing.near(mask)
    return thickness.toward_mnist(part, mask)


def all_as_one(page):
    """All the writing's box, its ink near strokes (ruled lines left out), as one digit
    without the strokes' width changed: scribbles and shapes that one place's cleaned strokes
    make look like a digit often do not, seen so (test-font non-digits refused: 87% -> 91% of
    400)."""
    kept = page.kept
    left, top = min(p.left for p in kept), min(p.top for p in kept)
    right, bottom = max(p.right for p in kept), max(p.bottom for p in kept)
    return page.ink[top:bottom, left:right]


def _whole(place, labels):
    """The place as one candidate digit: its own ink in its box."""
    box = labels[place.top:place.bottom, place.left:place.right]
    own = np.zeros(box.max() + 1, bool)  # by label: whether that piece is the place's
    own[[p.number for p in place.pieces]] = True
    return Candidate(own[box], place.left, place.top)


def _bodies(place, labels, height):
    """The place's tall pieces alone, as one candidate: None if it has no smaller pieces (a
    bar, a flag, a stroke beside it) or nothing but them."""
    tall = tuple(p for p in place.pieces if segmentation.is_body(p, height))
    if len(tall) in (0, len(place.pieces)):
        return None
    return _whole(place._replace(pieces=tall), labels)


def _scale(shape, size):
    """Original pixels per working pixel, across and down."""
    return (1.0, 1.0) if size is None else (size[0] / shape[1], size[1] / shape[0])
