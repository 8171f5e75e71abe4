"""Score the trained model once on the test set (and, for comparison, on the validation set).

Writes reports/metrics.json (test accuracy and loss at the top, macro F1, per-class precision,
recall and F1, validation figures under "val"), reports/predictions.csv (actual,predicted rows
for DVC's confusion plot) and reports/test_probabilities.npy (for the figures).
"""
import sys

import numpy as np

from stages import cli
from stages.files import save_npy, write_json, write_text
from stages.mnist import CLASSES, load_prepared
from stages.paths import METRICS_FILE, PREDICTIONS_FILE, PROBABILITIES_FILE

def cross_entropy(probabilities, labels):
    """Mean sparse categorical cross-entropy, clipped as Keras clips it."""
    picked = probabilities[np.arange(len(labels)), labels]
    return float(-np.mean(np.log(np.clip(picked, 1e-7, 1.0))))


def per_class_scores(labels, predicted):
    """Precision, recall and F1 of each digit, computed from the confusion counts."""
    scores = {}
    for digit in range(CLASSES):
        true_positive = np.sum((predicted == digit) & (labels == digit))
        precision = true_positive / max(np.sum(predicted == digit), 1)
        recall = true_positive / max(np.sum(labels == digit), 1)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[str(digit)] = {"precision": round(float(precision), 4),
                              "recall": round(float(recall), 4), "f1": round(float(f1), 4)}
    return scores


def summarize(probabilities, labels):
    predicted = probabilities.argmax(axis=1)
    return {"accuracy": round(float(np.mean(predicted == labels)), 4),
            "loss": round(cross_entropy(probabilities, labels), 4)}


def main():
    x_test, y_test = load_prepared("test")
    x_val, y_val = load_prepared("val")
    from stages import model as model_lib

    model = model_lib.load()
    test_probabilities = model.predict(x_test, batch_size=1000, verbose=0)
    val_probabilities = model.predict(x_val, batch_size=1000, verbose=0)

    predicted = test_probabilities.argmax(axis=1)
    per_class = per_class_scores(y_test, predicted)
    metrics = {
        **summarize(test_probabilities, y_test),
        "macro_f1": round(float(np.mean([s["f1"] for s in per_class.values()])), 4),
        "val": summarize(val_probabilities, y_val),
        "per_class": per_class,
    }
    write_json(METRICS_FILE, metrics)
    rows = "".join(f"{actual},{guess}\n" for actual, guess in zip(y_test, predicted))
    write_text(PREDICTIONS_FILE, "actual,predicted\n" + rows)
    save_npy(PROBABILITIES_FILE, test_probabilities.astype(np.float32))
    print(f"test accuracy {metrics['accuracy']:.4f}, loss {metrics['loss']:.4f}, "
          f"macro F1 {metrics['macro_f1']:.4f}", file=sys.stderr)


if __name__ == "__main__":
    cli.run(main)
