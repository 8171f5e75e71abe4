"""Score one trained model once on the test set (and, for comparison, on the validation set).

    python -m stages.evaluate mlp|cnn

Writes to reports/<model>/: metrics.json (test accuracy, loss and macro F1; the validation
figures under "val"), per_class.json (precision, recall and F1 of each digit), predictions.csv
(actual,predicted rows for DVC's confusion plot) and test_probabilities.npy (for the figures).
"""
import sys

import numpy as np

from digits import errors, scoring
from digits.files import save_npy, write_json, write_text
from digits.mnist import load_prepared
from digits.paths import ModelFiles


def main():
    files = ModelFiles.from_command_line()
    x_test, y_test = load_prepared("test")
    x_val, y_val = load_prepared("val")
    from digits import saving

    model = saving.load(files.keras)
    test_probabilities = model.predict(x_test, batch_size=1000, verbose=0)
    val_probabilities = model.predict(x_val, batch_size=1000, verbose=0)

    predicted = test_probabilities.argmax(axis=1)
    per_class = scoring.per_class(y_test, predicted)
    metrics = {**scoring.summary(test_probabilities, y_test),
               "macro_f1": scoring.macro_f1(per_class),
               "val": scoring.summary(val_probabilities, y_val)}
    write_json(files.metrics, metrics)
    write_json(files.per_class, per_class)
    rows = "".join(f"{actual},{guess}\n" for actual, guess in zip(y_test, predicted))
    write_text(files.predictions, "actual,predicted\n" + rows)
    save_npy(files.probabilities, test_probabilities.astype(np.float32))
    print(f"{files.name}: test accuracy {metrics['accuracy']:.4f}, loss {metrics['loss']:.4f}, "
          f"macro F1 {metrics['macro_f1']:.4f}", file=sys.stderr)


if __name__ == "__main__":
    errors.run(main)
