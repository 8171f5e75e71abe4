"""Fit, on validation data only, what turns one model's outputs into honest answers: a
temperature for its confidence, a not-a-digit detector, and the thresholds of the three answers.

    python -m stages.calibrate mlp|cnn

Writes models/<model>/identifier.keras (the model with its not-a-digit head: two outputs) and
models/<model>/calibration.json (the temperature, the thresholds and how they did on validation).
"""
import sys

import numpy as np

from digits import calibration, decision, errors, params
from digits.files import write_json
from digits.mnist import load_prepared
from digits.paths import NONDIGITS_DIR, ModelFiles


def load_nondigits(split):
    try:
        return np.load(NONDIGITS_DIR / f"x_{split}.npy")
    except FileNotFoundError as error:
        raise errors.UserError(f"{error.filename} not found; run `dvc repro nondigits` "
                               "first") from None


def main():
    files = ModelFiles.from_command_line()
    settings = params.load()
    recipe, seed = settings["calibrate"], settings["seed"]
    x_train, _ = load_prepared("train")
    x_val, y_val = load_prepared("val")
    nondigits_train, nondigits_val = load_nondigits("train"), load_nondigits("val")

    from digits import not_a_digit, saving

    model = saving.load(files.keras)
    rng = np.random.default_rng(seed)
    digits_train = x_train[:recipe["head_digits"]]
    digits_train = np.concatenate([digits_train, not_a_digit.vary_strokes(digits_train, rng)])
    features = not_a_digit.feature_model(model).predict(
        np.concatenate([digits_train, nondigits_train]), batch_size=1000, verbose=0)
    is_nondigit = np.r_[np.zeros(len(digits_train)), np.ones(len(nondigits_train))]
    head = not_a_digit.train_head(features, is_nondigit, seed, recipe["head_epochs"])
    identifier = not_a_digit.identifier(model, head)

    # The temperature and the "sure" threshold from the validation digits as they are; the
    # not-a-digit threshold from them and their thicker and thinner-stroked copies.
    probabilities, scores = identifier.predict(x_val, batch_size=1000, verbose=0)
    _, varied_scores = identifier.predict(not_a_digit.vary_strokes(x_val, rng), batch_size=1000,
                                          verbose=0)
    temperature = calibration.fit_temperature(probabilities, y_val)
    probabilities = calibration.calibrated(probabilities, temperature)
    not_a_digit_at = calibration.not_a_digit_threshold(np.concatenate([scores, varied_scores]),
                                                       recipe["digits_called_not_a_digit"])
    kept = scores <= not_a_digit_at
    thresholds = {"not_a_digit": not_a_digit_at, "sure": calibration.sure_threshold(
        probabilities[kept], recipe["digits_not_sure"])}
    answered = decision.reasons(probabilities, scores, thresholds) == ""
    nondigit_probabilities, nondigit_scores = identifier.predict(nondigits_val, batch_size=1000,
                                                                 verbose=0)
    nondigit_probabilities = calibration.calibrated(nondigit_probabilities, temperature)
    report = {
        "temperature": temperature,
        "thresholds": thresholds,
        "validation": {
            "digits_answered": round(float(answered.mean()), 4),
            "answers_right": round(float((probabilities.argmax(axis=1)
                                          == y_val)[answered].mean()), 4),
            "nondigits_refused": round(float((decision.reasons(
                nondigit_probabilities, nondigit_scores, thresholds) != "").mean()), 4),
        },
    }
    saving.save(identifier, files.identifier)
    write_json(files.calibration, report)
    print(f"{files.name}: temperature {temperature}, thresholds {report['thresholds']}; on "
          f"validation {report['validation']}", file=sys.stderr)


if __name__ == "__main__":
    errors.run(main)
