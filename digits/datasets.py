"""The training input pipeline: shuffled, one-hot batches, optionally augmented, all in memory.

Augmentation lives here, never in the saved model: each training image gets its own random
stroke width (thicker or thinner for some), rotation, zoom and shift, drawn from a seed and the
batch number, so runs repeat exactly; a share of the 1s may get the flag of a European 1, and
a share of the 7s a bar through the stem.
"""
import math

import numpy as np

from digits.mnist import CLASSES, IMAGE_SIDE
from digits.quiet_tensorflow import tf

PIXELS = tf.range(IMAGE_SIDE, dtype=tf.float32)


def one_hot(labels):
    return np.eye(CLASSES, dtype=np.float32)[labels]


def _affine_transforms(draws, augment):
    """Per-image projective transforms (output -> input pixel) for rotation, zoom and shift."""
    angle = draws[:, 0] * math.radians(augment["rotation_degrees"])
    scale = 1 + draws[:, 1] * augment["zoom"]
    shift_x, shift_y = draws[:, 2] * augment["shift_pixels"], draws[:, 3] * augment["shift_pixels"]
    cos, sin = tf.cos(angle) / scale, tf.sin(angle) / scale
    centre = (IMAGE_SIDE - 1) / 2
    # input = M (output - centre - shift) + centre, with M the inverse rotation-and-zoom.
    a2 = centre - cos * (centre + shift_x) - sin * (centre + shift_y)
    b2 = centre + sin * (centre + shift_x) - cos * (centre + shift_y)
    zeros = tf.zeros_like(cos)
    return tf.stack([cos, sin, a2, -sin, cos, b2, zeros, zeros], axis=1)


def _stroke_widths(images, draws, augment):
    """A share of the images with thicker strokes (grey dilation) and as many with thinner
    ones (grey erosion): markers, fingers and fine pens draw digits too (Morpho-MNIST)."""
    share, window = augment["thickness_fraction"], augment["thickness_window"]
    if not share:
        return images
    thicker = tf.nn.max_pool2d(images, window, 1, "SAME")
    thinner = -tf.nn.max_pool2d(-images, window, 1, "SAME")
    draw = draws[:, None, None, None]
    return tf.where(draw < -1 + share, thicker, tf.where(draw > 1 - share, thinner, images))


def _segment_ink(start_x, start_y, end_x, end_y, width):
    """Per image, an anti-aliased straight stroke `width` pixels wide between two points."""
    grid = tf.range(IMAGE_SIDE, dtype=tf.float32)
    px, py = grid[None, None, :], grid[None, :, None]
    start_x, start_y, end_x, end_y, width = (v[:, None, None]
                                             for v in (start_x, start_y, end_x, end_y, width))
    dx, dy = end_x - start_x, end_y - start_y
    along = tf.clip_by_value(((px - start_x) * dx + (py - start_y) * dy)
                             / tf.maximum(dx * dx + dy * dy, 1e-6), 0, 1)
    distance = tf.sqrt((px - start_x - along * dx) ** 2 + (py - start_y - along * dy) ** 2)
    return tf.clip_by_value(width / 2 + 0.5 - distance, 0, 1)


def _ink_rows(images):
    """Per image: the inked pixels, which rows hold ink, and the first and last of them."""
    ink = images >= 0.4
    inked_rows = tf.reduce_any(ink, axis=2)
    top = tf.reduce_min(tf.where(inked_rows, PIXELS, IMAGE_SIDE), axis=1)
    bottom = tf.reduce_max(tf.where(inked_rows, PIXELS, 0), axis=1)
    return ink, inked_rows, top, bottom


def _pen(own_width, draw):
    """A stroke about as wide as the digit's own (give or take 15%), kept to 1.5-4.5 pixels."""
    return tf.clip_by_value(own_width * (0.85 + 0.15 * draw), 1.5, 4.5)


def _mean_x(ink, first_row, last_row):
    """Per image, the mean column of the ink in rows first_row..last_row, and how many pixels
    of ink those rows hold."""
    rows = PIXELS[None, :, None]
    band = tf.cast(ink & (rows >= first_row[:, None, None]) & (rows <= last_row[:, None, None]),
                   tf.float32)
    count = tf.reduce_sum(band, axis=[1, 2])
    return tf.reduce_sum(band * PIXELS[None, None, :], axis=[1, 2]) / tf.maximum(count, 1), count


def _flags(images, labels, draws, share):
    """A share of the 1s with the flag of a European 1: a stroke from the top of the digit down
    to the left, 20-45% of its height long at 25-60 degrees, as wide as the 1's own stroke give
    or take 15% (1.5-4.5 pixels). MNIST's writers hardly ever drew it, so without these the
    model reads a European 1 as a 7; with thin flags only, a thick pen's 1 still read as 7."""
    ink, inked_rows, top, bottom = _ink_rows(images)
    x, _ = _mean_x(ink, top, top + 2)
    length = (bottom - top) * (0.325 + 0.125 * draws[:, 1])
    angle = math.radians(42.5) + draws[:, 2] * math.radians(17.5)
    start_y = top + 0.5
    own = tf.reduce_sum(tf.cast(ink, tf.float32), axis=[1, 2]) / tf.maximum(
        tf.reduce_sum(tf.cast(inked_rows, tf.float32), axis=1), 1)
    flag = _segment_ink(x, start_y, x - length * tf.cos(angle), start_y + length * tf.sin(angle),
                        _pen(own, draws[:, 3]))
    chosen = (labels == 1) & (draws[:, 0] < -1 + 2 * share)
    return tf.where(chosen[:, None, None], tf.maximum(images, flag), images)


def _crossed_sevens(images, labels, draws, share):
    """A share of the 7s with a bar through the stem, as many Europeans write them: at 40-60%
    of the digit's height, reaching 17-33% of its width to each side, tilted by up to 7
    degrees, as wide as the stem is across there give or take 15%. MNIST's writers hardly
    ever drew it, and the model read a crossed 7 as 9."""
    ink, _, top, bottom = _ink_rows(images)
    row = tf.round(top + (bottom - top) * (0.5 + 0.1 * draws[:, 1]))
    stem_x, stem_ink = _mean_x(ink, row - 1, row + 1)
    inked_columns = tf.reduce_any(ink, axis=1)
    left = tf.reduce_min(tf.where(inked_columns, PIXELS, IMAGE_SIDE), axis=1)
    right = tf.reduce_max(tf.where(inked_columns, PIXELS, 0), axis=1)
    half = (right - left) * (0.25 + 0.08 * draws[:, 2])
    rise = half * math.tan(math.radians(7)) * draws[:, 3]
    bar = _segment_ink(stem_x - half, row + 0.5 + rise, stem_x + half, row + 0.5 - rise,
                       _pen(stem_ink / 3, draws[:, 4]))
    chosen = (labels == 7) & (draws[:, 0] < -1 + 2 * share) & (stem_ink > 0)
    return tf.where(chosen[:, None, None], tf.maximum(images, bar), images)


def augment_batch(images, labels, seed, step, augment):
    """A batch of images (N x 28 x 28) with their int labels, augmented by the `augment` knobs."""
    key = tf.stack([tf.cast(seed, tf.int64), step])
    count = tf.shape(images)[0]
    if augment["flagged_ones"]:
        # Their own draws, so that the other augmentations stay as they are without flags.
        flag_draws = tf.random.stateless_uniform([count, 4], seed=key + [1, 0], minval=-1,
                                                 maxval=1)
        images = _flags(images, labels, flag_draws, augment["flagged_ones"])
    if augment["crossed_sevens"]:
        bar_draws = tf.random.stateless_uniform([count, 5], seed=key + [2, 0], minval=-1,
                                                maxval=1)
        images = _crossed_sevens(images, labels, bar_draws, augment["crossed_sevens"])
    draws = tf.random.stateless_uniform([count, 5], seed=key, minval=-1, maxval=1)
    images = _stroke_widths(images[..., None], draws[:, 4], augment)
    moved = tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=_affine_transforms(draws, augment),
        output_shape=[IMAGE_SIDE, IMAGE_SIDE], interpolation="BILINEAR", fill_mode="CONSTANT",
        fill_value=0.0)
    return moved[..., 0]


def training_batches(x, y, batch_size, seed, augment=None):
    """An endless dataset of (images, one-hot labels); an epoch is steps_for(len(y), batch_size)
    batches. The order is reshuffled every pass over the data."""
    images, labels = tf.constant(x), tf.constant(one_hot(y))
    batches = (tf.data.Dataset.range(len(y))
               .shuffle(len(y), seed=seed, reshuffle_each_iteration=True)
               .repeat()
               .batch(batch_size)
               .map(lambda index: (tf.gather(images, index), tf.gather(labels, index))))
    if augment:
        batches = batches.enumerate().map(
            lambda step, batch: (augment_batch(batch[0], tf.argmax(batch[1], axis=1), seed, step,
                                               augment), batch[1]),
            num_parallel_calls=2, deterministic=True)
    # No autotuner: at the end of fit, deleting the iterator waits for its thread to wake from
    # ever longer sleeps (4 to 26 s lost per training run, measured).
    options = tf.data.Options()
    options.autotune.enabled = False
    return batches.prefetch(2).with_options(options)


def steps_for(count, batch_size):
    return math.ceil(count / batch_size)
