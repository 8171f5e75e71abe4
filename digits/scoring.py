"""How good a model's probabilities are: accuracy, loss and per-class scores, in NumPy."""
import numpy as np

from digits.mnist import CLASSES


def cross_entropy(probabilities, labels):
    """Mean sparse categorical cross-entropy, clipped as Keras clips it."""
    picked = probabilities[np.arange(len(labels)), labels]
    return float(-np.mean(np.log(np.clip(picked, 1e-7, 1.0))))


def summary(probabilities, labels):
    """Accuracy and loss, rounded to 4 decimals."""
    predicted = probabilities.argmax(axis=1)
    return {"accuracy": round(float(np.mean(predicted == labels)), 4),
            "loss": round(cross_entropy(probabilities, labels), 4)}


def per_class(labels, predicted):
    """Precision, recall (the accuracy on that digit) and F1 of each digit."""
    scores = {}
    for digit in range(CLASSES):
        true_positive = np.sum((predicted == digit) & (labels == digit))
        precision = true_positive / max(np.sum(predicted == digit), 1)
        recall = true_positive / max(np.sum(labels == digit), 1)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[str(digit)] = {"precision": round(float(precision), 4),
                              "recall": round(float(recall), 4), "f1": round(float(f1), 4)}
    return scores


def macro_f1(scores):
    return round(float(np.mean([digit["f1"] for digit in scores.values()])), 4)


def percent(probability):
    """'97.3%'; never '100.0%' for a probability short of 1, nor '0.0%' for one above 0."""
    if 0.999 < probability < 1:
        return ">99.9%"
    if 0 < probability < 0.001:
        return "<0.1%"
    return f"{probability:.1%}"
