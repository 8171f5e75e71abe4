"""Normalization and the train/validation split; then the real prepared arrays."""
import sys

import numpy as np
import pytest

from digits.mnist import to_unit_floats
from stages.prepare import stratified_split
from tests.conftest import ROOT, run


def test_pixels_map_to_unit_floats():
    pixels = np.array([[0, 51, 255]], dtype=np.uint8)
    scaled = to_unit_floats(pixels)
    assert scaled.dtype == np.float32
    assert scaled.tolist() == [[0.0, np.float32(0.2), 1.0]]


@pytest.fixture
def labels():
    rng = np.random.default_rng(0)
    return rng.integers(0, 10, size=5000).astype(np.uint8)


def test_split_sizes_and_no_overlap(labels):
    train, val = stratified_split(labels, 0.2, seed=1)
    assert len(np.intersect1d(train, val)) == 0
    assert sorted(np.concatenate([train, val]).tolist()) == list(range(len(labels)))
    assert abs(len(val) - 0.2 * len(labels)) <= 10  # rounding per class


def test_split_is_stratified(labels):
    train, val = stratified_split(labels, 0.2, seed=1)
    for digit in range(10):
        share = np.sum(labels[val] == digit) / np.sum(labels == digit)
        assert share == pytest.approx(0.2, abs=0.01)


def test_split_is_seeded(labels):
    first, second = stratified_split(labels, 0.2, 7), stratified_split(labels, 0.2, 7)
    other = stratified_split(labels, 0.2, 8)
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert not np.array_equal(first[1], other[1])


def test_split_is_shuffled(labels):
    train, val = stratified_split(labels, 0.2, 3)
    assert not np.all(np.diff(train) > 0) and not np.all(np.diff(val) > 0)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, mnist_dir):
    """Run fetch and prepare as stages, in a scratch folder."""
    workdir = tmp_path_factory.mktemp("prepare")
    (workdir / "params.yaml").write_text((ROOT / "params.yaml").read_text())
    env = {"PYTHONPATH": str(ROOT), "MNIST_MIRROR": str(mnist_dir)}
    for stage in ("fetch", "prepare"):
        run([sys.executable, "-m", f"stages.{stage}"], cwd=workdir, env=env)
    folder = workdir / "data" / "prepared"
    return {name.stem: np.load(name) for name in folder.glob("*.npy")}


def test_prepared_arrays(prepared):
    sizes = {"train": 48000, "val": 12000, "test": 10000}
    for split, size in sizes.items():
        x, y = prepared[f"x_{split}"], prepared[f"y_{split}"]
        assert x.shape == (size, 28, 28) and x.dtype == np.float32
        assert y.shape == (size,) and y.dtype == np.uint8
        assert x.min() == 0.0 and x.max() == 1.0
        assert set(np.unique(y)) == set(range(10))


def test_no_image_is_in_two_splits(prepared):
    def keys(x):
        return {row.tobytes() for row in (x * 255).round().astype(np.uint8).reshape(len(x), -1)}
    train, val, test = (keys(prepared[f"x_{s}"]) for s in ("train", "val", "test"))
    assert not train & val
    # MNIST's test writers differ from its training writers, but a handful of identical
    # images exist across the published sets; the pipeline must add no more than that.
    assert len((train | val) & test) < 10
