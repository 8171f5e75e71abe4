"""From pieces of ink to the places of a number's digits, left to right, by geometry alone.

Pieces as tall as the tallest make digits; two of them that lie mostly one above the other are
one digit drawn in two strokes. Smaller pieces that together stand as tall as a digit, with no
digit over or under them, are a faint digit broken into bits. Other smaller pieces (the bar of a
7 or a 4, the flag of a 5, a broken stroke) join the digit they lie under or over; what joins
nothing is a speck, and a flat piece below the row is an underline. A place wider than a
digit may be two digits that touch (digits.touching and digits.cutting say where to cut it).
"""
from statistics import median
from typing import NamedTuple

import numpy as np

TALL = 0.6           # a piece at least this share of the usual digit height is a digit's body
SAME_DIGIT = 0.6     # bodies overlapping sideways by 60% of the narrower one are one digit
REACH = 0.25         # a small piece joins a digit up to a quarter of a digit's height away
WIDE = 0.85          # a place wider than 85% of its height may be two digits
SLIVER = 0.12        # a piece narrower than 12% of a digit's height is a sliver
STROKE = 0.25        # a place narrower than a quarter of its height is a single stroke
FLAT = 2.0           # a stroke at least twice as wide as it is high lies flat
BROKEN_INK = 0.3     # bits of a broken digit have at least 30% of a usual digit's ink


class Place(NamedTuple):
    """The pieces that make one digit, and their box."""
    pieces: tuple
    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self):
        return self.right - self.left

    @property
    def height(self):
        return self.bottom - self.top


def _place(pieces):
    return Place(tuple(pieces), min(p.left for p in pieces), min(p.top for p in pieces),
                 max(p.right for p in pieces), max(p.bottom for p in pieces))


def _overlap(a, b):
    return min(a.right, b.right) - max(a.left, b.left)


def usual_height(pieces):
    """The usual height of the digits: the median of the pieces at least half the tallest."""
    tallest = max(p.height for p in pieces)
    return float(median([p.height for p in pieces if p.height >= tallest / 2]))


def is_body(piece, height):
    """Whether a piece (or a place) stands as tall as a digit's body, `height` the usual."""
    return piece.height >= TALL * height


def at_frame(piece, shape):
    """Whether a piece reaches the edge of the image (of this (height, width) shape)."""
    return min(piece.left, piece.top, shape[1] - piece.right, shape[0] - piece.bottom) == 0


def without_frame_slivers(pieces, shape):
    """The pieces less thin slivers along the image's edge (what a border leaves), unless
    nothing else is left."""
    height = usual_height(pieces)
    kept = [p for p in pieces
            if not (at_frame(p, shape) and min(p.width, p.height) < SLIVER * height)]
    return kept or pieces


def places(pieces):
    """The places of a number's digits, left to right, and the pieces left out (specks,
    underlines)."""
    height = usual_height(pieces)
    bodies = sorted((p for p in pieces if is_body(p, height)), key=lambda p: p.left)
    groups = []
    for body in bodies:
        if groups and _overlap(_place(groups[-1]), body) >= SAME_DIGIT * min(
                body.width, _place(groups[-1]).width):
            groups[-1].append(body)
        else:
            groups.append([body])
    small = [p for p in pieces if not is_body(p, height)]
    broken = _broken_digits(small, groups, height)
    in_broken = {p.number for chain in broken for p in chain}
    groups = sorted(groups + broken, key=lambda g: _place(g).left)
    left_out = []
    row_bottom = median([_place(g).bottom for g in groups])
    for piece in (p for p in small if p.number not in in_broken):
        target = _owner(piece, groups, height, row_bottom)
        (left_out if target is None else target).append(piece)
    return [_place(g) for g in groups], left_out


def _broken_digits(small, groups, height):
    """Small pieces that overlap one another sideways and together stand as tall as a digit's
    body and wider than a stroke, with no body over or under them and a digit's share of ink:
    a faint digit that broke into bits."""
    free = sorted((p for p in small if all(_overlap(_place(g), p) <= 0 for g in groups)),
                  key=lambda p: p.left)
    chains = []
    for piece in free:
        if chains and _overlap(_place(chains[-1]), piece) > 0:
            chains[-1].append(piece)
        else:
            chains.append([piece])
    ink = median([sum(p.area for p in g) for g in groups])  # the tallest piece is a body
    return [chain for chain in chains if len(chain) > 1
            and is_body(_place(chain), height) and _place(chain).width > STROKE * height
            and sum(p.area for p in chain) >= BROKEN_INK * ink]


def _owner(piece, groups, height, row_bottom):
    """The group a small piece belongs to, or None for a speck or an underline."""
    if _underline(piece, groups, height, row_bottom):
        return None
    best, best_gap = None, REACH * height
    for group in groups:
        box = _place(group)
        across = max(box.left - piece.right, piece.left - box.right, 0)
        down = max(box.top - piece.bottom, piece.top - box.bottom, 0)
        if across == 0 and down < best_gap:  # over or under the digit
            best, best_gap = group, down - 1e-9
        elif max(across, down) < best_gap and piece.area * 50 >= sum(p.area for p in group):
            best, best_gap = group, max(across, down)
    return best


def _underline(piece, groups, height, row_bottom):
    """Whether a piece below the row is a line under it: wider than most digits, or a flat
    stroke as wide as the digits over it (a line under a lone 1 is narrow)."""
    if piece.top <= row_bottom:
        return False
    if piece.width > 0.8 * height:
        return True
    over = [_place(g) for g in groups if _overlap(_place(g), piece) > 0]
    if not over or piece.width < FLAT * piece.height:
        return False
    return piece.width >= 0.9 * (max(b.right for b in over) - min(b.left for b in over))


def one_row(places, height):
    """Whether the digits' bodies lie in one row, as a number's do (not lines of writing)."""
    middles = [(p.top + p.bottom) / 2 for place in places for p in place.pieces
               if is_body(p, height)]
    return max(middles) - min(middles) <= 0.8 * height


def repeated_stroke(places):
    """Whether the places are three or more single strokes alike to a pixel or two in height,
    width, top and bottom, evenly spaced: hatching, tally marks or a barcode, not a number (MNIST's
    1s written in a row are not so regular: tests/test_reading.py)."""
    if len(places) < 3 or any(p.width > STROKE * p.height for p in places):
        return False
    slack = 1 + 0.03 * float(median([p.height for p in places]))
    centres = [(p.left + p.right) / 2 for p in places]
    steps = np.diff(centres)
    return (all(np.ptp([getattr(p, side) for p in places]) <= slack
                for side in ("top", "bottom", "height", "width"))
            and np.ptp(steps) <= slack + 0.1 * steps.mean())
