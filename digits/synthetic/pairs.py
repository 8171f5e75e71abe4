"""Two MNIST digits pushed together until their strokes touch, fitted into the 28x28 field as the
reader fits a place of ink: what the two-digit detector learns a touching pair looks like.

    images = touching(x_train, rng, 16000)   # float32 (16000, 28, 28) in [0, 1]
"""
import numpy as np

from digits import imaging
from digits.synthetic.paper import crop_to_ink, place, touching_left

INK = 0.1         # MNIST's faintest edges count as the digits' ink when cutting them out
PUSH = 2          # once touching, the second digit moves up to 2 px further in
_UNIT_INK = imaging.Ink(None, None, 1.0, 0.0, 0.0)  # ink already in [0, 1], no noise


def touching(images, rng, count):
    """`count` pairs of random digits from `images` (MNIST's 28x28, in [0, 1]), the second
    moved left until it touches the first, at a random height: float32 (count, 28, 28)."""
    chosen = rng.integers(0, len(images), (count, 2))
    return np.stack([_pair(images[first], images[second], rng)
                     for first, second in chosen]).astype(np.float32) / 255


def _pair(first, second, rng):
    first, second = (crop_to_ink(digit, margin=0, level=INK) for digit in (first, second))
    height = max(first.shape[0], second.shape[0]) + 4
    coverage = np.zeros((height, first.shape[1] + second.shape[1]), np.float32)
    place(coverage, first, 0, int(rng.integers(0, height - first.shape[0] + 1)))
    top = int(rng.integers(0, height - second.shape[0] + 1))
    push = int(rng.integers(0, PUSH + 1))
    left = touching_left(coverage, second, first.shape[1], top, 0, push)
    place(coverage, second, max(left or 0, 0), top)  # None: they never touch, so overlap
    return imaging.fit_crop(crop_to_ink(coverage, margin=0, level=INK), _UNIT_INK)
