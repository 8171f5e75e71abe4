"""The generators of test images: deterministic, of the promised sizes and kinds, with the ink
where it should be."""
import numpy as np
import pytest

from digits.imaging import center_ink
from digits.mnist import read_split, to_unit_floats
from digits.synthetic import numbers, pages, pairs, paper, photos, strokes


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


def ink_of(sample, level=60):
    """Where the photo is clearly darker than its paper."""
    pixels = gray(sample.image)
    return pixels < np.median(pixels) - level


def test_numbers_have_one_box_per_digit_left_to_right_apart(mnist_test):
    samples = numbers.numbers(*mnist_test, np.random.default_rng(2), 10)
    assert [s.kind for s in samples[:5]] == [f"{n} digits" for n in range(2, 7)]
    for sample in samples:
        assert len(sample.boxes) == len(sample.label) and sample.label.isdigit()
        for (_, _, right, _), (left, _, _, _) in zip(sample.boxes, sample.boxes[1:]):
            assert right <= left  # separate digits: their boxes do not overlap
        width, height = sample.image.size
        assert all(0 <= b[0] < b[2] <= width and 0 <= b[1] < b[3] <= height
                   for b in sample.boxes)
        ink = ink_of(sample)
        inside = sum(ink[top:bottom, left:right].sum()
                     for left, top, right, bottom in sample.boxes)
        assert inside >= 0.9 * ink.sum()


def test_touching_pairs_touch(mnist_test):
    """Between the two boxes' centres there is no column free of ink: the digits touch."""
    samples = numbers.touching_pairs(*mnist_test, np.random.default_rng(3), 10)
    longer = numbers.touching_pairs(*mnist_test, np.random.default_rng(3), 6, lengths=(3, 4))
    assert {s.kind for s in samples} == set(numbers.TOUCHING)
    assert [len(s.label) for s in longer] == [3, 4] * 3
    for sample in samples + longer:
        (l1, t1, r1, b1), (l2, t2, r2, b2) = sample.boxes[:2]
        ink = ink_of(sample, 40)[min(t1, t2):max(b1, b2), (l1 + r1) // 2:(l2 + r2) // 2]
        assert ink.any(axis=0).all(), sample.kind


def test_pairs_for_the_two_digit_detector_touch_in_the_28x28_field(mnist_test):
    """No column free of ink from the first digit's left to the second's right, in MNIST's
    20x20 box; the same pairs for the same seed."""
    digits = to_unit_floats(mnist_test[0][:100])
    made = pairs.touching(digits, np.random.default_rng(4), 100)
    assert made.shape == (100, 28, 28) and made.dtype == np.float32
    assert np.array_equal(made, pairs.touching(digits, np.random.default_rng(4), 100))
    wider = 0
    for image in made:
        rows, cols = np.nonzero(image > 0.05)
        assert (image > 0.05).any(axis=0)[cols.min():cols.max() + 1].all()
        assert max(np.ptp(rows), np.ptp(cols)) + 1 in (20, 21)  # fitted as the reader fits ink
        wider += np.ptp(cols) > np.ptp(rows)
    assert wider >= 50  # side by side, though two 1s overlap into one narrow stroke


def test_pages_of_every_kind(mnist_test):
    images, labels = mnist_test
    samples = pages.pages(images, labels, np.random.default_rng(4), 2 * len(pages.KINDS))
    assert sorted({s.kind for s in samples}) == sorted(pages.KINDS)
    for sample in samples:
        assert 1 <= len(sample.label) == len(sample.boxes) <= 4
        if sample.kind in ("European 1", "crossed 7"):
            assert sample.kind[-1] in sample.label
        if sample.kind == "fine pen":
            assert min(sample.image.size) >= 600
            assert strokes.stroke_width(ink_of(sample, 30).astype(np.float32)) < 3.5


def test_a_number_too_wide_for_its_page_is_shrunk_to_fit(mnist_test):
    """Seed 15's first table-edge page wrote "0802" past the photo's right edge: the label named
    a digit cut off."""
    [sample] = pages.pages(*mnist_test, np.random.default_rng(15), 1, kinds=("table edge",))
    width, height = sample.image.size
    assert len(sample.boxes) == 4
    for left, top, right, bottom in sample.boxes:
        assert 0 <= left < right <= width and 0 <= top < bottom <= height


def test_a_flag_and_a_bar_add_ink_where_expected(mnist_test):
    images, labels = mnist_test
    one = paper.restroke(images[np.nonzero(labels == 1)[0][0]])
    seven = paper.restroke(images[np.nonzero(labels == 7)[0][0]])
    flagged = strokes.flagged_one(one, np.random.default_rng(0))
    crossed = strokes.crossed_seven(seven, np.random.default_rng(0))
    added_flag = (flagged >= 0.4) & (one < 0.4)
    added_bar = (crossed >= 0.4) & (seven < 0.4)
    rows, cols = np.nonzero(one >= 0.4)
    flag_rows, flag_cols = np.nonzero(added_flag)
    assert flag_cols.mean() < cols.mean() and flag_rows.mean() < rows.mean()  # up, to the left
    rows, _ = np.nonzero(seven >= 0.4)
    bar_rows, _ = np.nonzero(added_bar)
    assert added_bar.sum() > 30 and abs(bar_rows.mean() - rows.mean()) < 0.25 * np.ptp(rows)


@pytest.mark.parametrize("digit, add", [(1, strokes.flagged_one), (7, strokes.crossed_seven)])
def test_a_flag_and_a_bar_are_drawn_with_the_digits_own_pen(mnist_test, digit, add):
    """They were hard-edged bars of full ink, wider than the stem, that read as a 7's bar."""
    images, labels = mnist_test
    for index in np.nonzero(labels == digit)[0][:5]:
        glyph = paper.restroke(images[index])
        drawn = add(glyph, np.random.default_rng(0))
        added = (drawn >= 0.4) & (glyph < 0.4)
        assert abs(drawn[added].mean() - glyph[glyph >= 0.4].mean()) < 0.1
        touched = drawn - glyph > 0.1
        soft = touched & (drawn < 0.9)
        assert soft.sum() > 0.3 * touched.sum()


def test_skeleton_is_one_pixel_wide():
    mask = np.zeros((40, 210), bool)
    mask[15:24, 5:205] = True  # a bar 9 px thick
    lines = strokes.skeleton(mask)
    assert lines[:, 10:200].sum(axis=0).max() == 1 and 185 <= lines.sum() <= 200
    assert 8 <= strokes.stroke_width(mask.astype(np.float32)) <= 10


def test_training_digits_read_back_carry_their_labels(mnist_test, tflite_model):
    """Every photo's views are its digits, in order: the app's model reads nearly all of them
    as their labels (shuffled labels would agree about one time in ten)."""
    from digits.litert import Classifier
    from digits.synthetic import photographed

    x, y = photographed.read_back(*mnist_test, np.random.default_rng(8), 40)
    assert x.dtype == np.float32 and x.shape == (len(y), 28, 28) and 0 <= x.min() < x.max() <= 1
    assert len(y) >= 0.9 * 40 * np.mean(photographed.LENGTHS)  # few photos are left out
    probabilities = Classifier(tflite_model).outputs(x)[0]
    assert np.mean(probabilities.argmax(axis=1) == y) >= 0.95
    again = photographed.read_back(*mnist_test, np.random.default_rng(8), 40)
    assert np.array_equal(again[0], x) and np.array_equal(again[1], y)
