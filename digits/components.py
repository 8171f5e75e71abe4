"""Connected pieces of ink in a boolean mask, and the runs of ink along rows that they are made of.

NumPy only (SciPy's ndimage would do it too, but importing it costs a quarter of a second, half
of what reading one photo may take): the mask is cut into horizontal runs, runs that touch on
neighbouring rows (diagonals included) are merged, and each piece gets its box and size.
"""
from typing import NamedTuple

import numpy as np


def runs(mask):
    """The horizontal runs of True in a 2-D mask: rows, starts and ends (exclusive), in
    row-major order."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), bool)
    padded[:, 1:-1] = mask
    # Along each row, changes come in pairs: a run's start, then its end.
    rows, columns = np.divmod(np.flatnonzero(padded[:, 1:] != padded[:, :-1]), w + 1)
    return rows[::2], columns[::2], columns[1::2]


def run_lengths(mask):
    """Each True pixel's run length along its row (0 where False)."""
    rows, starts, ends = runs(mask)
    lengths = np.zeros(mask.shape, np.int32)
    flat = _run_pixels(rows, starts, ends, mask.shape[1])
    lengths.ravel()[flat] = np.repeat(ends - starts, ends - starts)
    return lengths


def _run_pixels(rows, starts, ends, width):
    """Flat indices of every pixel of the runs, run after run."""
    sizes = ends - starts
    first = np.repeat(rows * width + starts - np.cumsum(sizes) + sizes, sizes)
    return first + np.arange(sizes.sum())


def _touching_runs(rows, starts, ends, width):
    """Pairs (a, b) of runs on neighbouring rows that touch, diagonals included."""
    step = width + 2
    start_keys, end_keys = rows * step + starts, rows * step + ends
    below = (rows + 1) * step
    first = np.searchsorted(end_keys, below + starts, side="left")     # first b ending at/after a
    last = np.searchsorted(start_keys, below + ends, side="right")      # last b starting by a's end
    counts = np.maximum(last - first, 0)
    a = np.repeat(np.arange(len(rows)), counts)
    b = np.repeat(first - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
    return a, b


def label(mask):
    """8-connected pieces: (int32 labels, 0 for background and 1..n, and n), numbered in the
    order of their first pixel, row by row."""
    mask = np.asarray(mask, bool)
    rows, starts, ends = runs(mask)
    a, b = _touching_runs(rows, starts, ends, mask.shape[1])
    group = np.arange(len(rows))
    while True:  # every run takes the smallest group number it touches, until none changes
        lowest = np.minimum(group[a], group[b])
        before = group.copy()
        np.minimum.at(group, a, lowest)
        np.minimum.at(group, b, lowest)
        group = group[group]  # follow each group to its own group: pointer jumping
        if np.array_equal(group, before):
            break
    numbers = np.unique(group, return_inverse=True)[1] + 1
    labels = np.zeros(mask.shape, np.int32)
    labels.ravel()[_run_pixels(rows, starts, ends, mask.shape[1])] = np.repeat(numbers,
                                                                               ends - starts)
    return labels, int(numbers.max(initial=0))


class Piece(NamedTuple):
    """One connected piece of ink."""
    number: int
    left: int
    top: int
    right: int   # exclusive
    bottom: int  # exclusive
    area: int

    @property
    def width(self):
        return self.right - self.left

    @property
    def height(self):
        return self.bottom - self.top


def pieces(labels, count):
    """Each piece's box and area, from label(): its runs (each within one piece, as pieces
    that touch along a row are one)."""
    rows, starts, ends = runs(labels > 0)
    found = labels[rows, starts]
    area = np.bincount(found, ends - starts, minlength=count + 1).astype(int)
    top = np.full(count + 1, labels.shape[0])
    left = np.full(count + 1, labels.shape[1])
    bottom, right = np.zeros(count + 1, int), np.zeros(count + 1, int)
    np.minimum.at(top, found, rows)
    np.minimum.at(left, found, starts)
    np.maximum.at(bottom, found, rows + 1)
    np.maximum.at(right, found, ends)
    return [Piece(n, int(left[n]), int(top[n]), int(right[n]), int(bottom[n]), int(area[n]))
            for n in range(1, count + 1)]
