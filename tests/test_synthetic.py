"""The generators of test images: deterministic, of the promised sizes and kinds, with the ink
where it should be."""
import numpy as np
import pytest

from digits.imaging import center_ink
from digits.mnist import read_split
from digits.synthetic import photos


@pytest.fixture(scope="module")
def mnist_test(mnist_dir):
    return read_split("t10k", mnist_dir)


def gray(image):
    return np.asarray(image.convert("L"), np.float32)


def test_photos_are_the_same_for_the_same_seed(mnist_test):
    first = photos.photos(*mnist_test, np.random.default_rng(5), 10)
    again = photos.photos(*mnist_test, np.random.default_rng(5), 10)
    other = photos.photos(*mnist_test, np.random.default_rng(6), 10)
    assert [(s.label, s.kind) for s in first] == [(s.label, s.kind) for s in again]
    assert all(np.array_equal(gray(a.image), gray(b.image)) for a, b in zip(first, again))
    assert not all(a.image.size == b.image.size for a, b in zip(first, other))


def test_photos_cover_every_kind_at_the_promised_sizes(mnist_test):
    samples = photos.photos(*mnist_test, np.random.default_rng(1), 2 * len(photos.KINDS))
    assert sorted({s.kind for s in samples}) == sorted(photos.KINDS)
    for sample in samples:
        assert 100 <= max(sample.image.size) <= 1000 and min(sample.image.size) >= 75
        assert sample.image.mode == "RGB"


def likeness(a, b):
    return np.corrcoef(a.ravel().astype(float), b.ravel().astype(float))[0, 1]


@pytest.mark.parametrize("kind", photos.KINDS)
def test_a_photo_shows_its_digit_in_its_box(mnist_test, kind):
    """The darkest pixels are in the digit's box; normalized as the apps do, what is in the box
    looks like the MNIST digit it was made from, more than like the other digits."""
    images, labels = mnist_test
    samples = photos.photos(images[:4], labels[:4], np.random.default_rng(3), 4, kinds=(kind,))
    for sample in samples:
        pixels = gray(sample.image)
        (left, top, right, bottom), = sample.boxes
        darkest = pixels <= np.percentile(pixels, 0.2)
        assert darkest[top:bottom, left:right].sum() >= 0.95 * darkest.sum()
        index = next(i for i in range(4) if labels[i] == sample.label)
        seen = center_ink(pixels[top:bottom, left:right] / 255)
        alike = [likeness(seen, center_ink(255 - images[other])) for other in range(4)]
        assert alike[index] > 0.6 and int(np.argmax(alike)) == index, (index, alike)


def test_a_thick_marker_leaves_more_ink_than_a_thin_pen(mnist_test):
    images, _ = mnist_test
    covered = {}
    for kind in ("thin pen", "thick marker"):
        pixels = gray(photos.photo(images[1], np.random.default_rng(0), kind))
        covered[kind] = (pixels < np.median(pixels) - 60).mean()
    assert covered["thick marker"] > 2 * covered["thin pen"], covered


def test_an_unknown_kind_is_refused(mnist_test):
    with pytest.raises(ValueError, match="unknown kind"):
        photos.photo(mnist_test[0][0], np.random.default_rng(0), "crayon")
