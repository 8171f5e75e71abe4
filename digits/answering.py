"""What the apps say about one image, from its reading: the same JSON for digits-predict --json
and the HTTP API, and the line digits-predict prints.

    {"number": "2026", "digits": [{"digit": 2, "confidence": ..., "box": [...], ...}, ...]}

A one-digit image also carries that digit's answer at the top ("digit", "confidence",
"probabilities", "not_a_digit", and "reason"/"candidates" when no digit is answered). Ink that is
not a number gets {"number": null, "digit": null, "reason": "not a digit"}.
"""
import numpy as np

from digits.decision import NOT_A_DIGIT, NOT_SURE
from digits.scoring import percent


def _place(place, with_image):
    answer = {key: value for key, value in place.items() if key != "image"}
    if with_image:
        answer["image"] = pixels(place["image"])
    return answer


def pixels(image):
    """A 28x28 float image as rows of 0-255, for JSON."""
    return np.round(np.asarray(image) * 255).astype(np.uint8).tolist()


def summary(reading, with_images=False):
    """The JSON-ready answer for one image's reading (see the module's docstring)."""
    places = [_place(place, with_images) for place in reading["places"]]
    result = {"number": reading["number"], "digits": places}
    if reading["number"] is None:
        result.update(digit=None, reason=NOT_A_DIGIT)
    elif len(places) == 1:
        result.update({key: value for key, value in places[0].items() if key != "box"})
    return result


def _one(place):
    if place["digit"] is not None:
        return f"{place['digit']} {percent(place['confidence'])}"
    if place["reason"] == NOT_A_DIGIT:
        return f"? {NOT_A_DIGIT}"
    first, second = place["candidates"]
    return f"? {first['digit']} or {second['digit']}"


def describe(result):
    """One line: '7 (98.9%); next 2 (0.6%), 3 (0.3%)', 'not sure: 4 (52.0%) or 9 (41.0%)',
    'not a digit', or for a number '2026 (2 99.1%, 0 99.8%, ...)' with '? 4 or 9' for a place
    not sure and '? not a digit' for one that is not a digit."""
    if result["number"] is None:
        return NOT_A_DIGIT
    if len(result["digits"]) > 1:
        return f"{result['number']} ({', '.join(map(_one, result['digits']))})"
    if result["digit"] is None:
        if result["reason"] == NOT_SURE:
            first, second = result["candidates"]
            return (f"not sure: {first['digit']} ({percent(first['probability'])}) or "
                    f"{second['digit']} ({percent(second['probability'])})")
        return result["reason"]
    probabilities = result["probabilities"]
    first, second, third = sorted(range(len(probabilities)), key=lambda d: -probabilities[d])[:3]
    return (f"{first} ({percent(probabilities[first])}); next {second} "
            f"({percent(probabilities[second])}), {third} ({percent(probabilities[third])})")
