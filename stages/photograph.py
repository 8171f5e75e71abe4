"""Photograph training digits, alone or 2-4 in a number, and read them back as the reader does:
with photograph.photos > 0 (0 by default), the convnet trains on these views besides MNIST's own
(cnn.photographed), so that it knows digits as photos of paper show them. Validation and test
digits are never photographed here.

Writes data/photographed/x_train.npy (float32 N x 28 x 28 in [0, 1]) and y_train.npy (uint8).
Photos are made in chunks on every CPU; each chunk has its own seed, so the result is the same
on any number of CPUs.
"""
import multiprocessing
import sys

import numpy as np

from digits import cpus, errors, params
from digits.files import save_npy
from digits.mnist import IMAGE_SIDE, load_prepared
from digits.paths import PHOTOGRAPHED_DIR

CHUNK = 250  # photos per task

_digits = None  # each worker's training digits, uint8 as MNIST made them


def _start_worker(digits):
    errors.in_worker()
    global _digits
    _digits = digits


def _read_back(task):
    from digits.synthetic import photographed

    seed, index, count = task
    return photographed.read_back(*_digits, np.random.default_rng([seed, index]), count)


def main():
    settings = params.load()
    total, seed = settings["photograph"]["photos"], settings["seed"]
    tasks = [(seed, start // CHUNK, min(CHUNK, total - start)) for start in range(0, total, CHUNK)]
    views, labels = [np.zeros((0, IMAGE_SIDE, IMAGE_SIDE), np.float32)], [np.zeros(0, np.uint8)]
    if tasks:  # photograph.photos 0: empty arrays, and the convnet learns from MNIST alone
        # Loaded here, once: a missing file is one line here, not a failure in every worker
        # (the pool would start new ones for ever).
        x, y = load_prepared("train")
        digits = (np.round(x * 255).astype(np.uint8), y)
        with multiprocessing.Pool(cpus.usable(), _start_worker, (digits,)) as pool:
            for done, (x, y) in enumerate(pool.imap(_read_back, tasks), 1):
                views.append(x)
                labels.append(y)
                print(f"\rphotographed {min(done * CHUNK, total):,} of {total:,}", end="",
                      file=sys.stderr, flush=True)
        print(file=sys.stderr)
    x, y = np.concatenate(views), np.concatenate(labels)
    save_npy(PHOTOGRAPHED_DIR / "x_train.npy", x)
    save_npy(PHOTOGRAPHED_DIR / "y_train.npy", y)
    print(f"{len(y):,} digits read back from {total:,} photos", file=sys.stderr)


if __name__ == "__main__":
    errors.run(main)
