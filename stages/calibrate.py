"""Fit what turns one model's outputs into honest answers: a temperature for its confidence,
a not-a-digit detector and a two-digit detector (trained on training digits, with the reader's
views of photographed ones if the photograph stage made any, against generated non-digits and
touching pairs), and the thresholds of the answers, chosen on validation data.

    python -m stages.calibrate mlp|cnn

Writes models/<model>/identifier.keras (the model with both heads: three outputs) and
models/<model>/calibration.json (the temperature, the thresholds and how they did on validation).
"""
import sys

import numpy as np

from digits import calibration, decision, errors, params
from digits.files import write_json
from digits.mnist import load_prepared
from digits.paths import NONDIGITS_DIR, PHOTOGRAPHED_DIR, ModelFiles


def load_images(folder, split, stage):
    """The images alone (x_<split>.npy) that `stage` wrote in `folder`: their labels, if any,
    are not the detectors' business."""
    try:
        return np.load(folder / f"x_{split}.npy")
    except FileNotFoundError as error:
        raise errors.UserError(f"{error.filename} not found; run `dvc repro {stage}` "
                               "first") from None


def main():
    files = ModelFiles.from_command_line()
    settings = params.load()
    recipe, seed = settings["calibrate"], settings["seed"]
    x_train, _ = load_prepared("train")
    x_val, y_val = load_prepared("val")
    nondigits_train, nondigits_val = (load_images(NONDIGITS_DIR, split, "nondigits")
                                      for split in ("train", "val"))

    from digits import not_a_digit, saving
    from digits.synthetic import pairs

    model = saving.load(files.keras)
    rng = np.random.default_rng(seed)
    digits_train = not_a_digit.head_digits(x_train[:recipe["head_digits"]],
                                           load_images(PHOTOGRAPHED_DIR, "train", "photograph"),
                                           rng)
    pair_rng = np.random.default_rng([seed, 2])  # its own: the other draws stay as they were
    pairs_train = pairs.touching(x_train[recipe["head_digits"]:], pair_rng,
                                 recipe["head_pairs"])
    features = not_a_digit.feature_model(model).predict(
        np.concatenate([digits_train, nondigits_train, pairs_train]), batch_size=1000,
        verbose=0)
    one_digit = len(digits_train) + len(nondigits_train)
    is_nondigit = np.r_[np.zeros(len(digits_train)), np.ones(len(nondigits_train))]
    head = not_a_digit.train_head(features[:one_digit], is_nondigit, seed,
                                  recipe["head_epochs"], recipe["heads"])
    # Digits and non-digits against the pairs: "two digits" must not be a non-digit's refuge.
    two_digit_head = not_a_digit.train_head(features, np.arange(len(features)) >= one_digit,
                                            seed, recipe["head_epochs"], recipe["heads"],
                                            "two_digits_head")
    identifier = not_a_digit.identifier(model, head, two_digit_head)

    # The temperature and the "sure" threshold from the validation digits as they are; the
    # detectors' thresholds from them and their thicker and thinner-stroked copies.
    probabilities, scores, two_digits = identifier.predict(x_val, batch_size=1000, verbose=0)
    _, varied_scores, varied_two_digits = identifier.predict(
        not_a_digit.vary_strokes(x_val, rng), batch_size=1000, verbose=0)
    temperature = calibration.fit_temperature(probabilities, y_val)
    probabilities = calibration.calibrated(probabilities, temperature)
    not_a_digit_at = calibration.score_threshold(np.concatenate([scores, varied_scores]),
                                                 recipe["digits_called_not_a_digit"])
    kept = scores <= not_a_digit_at
    thresholds = {"not_a_digit": not_a_digit_at, "sure": calibration.sure_threshold(
        probabilities[kept], recipe["digits_not_sure"]), "two_digits": calibration.score_threshold(
        np.concatenate([two_digits, varied_two_digits]), recipe["digits_called_two_digits"])}
    answered = decision.reasons(probabilities, scores, thresholds) == ""
    nondigit_probabilities, nondigit_scores, _ = identifier.predict(nondigits_val,
                                                                    batch_size=1000, verbose=0)
    _, _, pair_scores = identifier.predict(pairs.touching(x_val, pair_rng, len(nondigits_val)),
                                           batch_size=1000, verbose=0)
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
            "pairs_called_two_digits": round(float((pair_scores
                                                    > thresholds["two_digits"]).mean()), 4),
        },
    }
    saving.save(identifier, files.identifier)
    write_json(files.calibration, report)
    print(f"{files.name}: temperature {temperature}, thresholds {report['thresholds']}; on "
          f"validation {report['validation']}", file=sys.stderr)


if __name__ == "__main__":
    errors.run(main)
