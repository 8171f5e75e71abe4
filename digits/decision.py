"""The three answers to an image: a digit; "not sure" (with the two likeliest digits); "not a
digit". They come from the model's calibrated probabilities, its not-a-digit score, and the
thresholds that the calibrate stage chose on validation data (carried in the model's card)."""
import numpy as np

from digits.calibration import calibrated

NOT_SURE, NOT_A_DIGIT = "not sure", "not a digit"


def reasons(probabilities, not_digit_scores, thresholds):
    """Per image: "" when a digit is answered, else why not. `probabilities` calibrated."""
    why = np.full(len(probabilities), "", dtype=object)
    why[probabilities.max(axis=1) < thresholds["sure"]] = NOT_SURE
    why[not_digit_scores > thresholds["not_a_digit"]] = NOT_A_DIGIT
    return why


def answers(classifier, images):
    """One answer per 28x28 image: {digit, confidence, probabilities, not_a_digit} with the
    digit None and a "reason" when no digit is answered; "candidates" (the two likeliest digits
    and their probabilities) when not sure."""
    raw, scores = classifier.outputs(images)
    card = classifier.card
    probabilities = calibrated(raw, card.get("temperature", 1.0))
    thresholds = card.get("thresholds", {"sure": 0.0, "not_a_digit": 1.0})
    results = []
    for p, score, reason in zip(probabilities, scores, reasons(probabilities, scores, thresholds)):
        best, second = np.argsort(-p, kind="stable")[:2]
        result = {"digit": None if reason else int(best), "confidence": float(p[best]),
                  "probabilities": [float(value) for value in p],
                  "not_a_digit": float(score)}
        if reason:
            result["reason"] = reason
        if reason == NOT_SURE:
            result["candidates"] = [{"digit": int(d), "probability": float(p[d])}
                                    for d in (best, second)]
        results.append(result)
    return results
