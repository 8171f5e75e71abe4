"""Make images that are not digits, normalized as the apps normalize a photo, for fitting and
measuring the not-a-digit detector.

Writes data/nondigits/{x,kind}_{train,val,test}.npy: x float32 (N, 28, 28) in [0, 1] (what the
model would see), kind the generator of each (letter, sign, word, scribble, shape, smiley,
hatching). The test split is drawn in fonts that train and val never use.
"""
import sys

import numpy as np

from digits import decoding, errors, imaging, params
from digits.files import save_npy
from digits.mnist import to_unit_floats
from digits.paths import NONDIGITS_DIR
from digits.synthetic import nondigits

SPLITS = {"train": ("train", 1), "val": ("train", 2), "test": ("test", 3)}  # fonts, seed offset


def normalized(images):
    """The 28x28 view of each image, as the apps make it; images with no ink are left out."""
    views, kinds = [], []
    for image, kind in images:
        try:
            views.append(imaging.center_ink(np.asarray(image, np.float32) / 255))
        except decoding.NoInk:
            continue
        kinds.append(kind)
    return to_unit_floats(np.stack(views)), np.array(kinds)


def main():
    settings = params.load()
    for split, (fonts, offset) in SPLITS.items():
        rng = np.random.default_rng([settings["seed"], offset])
        x, kinds = normalized(nondigits.make(rng, settings["nondigits"][split], fonts))
        save_npy(NONDIGITS_DIR / f"x_{split}.npy", x)
        save_npy(NONDIGITS_DIR / f"kind_{split}.npy", kinds)
        print(f"{split}: {len(x):,} non-digit images", file=sys.stderr)


if __name__ == "__main__":
    errors.run(main)
