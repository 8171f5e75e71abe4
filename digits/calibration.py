"""Confidence that means what it says: temperature scaling, its error, and the thresholds of the
three answers (a digit, "not sure", "not a digit"), all fitted on validation data. NumPy only."""
import numpy as np

ECE_BINS = 15


def calibrated(probabilities, temperature):
    """softmax(log(p) / T), row by row: T > 1 softens the model's confidence, T < 1 sharpens it."""
    logits = np.log(np.clip(np.asarray(probabilities, np.float64), 1e-30, 1)) / temperature
    logits -= logits.max(axis=-1, keepdims=True)
    scaled = np.exp(logits)
    return (scaled / scaled.sum(axis=-1, keepdims=True)).astype(np.float32)


def _nll(probabilities, labels, temperature):
    picked = calibrated(probabilities, temperature)[np.arange(len(labels)), labels]
    return float(-np.mean(np.log(np.clip(picked, 1e-12, 1))))


def fit_temperature(probabilities, labels):
    """The temperature that minimizes the cross-entropy on (validation) data: a golden-section
    search over log T in [-3, 3], to 4 decimals of T."""
    low, high = -3.0, 3.0
    ratio = (5 ** 0.5 - 1) / 2
    while high - low > 1e-5:
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        if _nll(probabilities, labels, np.exp(a)) < _nll(probabilities, labels, np.exp(b)):
            high = b
        else:
            low = a
    return round(float(np.exp((low + high) / 2)), 4)


def expected_calibration_error(probabilities, labels, bins=ECE_BINS):
    """How far confidence is from accuracy, averaged over equal-width confidence bins, weighted
    by how many answers fall in each (Guo et al. 2017)."""
    confidence = probabilities.max(axis=1)
    right = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    gap = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            gap += members.mean() * abs(right[members].mean() - confidence[members].mean())
    return float(gap)


def score_threshold(digit_scores, share_refused):
    """The score above which a detector calls an image "not a digit" (or "two digits"): the one
    that turns away `share_refused` of the (validation) digits."""
    return round(float(np.quantile(digit_scores, 1 - share_refused)), 4)


def sure_threshold(probabilities, share_not_sure):
    """The confidence below which an answer is "not sure": the one that leaves `share_not_sure`
    of the (validation) digits unanswered, their least confident."""
    return round(float(np.quantile(probabilities.max(axis=1), share_not_sure)), 4)
