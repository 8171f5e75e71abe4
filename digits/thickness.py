"""Stroke width: measured as Morpho-MNIST does (twice the mean depth of the ink along the
strokes' centre lines), and brought toward MNIST's when a pen was much finer or coarser.

Widths are given in pixels of MNIST's 20-pixel box, so a digit of any size compares with
MNIST's own: MNIST test digits measure 1.6 to 4.6 (5th to 95th percentile), 2.8 typically.
"""
import numpy as np
from PIL import Image, ImageFilter

from digits import grid

MNIST_WIDTH = 2.8         # the median MNIST stroke, in pixels of the 20-pixel box
NORMAL = (1.5, 5.5)       # widths MNIST has plenty of: left as they are
MEASURE_SIDE = 80         # masks are measured at most this tall (a sharper look adds nothing)


def depth(mask):
    """Each ink pixel's distance from the paper, in pixels (1 at the edge of a stroke): erosions
    alternately by the 4 and the 8 neighbours, an octagon close to Euclidean distance."""
    found = np.zeros(mask.shape, np.int32)
    current = np.asarray(mask, bool)
    step = 0
    while current.any():
        found += current
        current = grid.shrunk(current, diagonals=step % 2 == 1)
        step += 1
    return found


def width(mask, average=np.mean):
    """The mean stroke width of a boolean mask, in its own pixels: twice the depth along the
    ridges (pixels at least as deep as all their neighbours), less half a pixel (a stroke of
    odd width has one centre pixel, counted from both sides; an even one has two). 0 for an
    empty mask."""
    inside = depth(mask)
    if not inside.any():
        return 0.0
    ridge = (inside > 0) & (inside >= grid.square_max(inside))
    return 2 * float(average(inside[ridge])) - 0.5


def box_width(mask):
    """The stroke width in pixels of MNIST's 20-pixel box, for the digit in this mask (cut to
    its ink): the mask is measured at most MEASURE_SIDE tall."""
    side = max(mask.shape)
    if side > MEASURE_SIDE:
        shrink = MEASURE_SIDE / side
        size = (max(1, round(mask.shape[1] * shrink)), max(1, round(mask.shape[0] * shrink)))
        small = Image.fromarray(mask.astype(np.uint8) * 255).resize(size, Image.Resampling.BOX)
        mask, side = np.asarray(small) >= 128, MEASURE_SIDE
    return width(mask) * 20 / side


def toward_mnist(crop, mask):
    """The crop (ink floats) with its strokes widened or thinned toward MNIST's width by a
    grey-scale dilation or erosion, if the mask's width is outside NORMAL; else unchanged."""
    measured = box_width(mask)
    if measured >= NORMAL[0] or measured == 0:
        return crop
    per_side = (MNIST_WIDTH - measured) / 2 * max(mask.shape) / 20  # in the crop's pixels
    steps = int(round(abs(per_side)))
    if steps == 0:
        return crop
    rank = ImageFilter.MaxFilter if per_side > 0 else ImageFilter.MinFilter
    padded = np.pad(crop, steps) if per_side > 0 else crop
    image = Image.fromarray(np.ascontiguousarray(padded, np.float32), "F")
    return np.asarray(image.filter(rank(2 * steps + 1)))
