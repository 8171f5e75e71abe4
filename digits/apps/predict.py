"""Read the handwritten digit, or number, in image files with an exported model; TensorFlow is
never loaded.

    digits-predict IMAGE [IMAGE | FOLDER ...] [--json] [--save-normalized DIR] [--model FILE]
                   [--jobs N]

One line per file: the digit, its confidence and the next two candidates; or the number with
each digit's confidence; or "not sure" / "not a digit". A file that cannot be read gets one error
line and the others go on. Exit status: 0 if every input was read, 1 if any failed, 2 for a
usage error.
"""
import argparse
import functools
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from digits import answering, budget, decoding, errors, reading
from digits.apps import parallel
from digits.apps.arguments import whole_number
from digits.files import atomic_path
from digits.litert import Classifier
from digits.paths import app_model_file
from digits.quiet import stderr_discarded

DECODE_LIMIT = 640 * 2**20  # bytes one decode (all of them at once, with --jobs) may take
                            # (budget.py): a 50-megapixel RGBA PNG fits
SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="digits-predict",
                                     description="Identify the handwritten digit in each image.")
    parser.add_argument("inputs", nargs="+", metavar="IMAGE | FOLDER",
                        help="an image file, or a folder: every image directly inside it")
    parser.add_argument("--json", action="store_true",
                        help="print a JSON list, one object per image, with all 10 probabilities")
    parser.add_argument("--save-normalized", metavar="DIR", type=Path,
                        help="write each 28x28 image the model saw to DIR/<name>.png "
                             "(<name>-1.png, <name>-2.png... for the digits of a number)")
    parser.add_argument("--model", metavar="FILE", type=Path, default=app_model_file(),
                        help="the LiteRT model (default: the convnet, models/cnn/model.tflite)")
    parser.add_argument("--jobs", type=whole_number(1, 256, "a number of processes"),
                        default=parallel.default_jobs(),
                        help="processes reading a long list of images at once (default: one per "
                             f"CPU, at most {parallel.DEFAULT_MOST}: here "
                             f"{parallel.default_jobs()})")
    args = parser.parse_args(argv)
    if args.save_normalized and args.save_normalized.exists() and not args.save_normalized.is_dir():
        parser.error(f"--save-normalized: {args.save_normalized} is a file, not a folder")
    return args


def expand(inputs):
    """(file, problem) for each input, a folder replaced by the images inside it, sorted."""
    for name in inputs:
        path = Path(name)
        if not path.exists():
            yield name, "no such file or folder"
        elif path.is_dir():
            images = sorted((child for child in path.iterdir() if child.is_file()
                             and child.suffix.lower() in SUFFIXES
                             and not child.name.startswith(".")), key=lambda child: child.name)
            if not images:
                yield name, f"no images ({', '.join(SUFFIXES)}) in this folder"
            yield from ((str(image), None) for image in images)
        else:
            yield name, None


def _save(pixels, stem, folder, taken):
    """Write a 28x28 image the model saw as folder/<stem>.png (<stem>~2.png if that is taken)."""
    name, number = f"{stem}.png", 1
    while name in taken:
        number += 1
        name = f"{stem}~{number}.png"
    taken.add(name)
    try:
        with atomic_path(folder / name) as temp:
            Image.fromarray(np.round(pixels * 255).astype(np.uint8)).save(temp, format="PNG")
    except OSError as error:
        raise errors.UserError(f"cannot write {folder / name}: {error.strerror or error}") from None


def _decode_cost(image, file_size):
    """The bytes decoding an opened image will take, known from its header; ImageError if over
    DECODE_LIMIT."""
    cost = budget.decode_bytes(image, file_size, reading.READING_SIDE)
    if cost > DECODE_LIMIT:
        raise decoding.ImageError(f"image too large to decode: {image.width}x{image.height} "
                                  f"pixels of this kind would take {cost / 2**20:,.0f} MB of "
                                  f"memory (at most {DECODE_LIMIT / 2**20:,.0f} MB); save it "
                                  "smaller")
    return cost


def read_some(listed, classifier, decodes, images=False):
    """For each (file, problem) from expand(): what answering.summary() says of it, and the
    28x28 image of each place if `images`; or its ImageError's message. Each decode waits for
    its share of the memory budget that `decodes` keeps."""
    def decoded(image, file_size):
        return decodes.share(_decode_cost(image, file_size))

    files = [file for file, problem in listed if not problem]
    with stderr_discarded():  # libtiff prints its own notes on damaged files
        readings = iter(list(reading.read_files(files, classifier, decoded)))
    results = []
    for _, problem in listed:
        read = problem or next(readings)
        if isinstance(read, (str, decoding.ImageError)):
            results.append(str(read))
        else:
            results.append((answering.summary(read),
                            [place["image"] for place in read["places"]] if images else []))
    return results


def identify(inputs, classifier, save_dir=None, jobs=1):
    """One result per file, in order: {file, model} and what answering.summary() says of it, or
    {file, error}. A long list is read on `jobs` processes, whose decodes share DECODE_LIMIT."""
    taken, listed = set(), list(expand(inputs))
    readings = parallel.in_order(functools.partial(read_some, images=bool(save_dir)), listed,
                                 classifier, jobs, DECODE_LIMIT)
    for (file, _), read in zip(listed, readings):
        if isinstance(read, str):
            yield {"file": file, "error": read}
            continue
        summary, images = read
        stem = Path(file).stem
        for number, image in enumerate(images, 1):
            _save(image, stem if len(images) == 1 else f"{stem}-{number}", save_dir, taken)
        yield {"file": file, "model": classifier.name, **summary}


def describe(result):
    """One line: 'a.png: ' and answering.describe(), or 'a.png: error: why'."""
    if "error" in result:
        return f"{result['file']}: error: {result['error']}"
    return f"{result['file']}: {answering.describe(result)}"


def main(argv=None):
    """Identify every input; return the exit status."""
    args = parse_args(argv)
    collected, failed = [], 0
    for result in identify(args.inputs, Classifier(args.model), args.save_normalized,
                           args.jobs):
        failed += "error" in result
        if args.json:
            collected.append(json.dumps(result))  # now, beside the workers, not after them
        else:
            print(describe(result), file=sys.stderr if "error" in result else sys.stdout)
    if args.json:  # one object a line
        print("[\n" + ",\n".join(collected) + "\n]")
    if failed:
        print(f"{failed} input(s) not identified", file=sys.stderr)
    return 1 if failed else 0


def console():
    """The digits-predict command."""
    errors.run(main)


if __name__ == "__main__":
    console()
