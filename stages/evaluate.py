"""Score one model once on the test set, as trained and as the apps answer with it.

    python -m stages.evaluate mlp|cnn

Writes to reports/<model>/: metrics.json (the test accuracy and loss of the model as trained,
its validation accuracy, its expected calibration error as trained (ece_raw) and calibrated
(ece), the share of test digits the apps answer and of test non-digits they refuse), per_class.json
(precision, recall and F1 of each digit), predictions.csv (actual,predicted rows for DVC's
confusion plot) and test_probabilities.npy (the model's own, for the figures).
"""
import json
import sys

import numpy as np

from digits import calibration, decision, errors, scoring
from digits.files import save_npy, write_json, write_text
from digits.mnist import load_prepared
from digits.paths import NONDIGITS_DIR, ModelFiles


def main():
    files = ModelFiles.from_command_line()
    x_test, y_test = load_prepared("test")
    x_val, y_val = load_prepared("val")
    for path, stage in ((NONDIGITS_DIR / "x_test.npy", "nondigits"),
                        (files.calibration, f"calibrate@{files.name}")):
        if not path.exists():
            raise errors.UserError(f"{path} not found; run `dvc repro {stage}` first")
    nondigits = np.load(NONDIGITS_DIR / "x_test.npy")
    fitted = json.loads(files.calibration.read_text(encoding="utf-8"))
    from digits import saving

    model = saving.load(files.identifier)
    test_probabilities, test_scores, _ = model.predict(x_test, batch_size=1000, verbose=0)
    val_probabilities, _, _ = model.predict(x_val, batch_size=1000, verbose=0)
    nondigit_probabilities, nondigit_scores, _ = model.predict(nondigits, batch_size=1000,
                                                               verbose=0)

    def refused(probabilities, scores):
        probabilities = calibration.calibrated(probabilities, fitted["temperature"])
        return decision.reasons(probabilities, scores, fitted["thresholds"]) != ""

    predicted = test_probabilities.argmax(axis=1)
    per_class = scoring.per_class(y_test, predicted)
    answered = ~refused(test_probabilities, test_scores)
    metrics = {  # the headline figures only, so that `dvc metrics show` fits a terminal
        **scoring.summary(test_probabilities, y_test),
        "val_accuracy": scoring.summary(val_probabilities, y_val)["accuracy"],
        "ece_raw": round(calibration.expected_calibration_error(test_probabilities, y_test), 4),
        "ece": round(calibration.expected_calibration_error(
            calibration.calibrated(test_probabilities, fitted["temperature"]), y_test), 4),
        "answered": round(float(answered.mean()), 4),
        "nondigits_refused": round(float(refused(nondigit_probabilities,
                                                 nondigit_scores).mean()), 4),
    }
    write_json(files.metrics, metrics)
    write_json(files.per_class, per_class)
    rows = "".join(f"{actual},{guess}\n" for actual, guess in zip(y_test, predicted))
    write_text(files.predictions, "actual,predicted\n" + rows)
    save_npy(files.probabilities, test_probabilities.astype(np.float32))
    print(f"{files.name}: {json.dumps(metrics)}", file=sys.stderr)


if __name__ == "__main__":
    errors.run(main)
