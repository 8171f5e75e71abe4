"""From pieces of ink to the places of a number's digits, left to right, by geometry alone.

Pieces as tall as the tallest make digits; two of them that lie mostly one above the other are
one digit drawn in two strokes. Smaller pieces (the bar of a 7 or a 4, the flag of a 5, a broken
stroke) join the digit they lie under or over; what joins nothing is a speck, and a flat piece
below the row is an underline. A place wider than a digit may be two digits that touch: cuts
are proposed where the ink is thinnest, for the model to confirm or reject.
"""
from typing import NamedTuple

import numpy as np

from digits.components import label

TALL = 0.6           # a piece at least this share of the usual digit height is a digit's body
SAME_DIGIT = 0.6     # bodies overlapping sideways by 60% of the narrower one are one digit
REACH = 0.25         # a small piece joins a digit up to a quarter of a digit's height away
WIDE = 0.85          # a place wider than 85% of its height may be two digits
HALF_TALL = 0.6      # each half of a cut spans 60% of the place's height ...
SLIVER = 0.12        # ... and is wider than 12% of it ...
SHARE = 0.2          # ... with a fifth of its ink
LOOP = 0.04          # a hole this big (for the place's height squared) is a digit's loop
TILTS = (0.0, -0.3, 0.3)  # cuts: upright and leaning either way (x moves 0.3 px per row)


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
    return float(np.median([p.height for p in pieces if p.height >= tallest / 2]))


def without_frame_slivers(pieces, shape):
    """The pieces less thin slivers along the image's edge (what a border leaves), unless
    nothing else is left."""
    height = usual_height(pieces)
    kept = [p for p in pieces if not (
        min(p.left, p.top, shape[1] - p.right, shape[0] - p.bottom) == 0
        and min(p.width, p.height) < SLIVER * height)]
    return kept or pieces


def places(pieces):
    """The places of a number's digits, left to right, and the pieces left out (specks,
    underlines)."""
    height = usual_height(pieces)
    bodies = sorted((p for p in pieces if p.height >= TALL * height), key=lambda p: p.left)
    groups = []
    for body in bodies:
        if groups and _overlap(_place(groups[-1]), body) >= SAME_DIGIT * min(
                body.width, _place(groups[-1]).width):
            groups[-1].append(body)
        else:
            groups.append([body])
    left_out = []
    row_bottom = np.median([_place(g).bottom for g in groups])
    for piece in (p for p in pieces if p.height < TALL * height):
        target = _owner(piece, groups, height, row_bottom)
        (left_out if target is None else target).append(piece)
    return [_place(g) for g in groups], left_out


def _owner(piece, groups, height, row_bottom):
    """The group a small piece belongs to, or None for a speck or an underline."""
    if piece.top > row_bottom and piece.width > 0.8 * height:
        return None  # an underline
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


def one_row(places, height):
    """Whether the digits' bodies lie in one row, as a number's do (not lines of writing)."""
    middles = [(p.top + p.bottom) / 2 for place in places for p in place.pieces
               if p.height >= TALL * height]
    return max(middles) - min(middles) <= 0.8 * height


def cuts(mask):
    """Ways to cut a place's mask (its own ink) into a left and a right digit, each a boolean
    mask of the pixels left of x = cut + tilt*(y - middle): where the ink is thinnest in the
    middle 60%, upright and leaning, crossing one stroke and no loop."""
    h, w = mask.shape
    ys = np.arange(h)[:, None] - h / 2
    xs = np.arange(w)[None, :]
    loops, ink = _holes(mask), mask.sum()
    sides = []
    for tilt in TILTS:
        shifted = xs - tilt * ys  # x of each pixel measured along the leaning cut
        lo, hi = int(0.2 * w), int(0.8 * w) + 1
        crossed = [(mask & (shifted >= c) & (shifted < c + 1)).any(axis=1) for c in range(lo, hi)]
        thickness = np.array([rows.sum() if _runs(rows) <= 1 else h for rows in crossed])
        sides += [shifted < lo + position for position in _lowest(thickness, 2)
                  if thickness[position] < h]
    seam = _seam(mask)  # digits that overlap, which no straight cut parts
    if _runs(mask[np.arange(h), seam]) <= 1:  # crossing one stroke at most
        sides.append(xs < seam[:, None])
    proposed = []
    for side in sides:
        left = mask & side
        if (_digit_like(left, h, ink) and _digit_like(mask & ~left, h, ink)
                and not set(np.unique(loops[side])) & set(np.unique(loops[~side])) - {0}):
            proposed.append(left)  # both halves digit-like, and no loop cut in two
    return proposed


def _seam(mask):
    """For each row, where a path from top to bottom through the middle 60% of the width
    passes, moving at most a pixel sideways a row, so as to cross the least ink."""
    h, w = mask.shape
    lo, hi = int(0.2 * w), int(0.8 * w) + 1
    cost = mask[:, lo:hi].astype(np.float32)
    total, came_from = cost[0].copy(), np.zeros((h, hi - lo), np.int8)
    across = np.arange(hi - lo)
    for y in range(1, h):
        ways = np.stack([np.r_[np.inf, total[:-1]], total, np.r_[total[1:], np.inf]])
        best = ways.argmin(axis=0)  # from the left, straight above, or from the right
        came_from[y] = best - 1
        total = ways[best, across] + cost[y] + 0.01 * (best != 1)  # straight when it's a tie
    path = np.empty(h, int)
    path[-1] = int(total.argmin())
    for y in range(h - 1, 0, -1):
        path[y - 1] = path[y] + came_from[y, path[y]]
    return path + lo


def _holes(mask):
    """The mask's loops (the inside of a 0, 6, 8 or 9: a hole of LOOP * height squared or
    more; smaller ones are where two digits' strokes cross), numbered; 0 elsewhere."""
    labels, count = label(np.pad(~mask, 1, constant_values=True))
    outside = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    small = np.bincount(labels.ravel(), minlength=count + 1) < LOOP * mask.shape[0] ** 2
    labels[np.isin(labels, outside) | small[labels]] = 0
    return labels[1:-1, 1:-1]


def _runs(rows, gap=2):
    """How many separate runs of True a column has, gaps of up to `gap` bridged."""
    ink = np.nonzero(rows)[0]
    return 0 if len(ink) == 0 else 1 + int((np.diff(ink) > gap + 1).sum())


def _digit_like(part, height, whole):
    """Whether a part cut from a place could be a digit: at least HALF_TALL of the place's
    height, not a sliver, and with a fair share of its ink."""
    rows, cols = np.nonzero(part)
    return (len(rows) > 0 and np.ptp(rows) + 1 >= HALF_TALL * height
            and np.ptp(cols) + 1 >= SLIVER * height and len(rows) >= SHARE * whole)


def _lowest(values, count):
    """Indices of the lowest local minima, lowest first, at least 3 apart."""
    chosen = []
    for index in np.argsort(values, kind="stable"):
        if all(abs(int(index) - c) >= 3 for c in chosen):
            chosen.append(int(index))
        if len(chosen) == count:
            break
    return chosen
