"""What surrounds the digits on a real page and is not ink to read: a table or a scanner's dark
border in the frame (the ruled lines of the paper: digits.ruling).

frame_cleared() works on the grayscale image before the ink is looked for: dark regions that
run along the frame become paper. opened() takes the strokes off the paper, to see its shading.
"""
import numpy as np

from digits import grid
from digits.components import label

FRAME_CONTACT = 0.3  # a dark region along 30% of a side is a table or a border, not a digit
DARK = 0.35          # dark: nearer the ink's shade than the paper's (a shadow is lighter)


def frame_cleared(gray):
    """The grayscale image with dark regions (thicker than a ruled line) that touch the frame
    along FRAME_CONTACT of a side (a table beyond the sheet's edge, a scanner's border) painted
    the paper's shade; the image itself if there are none or the paper is dark."""
    paper = float(np.median(gray))
    darkest = float(np.percentile(gray, 1))
    if paper < 0.5 or paper - darkest < 0.2:
        return gray
    dark = (gray < darkest + DARK * (paper - darkest)).astype(np.uint8)
    dark = _running(_running(dark, 5, 0, np.minimum), 5, 1, np.minimum)  # lines 4 px thin go
    labels, count = label(dark.astype(bool))
    if count == 0:
        return gray
    h, w = gray.shape
    sides = ((labels[0], w), (labels[-1], w), (labels[:, 0], h), (labels[:, -1], h))
    contact = np.max([np.bincount(line, minlength=count + 1) / length
                      for line, length in sides], axis=0)
    contact[0] = 0
    structures = np.nonzero(contact >= FRAME_CONTACT)[0]
    if len(structures) == 0:
        return gray
    region = _grown(np.isin(labels, structures), max(3, round(0.02 * max(h, w))))  # its edge too
    cleared = gray.copy()
    cleared[region] = np.percentile(gray[~region], 75)  # a shade no lighter than most paper
    return cleared


def _grown(mask, steps):
    """The mask dilated by `steps` pixels (a square)."""
    grown = mask
    for _ in range(steps):
        grown = grid.grown(grown)
    return grown


def _running(values, size, axis, pick):
    """np.minimum or np.maximum (`pick`) over a centred window of `size` along an axis, by
    doubling: log2(size) whole-array steps whatever the size."""
    values = np.moveaxis(values, axis, 0)
    before = size // 2
    padded = np.concatenate([np.repeat(values[:1], before, 0), values,
                             np.repeat(values[-1:], size - 1 - before, 0)])
    span, result = 1, padded
    while span * 2 <= size:
        result = pick(result[:len(result) - span], result[span:])
        span *= 2
    n = len(values)
    result = pick(result[:n], result[size - span:size - span + n])
    return np.moveaxis(result, 0, axis)


def opened(image, size):
    """The grey-scale opening of an image by a size x size square: bright strokes narrower than
    `size` are gone, wider shapes and steps (a shadow's edge) stay as they were."""
    for pick in (np.minimum, np.maximum):
        image = _running(_running(image, size, 0, pick), size, 1, pick)
    return image
