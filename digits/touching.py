"""Two digits that touch: whether a place may hold two, where to cut it, and which reading to
keep — the place whole, two halves that both read as sure digits, or "not sure". Besides the
place's shape, the model's two-digit detector says whether it looks like two digits."""
from statistics import median
from typing import NamedTuple

import numpy as np

from digits import cutting, decision, segmentation
from digits.layout import Candidate

PAIR = 1.7          # among other digits, a place 1.7 times as wide as they are may be two
TWO_DIGITS = 1.1    # a place wider than this (for its height) that no cut reads as two sure
                    # digits becomes two places not sure (one if narrower) ...
WIDE_DIGIT = 1.5    # ... unless it reads as a sure digit whole and is at most this wide
SURER = 0.1         # a cut into two sure digits wins if it reads 0.1 surer than the whole ...
# ... or if the place is wider, for its height, than 98% of MNIST's training digits of the
# class it reads as whole (a place read as one digit but wider than that is two that touch)
# and the cut reads at least as surely as the whole (a wide digit's parts seldom do).
WIDEST = (1.33, 0.9, 1.43, 1.18, 1.18, 1.54, 1.11, 1.18, 1.11, 1.0)
TWO_WIDE = 0.6      # a place narrower than this (for its height) is not called two digits
                    # (unless it is all the writing and no digit whole: two 1s that cross),
TWO_AMONG = 1.3     # nor one less than 1.3 times as wide as the other digits of its row
TWO_SURE = 0.95     # a place called two is cut where both halves read at least this surely
HALF_SURE = 0.95    # a half of a cut reads as its digit only this surely, else "not sure":
                    # halves are misread more often than whole digits
TWO_DOUBT = 0.95    # all the writing, read whole as a sure digit: "not sure" if the two-digit
                    # detector scores it above this all the same (see doubted_alone)


def may_be_two(place, places):
    """Whether a place may hold two digits that touch: it is wide, and (if other digits show
    how wide the writer's digits are) much wider than they are."""
    return place.width > segmentation.WIDE * place.height and _wider_than_others(
        place, places, PAIR)


def looks_like_two(place, places, two_digits, threshold, answer):
    """Whether the two-digit detector (its score `two_digits`) calls the place two digits, its
    shape allows it (not narrow, unless it is all the writing and refused whole as not a
    digit) and its reading whole does not outweigh it. Read whole as a sure digit, the place
    is two only if the detector is surer of that than the model of its digit, and if it is
    alone: in a row, a digit read surely is far more often one written wide than two. Else,
    among other digits, it must be TWO_AMONG times as wide as they are."""
    if two_digits <= threshold:
        return False
    if place.width < TWO_WIDE * place.height:  # two 1s that cross are narrow, and no digit
        return len(places) == 1 and answer.get("reason") == decision.NOT_A_DIGIT
    if answer["digit"] is not None:
        return len(places) == 1 and two_digits > answer["confidence"]
    return _wider_than_others(place, places, TWO_AMONG)


def doubted_alone(answer, two_digits, threshold):
    """The answer of a place that is all the writing, read whole: "not sure" if it is a sure
    digit that the two-digit detector (if the model has one: `threshold` < 1) scores above
    TWO_DOUBT all the same. Two digits that overlap deeply (a 1 across a 4) read whole as one
    sure digit; a single digit seldom scores that high."""
    if answer["digit"] is None or threshold >= 1.0 or two_digits <= TWO_DOUBT:
        return answer
    return decision.unsure(answer)


def _wider_than_others(place, places, factor):
    """Whether a place is `factor` times as wide as the other places' median (True alone)."""
    others = [max(p.width, 0.6 * p.height) for p in places if p is not place]  # a 1 counts as
    # a digit of usual width: it is narrow, not a sign that its neighbours are two digits
    return not others or place.width > factor * median(others)


def halves(whole):
    """Each proposed cut of a place into two digits, as its left and right Candidates in turn."""
    return [Candidate(mask, whole.left, whole.top) for left in cutting.cuts(whole.mask)
            for mask in (left, whole.mask & ~left)]


def settled(place, answer):
    """Whether a place's reading whole decides choose() alone: a sure digit, no wider than
    that digit gets, and surer than 1 - SURER, so that no cut can read SURER more (a cut's
    confidence is at most 1)."""
    return (answer["digit"] is not None and not _too_wide(place, answer)
            and answer["confidence"] + SURER > 1.0)


def _too_wide(place, answer):
    """Wider, for its height, than 98% of MNIST's training digits of the class it reads as."""
    return place.width / place.height > WIDEST[decision.likeliest(answer)]


class Seen(NamedTuple):
    candidate: Candidate
    image: np.ndarray
    answer: dict


def choose(place, seen, two=False, checked_in_row=False, alone=False):
    """(seen, answer) for each digit of a place: read whole, or cut in two where both halves
    are sure digits; a wide place that no cut reads surely becomes two places not sure, unless
    it reads as a sure digit whole and is no wider than WIDE_DIGIT: one wide digit is then the
    likelier reading (more digits read right, a few touching pairs read as one wrong digit).
    In a row of other digits, where the two-digit detector looked at the place
    (`checked_in_row`) and did not call it two, a sure reading stands however wide: a 2 or a 0
    written wide among narrower digits. A half of a cut taken that reads less than HALF_SURE
    is "not sure".
    A place that reads as no digit whole and is wider than TWO_DIGITS is two sure digits if a
    cut reads so: two digits that overlap often look like no digit, seen whole. Else a place
    refused whole as not a digit stays so, unless it is wider than TWO_DIGITS and both halves
    of its first cut look like digits (sure or not): then it is two places not sure.
    A place that the two-digit detector calls two digits (`two`, see looks_like_two) is also
    read as its best cut if both halves read at least TWO_SURE and as surely as the whole reads
    as one; if no rule takes a cut, it is two places not sure.
    A place that is all the writing (`alone`), refused whole as not a digit and not called two
    by the detector, is read as two digits only if it is wider than TWO_DIGITS and its cut reads
    at least TWO_SURE; a cut that a rule above takes but that reads less makes it two places not
    sure: alone, a sign or a letter (Ω, X, +, &, n) often cuts into two parts that read as
    digits."""
    whole, halves = seen[0], seen[1:]
    pairs = [(halves[i], halves[i + 1]) for i in range(0, len(halves), 2)]
    if not pairs:
        return _split(whole) if two else [(whole, whole.answer)]
    best, best_score = None, -1.0
    for pair in pairs:
        score = min(half.answer["confidence"] for half in pair)
        if all(half.answer["digit"] is not None for half in pair) and score > best_score:
            best, best_score = [(half, half.answer) for half in pair], score
    aspect = place.width / place.height
    too_wide = _too_wide(place, whole.answer)
    sure_whole = whole.answer["confidence"] if whole.answer["digit"] is not None else 0.0
    if best is not None and (best_score >= whole.answer["confidence"] + SURER
                             or too_wide and best_score >= sure_whole
                             or two and best_score >= max(sure_whole, TWO_SURE)
                             or sure_whole == 0 and aspect > TWO_DIGITS):
        if _refused_alone(whole, two, alone) and not (aspect > TWO_DIGITS
                                                      and best_score >= TWO_SURE):
            return [(half, decision.unsure(answer)) for half, answer in best]
        return [(half, answer if answer["confidence"] >= HALF_SURE else decision.unsure(answer))
                for half, answer in best]
    if two:
        return [(half, decision.unsure(half.answer)) for half in pairs[0]]
    if whole.answer["digit"] is not None and (not too_wide or aspect <= WIDE_DIGIT
                                              or checked_in_row):
        return [(whole, whole.answer)]  # no cut reads: a sure reading stands unless very wide
    # Refused whole, a place stays "not a digit" unless it is wide and each half of its cut
    # looks like a digit: two digits that overlap look like no digit seen whole.
    refused = [one.answer.get("reason") == decision.NOT_A_DIGIT for one in (whole, *pairs[0])]
    if refused[0] and (aspect <= TWO_DIGITS or any(refused[1:])):
        return [(whole, whole.answer)]
    if aspect <= TWO_DIGITS:  # one place, too wide for the digit it reads as
        return [(whole, decision.unsure(whole.answer))]
    return [(half, decision.unsure(half.answer)) for half in pairs[0]]


def _refused_alone(whole, two, alone):
    """Whether a place is all the writing, refused whole and not called two digits."""
    return alone and not two and whole.answer.get("reason") == decision.NOT_A_DIGIT


def _split(whole):
    """A place called two digits that no cut parts: its left and right halves, both not sure,
    each with what the model saw (the whole place)."""
    mask = whole.candidate.mask
    columns = np.nonzero(mask.any(axis=0))[0]
    left = mask.copy()
    left[:, (columns[0] + columns[-1] + 1) // 2:] = False
    answer = decision.unsure(whole.answer)
    return [(whole._replace(candidate=whole.candidate._replace(mask=part)), answer)
            for part in (left, mask & ~left)]
