"""Parse the raw IDX files, scale pixels to [0, 1] and split off a stratified validation set.

Writes data/prepared/{x,y}_{train,val,test}.npy: x as float32 (N, 28, 28), y as uint8 (N,).
"""
import sys

import numpy as np

from digits import errors, params
from digits.files import save_npy
from digits.mnist import CLASSES, read_split, to_unit_floats
from digits.paths import PREPARED_DIR


def stratified_split(labels, val_fraction, seed):
    """Shuffled (train, val) index arrays; each digit keeps its share in both."""
    rng = np.random.default_rng(seed)
    val_parts = []
    for digit in range(CLASSES):
        members = rng.permutation(np.flatnonzero(labels == digit))
        val_parts.append(members[:round(len(members) * val_fraction)])
    val = np.concatenate(val_parts)
    train = np.setdiff1d(np.arange(len(labels)), val)
    return rng.permutation(train), rng.permutation(val)


def main():
    settings = params.load()
    train_images, train_labels = read_split("train")
    test_images, test_labels = read_split("t10k")
    train_idx, val_idx = stratified_split(train_labels, settings["prepare"]["val_fraction"],
                                          settings["seed"])
    arrays = {
        "train": (train_images[train_idx], train_labels[train_idx]),
        "val": (train_images[val_idx], train_labels[val_idx]),
        "test": (test_images, test_labels),
    }
    for split, (images, labels) in arrays.items():
        save_npy(PREPARED_DIR / f"x_{split}.npy", to_unit_floats(images))
        save_npy(PREPARED_DIR / f"y_{split}.npy", labels)
        print(f"{split}: {len(labels):,} images", file=sys.stderr)


if __name__ == "__main__":
    errors.run(main)
