"""The training input pipeline: shuffled, one-hot batches, optionally augmented, all in memory.

Augmentation lives here, never in the saved model: each training image gets its own random
stroke width (thicker or thinner for some), rotation, zoom and shift, drawn from a seed and the
batch number, so runs repeat exactly; a share of the 1s may get the flag of a European 1, and
a share of the 7s a bar through the stem (digits/added_strokes.py).
"""
import math

import numpy as np

from digits.added_strokes import crossed_sevens, flags
from digits.mnist import CLASSES, IMAGE_SIDE
from digits.quiet_tensorflow import tf


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


def augment_batch(images, labels, seed, step, augment):
    """A batch of images (N x 28 x 28) with their int labels, augmented by the `augment` knobs."""
    key = tf.stack([tf.cast(seed, tf.int64), step])
    count = tf.shape(images)[0]
    if augment["flagged_ones"]:
        # Their own draws, so that the other augmentations stay as they are without flags.
        flag_draws = tf.random.stateless_uniform([count, 4], seed=key + [1, 0], minval=-1,
                                                 maxval=1)
        images = flags(images, labels, flag_draws, augment["flagged_ones"])
    if augment["crossed_sevens"]:
        bar_draws = tf.random.stateless_uniform([count, 5], seed=key + [2, 0], minval=-1,
                                                maxval=1)
        images = crossed_sevens(images, labels, bar_draws, augment["crossed_sevens"])
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
