"""The IDX reader: valid files parse; corrupt ones are refused with a message naming them."""
import gzip

import numpy as np
import pytest

from digits.errors import UserError
from digits.mnist import FILES, read_images, read_labels, read_split


def write_idx(path, magic, dims, payload, compress=True):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)
    data = header + bytes(payload)
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def test_valid_images_and_labels(tmp_path):
    pixels = np.arange(2 * 28 * 28, dtype=np.uint32) % 256
    images = read_images(write_idx(tmp_path / "i.gz", 0x803, (2, 28, 28), pixels.astype(np.uint8)))
    labels = read_labels(write_idx(tmp_path / "l.gz", 0x801, (2,), [3, 9]))
    assert images.shape == (2, 28, 28) and images.dtype == np.uint8
    assert images[1, 0, 0] == (28 * 28) % 256
    assert labels.tolist() == [3, 9]


@pytest.mark.parametrize("magic, dims, size, problem", [
    (0x801, (2, 28, 28), 2 * 784, "magic number 0x00000801, expected 0x00000803"),
    (0x803, (2, 28, 28), 784, "header promises (2, 28, 28)"),
    (0x803, (2, 28, 28), 3 * 784, "header promises (2, 28, 28)"),
    (0x803, (1, 27, 27), 27 * 27, "images are 27x27"),
])
def test_corrupt_images_are_refused(tmp_path, magic, dims, size, problem):
    path = write_idx(tmp_path / "bad.gz", magic, dims, bytes(size))
    with pytest.raises(UserError, match="bad.gz is corrupt") as error:
        read_images(path)
    assert problem in str(error.value)
    assert "\n" not in str(error.value)


def test_truncated_gzip_is_refused(tmp_path):
    good = write_idx(tmp_path / "good.gz", 0x803, (2, 28, 28), bytes(2 * 784))
    truncated = tmp_path / "truncated.gz"
    truncated.write_bytes(good.read_bytes()[:-20])
    with pytest.raises(UserError, match="truncated.gz is corrupt: not a complete gzip file"):
        read_images(truncated)


def test_header_shorter_than_declared(tmp_path):
    path = tmp_path / "short.gz"
    path.write_bytes(gzip.compress(b"\x00\x00\x08"))
    with pytest.raises(UserError, match="shorter than the IDX header"):
        read_labels(path)


def test_label_out_of_range(tmp_path):
    with pytest.raises(UserError, match="label 12 is not a digit"):
        read_labels(write_idx(tmp_path / "l.gz", 0x801, (2,), [1, 12]))


def test_count_mismatch_between_images_and_labels(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", 0x803, (3, 28, 28), bytes(3 * 784))
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", 0x801, (2,), [1, 2])
    with pytest.raises(UserError, match="3 images but 2 labels"):
        read_split("train", tmp_path)


def test_missing_file_says_how_to_get_it(tmp_path):
    with pytest.raises(UserError, match="not found; run `dvc repro`"):
        read_images(tmp_path / "absent.gz")


def test_real_mnist_parses(mnist_dir):
    images, labels = read_split("t10k", mnist_dir)
    assert images.shape == (10000, 28, 28) and labels.shape == (10000,)
    assert set(np.unique(labels)) == set(range(10))
    assert images.max() == 255 and images.min() == 0
    assert set(FILES) == {p.name for p in mnist_dir.glob("*.gz")}
