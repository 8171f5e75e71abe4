"""The three answers to an image: a digit; "not sure" (with the two likeliest digits); "not a
digit". They come from the model's calibrated probabilities, its not-a-digit score, and the
thresholds that the calibrate stage chose on validation data (carried in the model's card)."""
import numpy as np

from digits.calibration import calibrated

NOT_SURE, NOT_A_DIGIT = "not sure", "not a digit"
UNCALIBRATED = {"sure": 0.0, "not_a_digit": 1.0}  # a model without a card answers every image
DOUBTED = 0.95  # how sure a digit read with small strokes beside it must be, see doubted()


def thresholds(card):
    """The thresholds of the three answers, from a model's card."""
    return card.get("thresholds", UNCALIBRATED)


def two_digits_threshold(card):
    """The two-digit score above which a place may be two digits that touch (never, for a
    model without that detector: scores are at most 1)."""
    return thresholds(card).get("two_digits", 1.0)


def reasons(probabilities, not_digit_scores, thresholds):
    """Per image: "" when a digit is answered, else why not. `probabilities` calibrated."""
    why = np.full(len(probabilities), "", dtype=object)
    why[probabilities.max(axis=1) < thresholds["sure"]] = NOT_SURE
    why[not_digit_scores > thresholds["not_a_digit"]] = NOT_A_DIGIT
    return why


def _answer(probabilities, score, reason):
    best, second = np.argsort(-probabilities, kind="stable")[:2]
    result = {"digit": None if reason else int(best), "confidence": float(probabilities[best]),
              "probabilities": [float(value) for value in probabilities],
              "not_a_digit": float(score)}
    if reason:
        result["reason"] = reason
    if reason == NOT_SURE:
        result["candidates"] = [{"digit": int(d), "probability": float(probabilities[d])}
                                for d in (best, second)]
    return result


def answers(classifier, images):
    """One answer per 28x28 image: {digit, confidence, probabilities, not_a_digit} with the
    digit None and a "reason" when no digit is answered; "candidates" (the two likeliest digits
    and their probabilities) when not sure."""
    return answered(classifier.outputs(images), classifier.card)


def answered(outputs, card):
    """answers() from the model's outputs (Classifier.outputs) and its card."""
    raw, scores = outputs[:2]
    probabilities = calibrated(raw, card.get("temperature", 1.0))
    why = reasons(probabilities, scores, thresholds(card))
    return [_answer(p, score, reason) for p, score, reason in zip(probabilities, scores, why)]


def unsure(answer):
    """The same answer made "not sure": for a place that may not be one digit after all."""
    return _answer(np.array(answer["probabilities"]), answer["not_a_digit"], NOT_SURE)


def not_a_digit(answer, score):
    """The same answer made "not a digit", with this not-a-digit score if it is higher."""
    return _answer(np.array(answer["probabilities"]), max(answer["not_a_digit"], score),
                   NOT_A_DIGIT)


def doubted(answer, bodies_answer):
    """A place's answer, "not sure" if it reads as a digit less surely than DOUBTED with its
    small separate strokes and as another digit without them (`bodies_answer`): such a stroke
    may be the digit's bar or flag, or one that joins it to the next digit (beside a 9, it
    reads as a 4)."""
    if answer["digit"] is None or answer["confidence"] >= DOUBTED or likeliest(
            bodies_answer) == answer["digit"]:
        return answer
    return unsure(answer)


def likeliest(answer):
    return int(np.argmax(answer["probabilities"]))


def among_digits(row, sure):
    """A row's answers, left to right, with a lone place refused as not a digit among sure
    digits read as its likeliest digit when that is sure: in the numbers we measured, such a
    place was a digit written oddly (a 6 like a u), and a letter among digits is rare. Any other
    row is returned as it is."""
    refused = [answer.get("reason") == NOT_A_DIGIT for answer in row]
    if len(row) < 2 or sum(refused) != 1 or any(
            answer["digit"] is None for answer, no in zip(row, refused) if not no):
        return row
    return [_answer(np.array(answer["probabilities"]), answer["not_a_digit"], "")
            if no and answer["confidence"] >= sure else answer
            for answer, no in zip(row, refused)]
