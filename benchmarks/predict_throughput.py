"""Time digits-predict as a user runs it: whole process, cold, then on a big folder.

    python benchmarks/predict_throughput.py [--images 10000] [--runs 5]

Needs models/cnn/model.tflite (`dvc repro`) and the MNIST test set in data/prepared/. Writes
the first N test digits as small dark-on-white PNGs in a scratch folder, then prints: the median
time to identify one image (whole process), whether TensorFlow, Keras or matplotlib were
imported, the images per second on the folder, and the accuracy there.
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("tensorflow", "keras", "matplotlib")


def predict(*args):
    """Run predict from the project root; (seconds, stdout, stderr)."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode not in (0, 1):
        sys.exit(f"predict failed:\n{result.stderr[-2000:]}")
    return seconds, result.stdout, result.stderr


def write_pngs(folder, count):
    """The first `count` test digits as dark ink on white paper, 28x28 PNGs; their labels."""
    images = np.load(ROOT / "data/prepared/x_test.npy", mmap_mode="r")[:count]
    for index, image in enumerate(images):
        paper = 255 - np.round(image * 255).astype(np.uint8)
        Image.fromarray(paper).save(folder / f"{index:05d}.png")
    return np.load(ROOT / "data/prepared/y_test.npy")[:count]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="predict-throughput-") as scratch:
        folder = Path(scratch)
        labels = write_pngs(folder, args.images)
        one = str(folder / "00000.png")
        predict("-m", "digits.apps.predict", one)  # warm the disk cache, as a second run would be
        cold = [predict("-m", "digits.apps.predict", one)[0] for _ in range(args.runs)]
        _, _, imports = predict("-X", "importtime", "-m", "digits.apps.predict", one)
        heavy = sorted({line.split("|")[-1].strip().split(".")[0] for line in imports.splitlines()
                        if line.startswith("import time")} & set(HEAVY))
        seconds, output, _ = predict("-m", "digits.apps.predict", str(folder), "--json")
        results = json.loads(output)
    digits = np.array([result.get("digit", -1) for result in results])
    print(f"one image, whole process: median {statistics.median(cold):.3f} s over {args.runs} "
          f"runs (min {min(cold):.3f} s)")
    print(f"heavy modules imported: {', '.join(heavy) or 'none'}")
    print(f"{len(results):,} PNGs: {seconds:.1f} s, {len(results) / seconds:,.0f} images/s "
          "(whole process)")
    print(f"accuracy on them: {np.mean(digits == labels):.4f}")


if __name__ == "__main__":
    main()
