"""Draw the figures of one model that a person looks at.

    python -m stages.visualize mlp|cnn

Writes reports/<model>/figures/{samples,confident_mistakes,confusion_matrix,training_curves,
reliability}.png from files alone (no TensorFlow): the test images and labels, the model's test
probabilities, its per-epoch training log and its calibration.
"""
import csv
import json

import matplotlib.colors
import numpy as np

from digits import calibration, errors, params
from digits.figures import plt, save
from digits.mnist import CLASSES, load_prepared
from digits.paths import ModelFiles
from digits.scoring import percent

RIGHT, WRONG = "#1b7837", "#c51b7d"  # green for correct, magenta for mistakes, everywhere
SPLIT_COLOURS = {"train": "#2166ac", "eval": "#e08214"}

def image_grid(images, titles, colours, heading, columns):
    """A figure of digit images with a coloured caption under each."""
    rows = max(1, -(-len(images) // columns))
    figure, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.9 * rows + 0.5))
    for axis in np.ravel(axes):
        axis.axis("off")
    for axis, image, title, colour in zip(np.ravel(axes), images, titles, colours):
        axis.imshow(image, cmap="gray_r", vmin=0, vmax=1)
        axis.set_title(title, color=colour, fontsize=9)
    figure.suptitle(heading, fontsize=12)
    figure.tight_layout()
    return figure


def confusion_figure(labels, predicted, model_name):
    counts = np.zeros((CLASSES, CLASSES), dtype=int)
    np.add.at(counts, (labels, predicted), 1)
    figure, axis = plt.subplots(figsize=(7, 6))
    # A log scale, so that a handful of mistakes shows beside a thousand right answers.
    shown = axis.imshow(counts, cmap="Blues", norm=matplotlib.colors.SymLogNorm(linthresh=1, vmin=0,
                                                               vmax=counts.max()))
    for actual in range(CLASSES):
        for guess in range(CLASSES):
            value = counts[actual, guess]
            colour = "white" if value > counts.max() / 4 else (WRONG if value else "grey")
            axis.text(guess, actual, str(value), ha="center", va="center", color=colour, fontsize=8)
    axis.set(xticks=range(CLASSES), yticks=range(CLASSES), xlabel="predicted digit",
             ylabel="true digit",
             title=f"{model_name}: confusion matrix on the test set ({len(labels):,} images)")
    figure.colorbar(shown, ax=axis, label="images (log scale)")
    figure.tight_layout()
    return figure


def read_curve(files, split, metric):
    path = files.train_log / "plots" / "metrics" / split / f"{metric}.tsv"
    try:
        with open(path, encoding="utf-8") as source:
            rows = list(csv.DictReader(source, delimiter="\t"))
    except FileNotFoundError:
        raise errors.UserError(f"{path} not found; run `dvc repro train@{files.name}` "
                               "first") from None
    return [int(row["step"]) for row in rows], [float(row[metric]) for row in rows]


def curves_figure(files):
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for axis, metric in zip(axes, ("loss", "accuracy")):
        for split, label in (("train", "training"), ("eval", "validation")):
            epochs, values = read_curve(files, split, metric)
            axis.plot(epochs, values, marker="o", color=SPLIT_COLOURS[split], label=label)
        axis.set(xlabel="epoch", ylabel=metric, title=f"{files.name}: {metric} per epoch")
        axis.grid(alpha=0.3)
        axis.legend()
    figure.tight_layout()
    return figure


def reliability_figure(probabilities, labels, temperature, model_name):
    """Accuracy against confidence in 15 bins, as trained and calibrated: the diagonal is honest."""
    figure, axis = plt.subplots(figsize=(6, 5.5))
    axis.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect calibration")
    edges = np.linspace(0, 1, calibration.ECE_BINS + 1)
    for label, shown, colour in (("as trained", probabilities, WRONG),
                                 (f"calibrated (T = {temperature})",
                                  calibration.calibrated(probabilities, temperature), RIGHT)):
        confidence, right = shown.max(axis=1), shown.argmax(axis=1) == labels
        which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0,
                        calibration.ECE_BINS - 1)
        bins = [b for b in range(calibration.ECE_BINS) if (which == b).any()]
        ece = calibration.expected_calibration_error(shown, labels)
        axis.plot([confidence[which == b].mean() for b in bins],
                  [right[which == b].mean() for b in bins], marker="o", color=colour,
                  label=f"{label}: ECE {ece:.2%}")
    axis.set(xlabel="confidence (15 bins)", ylabel="accuracy", xlim=(0, 1), ylim=(0, 1.02),
             title=f"{model_name}: reliability on the test set")
    axis.grid(alpha=0.3)
    axis.legend(loc="upper left")
    figure.tight_layout()
    return figure


def main():
    files = ModelFiles.from_command_line()
    show = params.load()["visualize"]
    x_test, y_test = load_prepared("test")
    try:
        probabilities = np.load(files.probabilities)
    except FileNotFoundError:
        raise errors.UserError(f"{files.probabilities} not found; run `dvc repro "
                               f"evaluate@{files.name}` first") from None
    predicted, confidence = probabilities.argmax(axis=1), probabilities.max(axis=1)

    first = np.arange(show["sample_grid"] ** 2)
    right = predicted[first] == y_test[first]
    save(image_grid(x_test[first], [f"{p}" if ok else f"{p} (true {t})" for p, t, ok in
                                    zip(predicted[first], y_test[first], right)],
                    [RIGHT if ok else WRONG for ok in right],
                    f"{files.name}: sample test predictions (mistakes in magenta)",
                    show["sample_grid"]), files.figures / "samples.png")

    mistakes = np.flatnonzero(predicted != y_test)
    worst = mistakes[np.argsort(-confidence[mistakes], kind="stable")][:show["worst_count"]]
    save(image_grid(x_test[worst], [f"{predicted[i]} ({percent(confidence[i])}), true {y_test[i]}"
                                    for i in worst], [WRONG] * len(worst),
                    f"{files.name}: the {len(worst)} most confidently wrong test predictions", 8),
         files.figures / "confident_mistakes.png")
    save(confusion_figure(y_test, predicted, files.name), files.figures / "confusion_matrix.png")
    save(curves_figure(files), files.figures / "training_curves.png")
    temperature = json.loads(files.calibration.read_text(encoding="utf-8"))["temperature"]
    save(reliability_figure(probabilities, y_test, temperature, files.name),
         files.figures / "reliability.png")


if __name__ == "__main__":
    errors.run(main)
