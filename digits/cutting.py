"""Where to cut a place that may hold two digits that touch: straight or leaning where its ink
is thinnest, or along the path from top to bottom that crosses the least ink (digits that
overlap), each cut kept only if both halves could be digits and no loop is cut in two."""
import numpy as np

from digits.components import label
from digits.segmentation import SLIVER

HALF_TALL = 0.6      # each half of a cut spans 60% of the place's height ...
SHARE = 0.2          # ... is wider than SLIVER of it, with a fifth of its ink
LOOP = 0.04          # a hole this big (for the place's height squared) is a digit's loop
TILTS = (0.0, -0.3, 0.3)  # cuts: upright and leaning either way (x moves 0.3 px per row)


def cuts(mask):
    """Ways to cut a place's mask (its own ink) into a left and a right digit, each a boolean
    mask of the pixels left of x = cut + tilt*(y - middle): where the ink is thinnest in the
    middle 60%, upright and leaning, crossing one stroke and no loop."""
    h, w = mask.shape
    ys = np.arange(h)[:, None] - h / 2
    xs = np.arange(w)[None, :]
    loops, ink = _holes(mask), mask.sum()
    ink_y, ink_x = np.nonzero(mask)
    lo, hi = int(0.2 * w), int(0.8 * w) + 1
    sides = []
    for tilt in TILTS:
        shifted = xs - tilt * ys  # x of each pixel measured along the leaning cut
        cut = np.floor(shifted[ink_y, ink_x]).astype(int)  # the cut each ink pixel lies on
        inside = (cut >= lo) & (cut < hi)
        crossed = np.zeros((hi - lo, h), bool)  # for each cut, the rows where it meets ink
        crossed[cut[inside] - lo, ink_y[inside]] = True
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
    n = hi - lo
    came_from, across = np.zeros((h, n), np.int8), np.arange(n)
    ways = np.full((3, n + 1), np.inf)  # the least ink so far coming from the left, from
    total = cost[0]                     # straight above, or from the right (inf: no way)
    for y in range(1, h):
        ways[0, 1:], ways[1, :n], ways[2, :n - 1] = total, total, total[1:]
        best = ways[:, :n].argmin(axis=0)
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
