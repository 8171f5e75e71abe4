"""Training digits photographed, alone or written as a number, and read back as the reader reads
them: the 28x28 views that the convnet learns photographed digits from, besides MNIST's own.

    x, y = read_back(x_train_uint8, y_train, np.random.default_rng(1), 1000)

Photos of one digit take photos.py's kinds in turn; numbers of 2-4 digits are written as in
numbers.py. A photo is kept only if the reader finds as many places as digits were written (so
each view has its digit's label): then each place, read whole, is the view of its digit.
"""
import io

import numpy as np

from digits import decoding, layout
from digits.mnist import IMAGE_SIDE
from digits.synthetic import numbers, photos

LENGTHS = (1, 2, 3, 4)  # digits per photo, taken in turn


def read_back(images, labels, rng, count):
    """`count` photos of digits drawn from images/labels (MNIST's uint8 28x28 and their labels),
    each read back: (float32 views N x 28 x 28 in [0, 1], uint8 labels N)."""
    views, digits = [], []
    for number in range(count):
        length = LENGTHS[number % len(LENGTHS)]
        chosen = rng.choice(len(images), length, replace=False)
        if length == 1:
            kind = photos.KINDS[number // len(LENGTHS) % len(photos.KINDS)]
            image = photos.photo(images[chosen[0]], rng, kind)
        else:
            image, _ = numbers.number_photo(images[chosen], rng)
        try:
            seen = layout.whole_places(_as_the_apps_decode(image))
        except decoding.NoInk:  # a digit too faint to photograph
            continue
        if len(seen) == length:
            views += seen
            digits += [labels[index] for index in chosen]
    views = np.array(views, np.float32).reshape(-1, IMAGE_SIDE, IMAGE_SIDE)
    return views, np.array(digits, np.uint8)


def _as_the_apps_decode(image):
    """The image as predict and the page's server decode an upload of it."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return decoding.read_upright(buffer.getvalue(), layout.READING_SIDE)[0]
