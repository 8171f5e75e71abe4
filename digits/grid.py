"""Each pixel's 3x3 neighbourhood in a 2-D array: grown and shrunk masks, the brightest
neighbour. Shifted views of one padded copy, combined pair by pair (a 3x3 square as a row of
three, then a column of three): no stack of nine copies, several times faster on a page.
"""
import numpy as np


def padded(values, fill=0):
    """The array with a one-pixel border of `fill`."""
    out = np.full((values.shape[0] + 2, values.shape[1] + 2), fill, values.dtype)
    out[1:-1, 1:-1] = values
    return out


def _square(values, fill, combine):
    """combine() over each pixel's 3x3 square, the border counted as `fill`."""
    edge = padded(values, fill)
    rows = combine(combine(edge[:-2], edge[1:-1]), edge[2:])
    return combine(combine(rows[:, :-2], rows[:, 1:-1]), rows[:, 2:])


def grown(mask):
    """The mask grown by a pixel all round, diagonals included."""
    return _square(np.asarray(mask, bool), False, np.logical_or)


def square_max(values):
    """Each pixel's brightest value in its 3x3 square (itself included), the border 0."""
    return _square(values, 0, np.maximum)


def shrunk(mask, diagonals):
    """The pixels of a mask whose 4 neighbours (8 with `diagonals`) are in it too."""
    if diagonals:
        return _square(mask, False, np.logical_and)
    edge = padded(mask, False)
    return mask & edge[:-2, 1:-1] & edge[2:, 1:-1] & edge[1:-1, :-2] & edge[1:-1, 2:]


def brightest_neighbour(values, fill):
    """Each pixel's brightest neighbour (itself excluded), the border counted as `fill`."""
    edge = padded(values, fill)
    above = np.maximum(np.maximum(edge[:-2, :-2], edge[:-2, 1:-1]), edge[:-2, 2:])
    below = np.maximum(np.maximum(edge[2:, :-2], edge[2:, 1:-1]), edge[2:, 2:])
    return np.maximum(np.maximum(above, below), np.maximum(edge[1:-1, :-2], edge[1:-1, 2:]))
