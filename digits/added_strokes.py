"""Strokes that many writers add and MNIST's writers hardly ever drew - the flag of a European 1,
a bar through a 7 - drawn onto a batch of training digits (N x 28 x 28, in [0, 1]), each as
wide as the digit's own stroke."""
import math

from digits.mnist import IMAGE_SIDE
from digits.quiet_tensorflow import tf

PIXELS = tf.range(IMAGE_SIDE, dtype=tf.float32)


def _segment_ink(start_x, start_y, end_x, end_y, width):
    """Per image, an anti-aliased straight stroke `width` pixels wide between two points."""
    px, py = PIXELS[None, None, :], PIXELS[None, :, None]
    start_x, start_y, end_x, end_y, width = (v[:, None, None]
                                             for v in (start_x, start_y, end_x, end_y, width))
    dx, dy = end_x - start_x, end_y - start_y
    along = tf.clip_by_value(((px - start_x) * dx + (py - start_y) * dy)
                             / tf.maximum(dx * dx + dy * dy, 1e-6), 0, 1)
    distance = tf.sqrt((px - start_x - along * dx) ** 2 + (py - start_y - along * dy) ** 2)
    return tf.clip_by_value(width / 2 + 0.5 - distance, 0, 1)


def _extent(inked):
    """Per image, the first and last index where `inked` (N x 28 booleans) is True."""
    return (tf.reduce_min(tf.where(inked, PIXELS, IMAGE_SIDE), axis=1),
            tf.reduce_max(tf.where(inked, PIXELS, 0), axis=1))


def _ink_rows(images):
    """Per image: the inked pixels, which rows hold ink, and the first and last of them."""
    ink = images >= 0.4
    inked_rows = tf.reduce_any(ink, axis=2)
    return (ink, inked_rows, *_extent(inked_rows))


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


def flags(images, labels, draws, share):
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


def crossed_sevens(images, labels, draws, share):
    """A share of the 7s with a bar through the stem, as many Europeans write them: at 40-60%
    of the digit's height, reaching 17-33% of its width to each side, tilted by up to 7
    degrees, as wide as the stem is across there give or take 15%. MNIST's writers hardly
    ever drew it, and the model read a crossed 7 as 9."""
    ink, _, top, bottom = _ink_rows(images)
    row = tf.round(top + (bottom - top) * (0.5 + 0.1 * draws[:, 1]))
    stem_x, stem_ink = _mean_x(ink, row - 1, row + 1)
    left, right = _extent(tf.reduce_any(ink, axis=1))
    half = (right - left) * (0.25 + 0.08 * draws[:, 2])
    rise = half * math.tan(math.radians(7)) * draws[:, 3]
    bar = _segment_ink(stem_x - half, row + 0.5 + rise, stem_x + half, row + 0.5 - rise,
                       _pen(stem_ink / 3, draws[:, 4]))
    chosen = (labels == 7) & (draws[:, 0] < -1 + 2 * share) & (stem_ink > 0)
    return tf.where(chosen[:, None, None], tf.maximum(images, bar), images)
