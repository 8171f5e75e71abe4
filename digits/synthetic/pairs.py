"""Two MNIST digits pushed together until their strokes touch, fitted into the 28x28 field as the
reader fits a place of ink: what the two-digit detector learns a touching pair looks like.

    images = touching(x_train, rng, 16000)   # float32 (16000, 28, 28) in [0, 1]
"""
import numpy as np

from digits import imaging

INK = 0.5         # a pixel at least this dark is a stroke that the other digit may not cross
PUSH = 3          # once touching, the second digit moves up to 2 px further in
_UNIT_INK = imaging.Ink(None, None, 1.0, 0.0, 0.0)  # ink already in [0, 1], no noise


def touching(images, rng, count):
    """`count` pairs of random digits from `images` (MNIST's 28x28, in [0, 1]), the second
    moved left until it touches the first, at a random height: float32 (count, 28, 28)."""
    chosen = rng.integers(0, len(images), (count, 2))
    return np.stack([_pair(images[first], images[second], rng)
                     for first, second in chosen]).astype(np.float32) / 255


def _pair(first, second, rng):
    first, second = _cut(first), _cut(second)
    height = max(first.shape[0], second.shape[0]) + 4
    canvas = np.zeros((height, first.shape[1] + second.shape[1]), np.float32)
    top_first = rng.integers(0, height - first.shape[0] + 1)
    top_second = rng.integers(0, height - second.shape[0] + 1)
    canvas[top_first:top_first + first.shape[0], :first.shape[1]] = first
    rows = slice(top_second, top_second + second.shape[0])
    x = first.shape[1]
    while x > 0 and not (canvas[rows, x:x + second.shape[1]] >= INK)[
            second[:, :canvas.shape[1] - x] >= INK].any():
        x -= 1
    x = max(0, x - int(rng.integers(0, PUSH)))
    region = canvas[rows, x:x + second.shape[1]]
    np.maximum(region, second[:, :region.shape[1]], out=region)
    return imaging.fit_crop(_cut(canvas), _UNIT_INK)


def _cut(image):
    """The image cut to its ink's box."""
    rows, cols = np.nonzero(image > 0.1)
    return image[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
