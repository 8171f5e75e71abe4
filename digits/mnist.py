"""The four MNIST files: their names, checksums, and a strict reader for their IDX format."""
import gzip
import zlib
from pathlib import Path

import numpy as np

from digits.errors import UserError
from digits.paths import PHOTOGRAPHED_DIR, PREPARED_DIR, RAW_DIR

# sha256 of each gzipped file as originally published (see the data's README).
FILES = {
    "train-images-idx3-ubyte.gz":
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz":
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension
IMAGE_SIDE = 28
CLASSES = 10


def _corrupt(path, problem):
    return UserError(f"{path} is corrupt: {problem}; delete it and run `dvc repro` to fetch "
                      "it again")


def _read_idx(path, magic, dimensions):
    """Return the payload of a gzipped IDX file as an array of the declared shape."""
    try:
        with gzip.open(path, "rb") as source:
            data = source.read()
    except FileNotFoundError:
        raise UserError(f"{path} not found; run `dvc repro` to fetch MNIST") from None
    except (OSError, EOFError, zlib.error) as error:
        raise _corrupt(path, f"not a complete gzip file ({error})") from None
    header_size = 4 + 4 * dimensions
    if len(data) < header_size:
        raise _corrupt(path, f"{len(data)} bytes is shorter than the IDX header")
    found_magic = int.from_bytes(data[:4], "big")
    if found_magic != magic:
        raise _corrupt(path, f"magic number 0x{found_magic:08x}, expected 0x{magic:08x}")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dimensions))
    expected = header_size + int(np.prod(shape))
    if len(data) != expected:
        raise _corrupt(path, f"header promises {shape} but the file has {len(data)} bytes, "
                             f"expected {expected}")
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(shape)


def read_images(path):
    """28x28 uint8 images from a gzipped IDX3 file."""
    images = _read_idx(path, IMAGES_MAGIC, 3)
    if images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise _corrupt(path, f"images are {images.shape[1]}x{images.shape[2]}, expected 28x28")
    return images


def read_labels(path):
    """Digit labels (0-9) from a gzipped IDX1 file."""
    labels = _read_idx(path, LABELS_MAGIC, 1)
    if labels.size and labels.max() >= CLASSES:
        raise _corrupt(path, f"label {labels.max()} is not a digit 0-9")
    return labels


def to_unit_floats(images):
    """uint8 pixels 0-255 to float32 in [0, 1], exactly as every model input is scaled."""
    return images.astype(np.float32) / np.float32(255)


def read_split(prefix, raw_dir=RAW_DIR):
    """Images and labels of 'train' or 't10k', checked to be the same count."""
    images = read_images(Path(raw_dir) / f"{prefix}-images-idx3-ubyte.gz")
    labels = read_labels(Path(raw_dir) / f"{prefix}-labels-idx1-ubyte.gz")
    if len(images) != len(labels):
        raise UserError(f"{raw_dir}: {prefix} has {len(images)} images but {len(labels)} "
                         "labels; delete data/raw and run `dvc repro` to fetch MNIST again")
    return images, labels


def load_prepared(split, prepared_dir=PREPARED_DIR, stage="prepare"):
    """(x, y) of 'train', 'val' or 'test' as written by the prepare stage (or by `stage`, in
    its own folder)."""
    try:
        return (np.load(Path(prepared_dir) / f"x_{split}.npy"),
                np.load(Path(prepared_dir) / f"y_{split}.npy"))
    except FileNotFoundError as error:
        raise UserError(f"{error.filename} not found; run `dvc repro {stage}` first") from None


def load_photographed():
    """(x, y) of the training digits as the reader sees their photos (the photograph stage)."""
    return load_prepared("train", PHOTOGRAPHED_DIR, "photograph")
