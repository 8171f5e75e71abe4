"""Read a whole number (or one digit) from a photo or scan: find its digits left to right, put
each through MNIST's normalization and the model in one batch (the cuts of a place that may be
two touching digits in a second one, if its reading whole leaves that open), and say which
places are sure.

    reading = read_file("photo.jpg", Classifier(path))   # or read_number(gray, classifier)
    reading["number"]   # "407", "4?7" with ? for a place that is not sure, None if not a number
    for reading in read_files(many_files, classifier): ...  # their digits batched: faster

Geometry finds the digits; the model only confirms a cut between two digits that touch. Each
place is answered as a single digit is (digits.decision): a digit, "not sure" or "not a digit".
"""
import math

import numpy as np

from digits import batching, decision, decoding, layout, segmentation, touching
from digits.layout import READING_SIDE

MAX_PLACES = 12     # more than this many places is writing, not a number
BATCH_FILES, BATCH_PIXELS = 64, 2**20  # read_files: files read side by side, and their pixels
                                       # (each holds several arrays its size until it is read)


def read_file(source, classifier):
    """read_number() on an image file (path or bytes), decoded at READING_SIDE."""
    gray, size = decoding.read_upright(source, side=READING_SIDE)
    return read_number(gray, classifier, size=size)


def read_files(sources, classifier, decoded=None):
    """read_file() on each of many files, in order: its reading, or the ImageError it raised.
    The digits of up to BATCH_FILES files (BATCH_PIXELS decoded) go through the model together:
    a batch costs the model less per image than one image does. `decoded`: see
    decoding.read_upright."""
    batch, pixels = [], 0
    for source in sources:
        try:
            gray, size = decoding.read_upright(source, READING_SIDE, decoded)
            batch.append(_reading(gray, classifier.card, size))
            pixels += gray.size
        except decoding.ImageError as error:
            batch.append(error)
        if len(batch) == BATCH_FILES or pixels >= BATCH_PIXELS:
            yield from batching.side_by_side(batch, classifier)
            batch, pixels = [], 0
    yield from batching.side_by_side(batch, classifier)


def read_number(gray, classifier, size=None):
    """The number written in a grayscale image (from decoding.read_gray), as a dict:
    number: the digits left to right, ? where a place is not sure; None if not a number;
    places: for each digit, left to right, its answer (see decision.answers: digit or None,
    reason, candidates, confidence, probabilities, not_a_digit), its box [left, top, right,
    bottom] in the original image's pixels (`size` = its (width, height); the gray image's if
    None), and image (float32 28x28, what the model saw).
    Raises decoding.NoInk if the image has no ink at all."""
    [result] = batching.side_by_side([_reading(gray, classifier.card, size)], classifier)
    if isinstance(result, decoding.ImageError):
        raise result
    return result


def _reading(gray, card, size):
    """read_number() as a generator: it yields each list of 28x28 images it needs answered,
    is sent back (answers, two-digit scores) for them, and returns the reading."""
    page = layout.find(gray, size)
    if page is None:
        return {"number": None, "places": []}
    places, wholes, ink = page.places, page.wholes, page.ink
    crops = [layout.crop(ink, candidate) for candidate in wholes]
    if len(places) == 1:  # a second opinion on one place: all the ink, as one digit
        crops.append(layout.all_as_one(page))
    with_small = [i for i, bodies in enumerate(page.bodies) if bodies is not None]
    images = layout.views(crops + [layout.crop(ink, page.bodies[i]) for i in with_small],
                          page.cleaned)
    every_answer, two_digits = yield images
    answers = every_answer[:len(crops)]
    for i, bodies_answer in zip(with_small, every_answer[len(crops):]):
        answers[i] = decision.doubted(answers[i], bodies_answer)
    two_digits_at = decision.two_digits_threshold(card)
    two = [touching.looks_like_two(place, places, score, two_digits_at, answer)
           for place, score, answer in zip(places, two_digits, answers)]
    # Cuts into two digits are tried only where reading the place whole leaves it open.
    cut = [touching.halves(candidate) if touching.may_be_two(place, places)
           and not touching.settled(place, answer) or looks_two else []
           for place, candidate, answer, looks_two in zip(places, wholes, answers, two)]
    checked_in_row = len(places) > 1 and two_digits_at < 1.0  # a detector, and other digits
    cut_images = layout.views([layout.crop(ink, half) for halves in cut for half in halves],
                              page.cleaned)
    rows = iter(zip(cut_images, (yield cut_images)[0]))
    chosen, whole = [], False
    for place, candidate, image, answer, looks_two, halves in zip(places, wholes, images,
                                                                  answers, two, cut):
        seen = [touching.Seen(candidate, image, answer)]
        seen += [touching.Seen(half, *next(rows)) for half in halves]
        picked = touching.choose(place, seen, looks_two, checked_in_row,
                                 alone=len(places) == 1)
        whole = len(picked) == 1 and picked[0][0] is seen[0]  # not cut in two
        chosen += [_entry(one, answer, page.scale, page.origin) for one, answer in picked]
    if len(places) == 1 and whole and answers[-1].get("reason") == decision.NOT_A_DIGIT:
        [entry] = chosen  # a new answer: a "not sure" one's candidates must not stay
        chosen = [_placed(decision.not_a_digit(entry, answers[-1]["not_a_digit"]), entry)]
    elif len(places) == 1 and whole:
        [entry] = chosen
        chosen = [_placed(touching.doubted_alone(entry, two_digits[0], two_digits_at), entry)]
    sure = decision.thresholds(card)["sure"]
    chosen = [_placed(answer, entry)
              for entry, answer in zip(chosen, decision.among_digits(chosen, sure))]
    return _result(chosen, places, segmentation.usual_height(page.kept))


def _entry(seen, answer, scale, origin):
    """One place of the result; `origin`: where the part read starts in the whole image."""
    candidate = seen.candidate
    rows, cols = np.nonzero(candidate.mask)
    top, left = origin[0] + candidate.top, origin[1] + candidate.left
    box = [math.floor((left + cols.min()) * scale[0]), math.floor((top + rows.min()) * scale[1]),
           math.ceil((left + cols.max() + 1) * scale[0]),
           math.ceil((top + rows.max() + 1) * scale[1])]
    return {**answer, "box": box, "image": seen.image}


def _placed(answer, entry):
    """A place's new answer, with the place's box and image."""
    return {**answer, "box": entry["box"], "image": entry["image"]}


def _result(chosen, places, height):
    """The whole reading: a number, or "not a number" when the ink is not a row of digits."""
    not_digits = sum(entry.get("reason") == decision.NOT_A_DIGIT for entry in chosen)
    if (len(chosen) > MAX_PLACES or not segmentation.one_row(places, height)
            or not_digits * 2 > len(chosen) or segmentation.repeated_stroke(places)):
        return {"number": None, "places": chosen}
    text = "".join("?" if entry["digit"] is None else str(entry["digit"]) for entry in chosen)
    return {"number": text, "places": chosen}


def main(argv=None):
    """python -m digits.reading IMAGE [--model FILE]: print the number read, and each place."""
    import argparse

    from digits.litert import Classifier
    from digits.paths import app_model_file

    parser = argparse.ArgumentParser(prog="python -m digits.reading")
    parser.add_argument("image")
    parser.add_argument("--model", default=app_model_file())
    args = parser.parse_args(argv)
    result = read_file(args.image, Classifier(args.model))
    print(result["number"] if result["number"] is not None else "not a number")
    for place in result["places"]:
        print(f"  {place.get('reason', 'digit')}: {place['digit']} "
              f"({place['confidence']:.1%}), box {place['box']}")


if __name__ == "__main__":
    main()
