"""Measure digits.reading on generated photos made from MNIST's TEST digits (no model saw them).

    python benchmarks/reading.py [--model FILE] [--mnist DIR] [--count 1.0] [--seed 12]

Sets (digits.synthetic): numbers of 2-6 separate digits, touching pairs, one-digit photos
(read both by today's one-digit path, imaging.digit, and by read_number), page photos,
non-digits (refused: no number, or only places not sure), numbers of 3-5 digits whose first
two touch (last, so the sets before it stay as they were). Each
image goes through the apps' decoding (PNG bytes -> read_file). An answer is "right" (the
whole string), "not sure" (right length, a ? where it is wrong or unsure, right elsewhere),
"wrong with ?" or "wrong" (no ? at all: the reader was sure and wrong); for one-digit photos,
how many are answered (a digit, not refused) and how many of those are right; and how often the
likeliest digit of every place is right, sure or not, which for one-digit photos compares
with today's path. Then the time of one
four-digit photo read by a whole, cold process (`python -m digits.reading`), best of 5.
"""
import argparse
import collections
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digits import decision, decoding, imaging, reading  # noqa: E402
from digits.litert import Classifier  # noqa: E402
from digits.mnist import read_split  # noqa: E402
from digits.paths import app_model_file  # noqa: E402
from digits.synthetic import nondigits, numbers, pages, photos  # noqa: E402

OUTCOMES = ("right", "not sure", "wrong with ?", "wrong")


def outcome(truth, got):
    if got == truth:
        return "right"
    if got and "?" in got:
        honest = len(got) == len(truth) and all(g in (t, "?") for g, t in zip(got, truth))
        return "not sure" if honest else "wrong with ?"
    return "wrong"


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def read(data, model):
    """(the number read, or why not; the likeliest digit of each place, sure or not)."""
    try:
        result = reading.read_file(data, model)
    except decoding.NoInk:
        return "blank", "blank"
    likeliest = "".join(str(decision.likeliest(place)) for place in result["places"])
    return result["number"] or "not a number", likeliest


def measure(name, samples, model, today=False):
    counts = collections.defaultdict(collections.Counter)
    for sample in samples:
        data, truth = png(sample.image), str(sample.label)
        number, likeliest = read(data, model)
        digit = int(model.probabilities(imaging.digit(data)[None])[0].argmax()) if today else 0
        for kind in (sample.kind, "all"):
            counts[kind][outcome(truth, number)] += 1
            counts[kind]["likeliest right"] += likeliest == truth
            counts[kind]["today right"] += digit == sample.label
            counts[kind]["answered"] += number.isdigit()  # no ?, not refused
            counts[kind]["answered right"] += number == truth
    print(f"\n{name}")
    for kind, count in sorted(counts.items(), key=lambda item: item[0] != "all"):
        total = sum(count[o] for o in OUTCOMES)
        shares = "  ".join(f"{o} {count[o] / total:6.1%}" for o in OUTCOMES)
        extra = f"  | likeliest digits right {count['likeliest right'] / total:6.1%}"
        if today:
            extra += (f", today's path (likeliest) {count['today right'] / total:6.1%}"
                      f" | answered {count['answered'] / total:6.1%}, of those right "
                      f"{count['answered right'] / max(count['answered'], 1):6.2%}"
                      f" ({count['answered right']}/{count['answered']})")
        print(f"  {kind:22s} n={total:4d}  {shares}{extra}")


def refusals(images, model):
    """How many non-digit images (digits.synthetic.nondigits, the test fonts and seeds) read as
    no number at all, or only as places not sure (refused, both), by kind: a sign read as "??"
    is refused, but less plainly than "not a number"."""
    counts = collections.defaultdict(collections.Counter)
    for image, kind in images:
        number, _ = read(png(image), model)
        plainly = number in ("blank", "not a number")
        for key in (kind, "all"):
            counts[key]["refused"] += plainly or set(number) == {"?"}
            counts[key]["not a number"] += plainly
            counts[key]["total"] += 1
    print("\nnon-digits")
    for kind, count in sorted(counts.items(), key=lambda item: item[0] != "all"):
        total = count["total"]
        print(f"  {kind:22s} n={total:4d}  refused {count['refused'] / total:6.1%}  (not a "
              f"number {count['not a number'] / total:6.1%}, only places not sure "
              f"{(count['refused'] - count['not a number']) / total:6.1%})")


def per_digit(samples, model):
    """How far the numbers are from exact because of the model rather than the segmentation:
    each digit cut at its true box and read by today's one-digit path (argmax)."""
    images, truths = [], []
    for sample in samples:
        gray = np.asarray(sample.image.convert("L"), np.float32) / 255
        for (left, top, right, bottom), digit in zip(sample.boxes, sample.label):
            margin = (bottom - top) // 6
            crop = gray[max(top - margin, 0):bottom + margin, max(left - margin, 0):right + margin]
            images.append(imaging.digit(png(Image.fromarray(np.uint8(crop * 255)))))
            truths.append(int(digit))
    found = model.probabilities(np.stack(images)).argmax(axis=1)
    print(f"  each digit cut at its true box, today's path: {np.mean(found == truths):.1%} "
          f"of {len(truths)} digits right")


def cold_time(model_path, images, labels):
    """Seconds for a whole `python -m digits.reading` process on one four-digit photo."""
    sample = numbers.numbers(images, labels, np.random.default_rng(4), 3, lengths=(4,))[0]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "number.png"
        sample.image.save(path)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "digits.reading", str(path), "--model",
                            str(model_path)], cwd=ROOT, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
    return min(times), sample.label


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=app_model_file())
    parser.add_argument("--mnist", type=Path, default=Path(os.environ.get(
        "MNIST_MIRROR", ROOT / "data" / "raw")), help="folder of MNIST's four .gz files")
    parser.add_argument("--count", type=float, default=1.0, help="scale of the sets")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    images, labels = read_split("t10k", args.mnist)
    model = Classifier(args.model)
    rng = np.random.default_rng(args.seed)
    size = {"numbers": 500, "pairs": 300, "photos": 1000, "pages": 400, "nondigits": 1000,
            "touching numbers": 400}
    size = {key: max(10, round(value * args.count)) for key, value in size.items()}
    samples = numbers.numbers(images, labels, rng, size["numbers"])
    measure("numbers of 2-6 separate digits", samples, model)
    per_digit(samples, model)
    measure("touching pairs", numbers.touching_pairs(images, labels, rng, size["pairs"]), model)
    measure("one-digit photos", photos.photos(images, labels, rng, size["photos"]), model,
            today=True)
    measure("page photos", pages.pages(images, labels, rng, size["pages"]), model)
    refusals(nondigits.make(rng, size["nondigits"], "test"), model)
    measure("numbers of 3-5 digits, the first two touching", numbers.touching_pairs(
        images, labels, rng, size["touching numbers"], lengths=(3, 4, 5)), model)
    seconds, label = cold_time(args.model, images, labels)
    print(f"\none four-digit photo ({label}), whole cold process: {seconds:.2f} s (best of 5)")


if __name__ == "__main__":
    main()
