"""Draw the figures a person looks at, and a one-page report that embeds them.

Writes reports/figures/{samples,confident_mistakes,confusion_matrix,training_curves}.png and
reports/report.md. Reads only files (no TensorFlow): test images, labels and probabilities,
the metrics from evaluate and the per-epoch logs from train.
"""
import csv
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from stages import cli, params  # noqa: E402
from stages.files import atomic_path, write_text  # noqa: E402
from stages.mnist import CLASSES, load_prepared  # noqa: E402
from stages.paths import (FIGURES_DIR, METRICS_FILE, PROBABILITIES_FILE,  # noqa: E402
                          REPORT_FILE, TRAIN_LOG_DIR)

RIGHT, WRONG = "#1b7837", "#c51b7d"  # green for correct, magenta for mistakes, everywhere
SPLIT_COLOURS = {"train": "#2166ac", "eval": "#e08214"}


def _save(figure, name):
    with atomic_path(FIGURES_DIR / name) as temp:
        figure.savefig(temp, format="png", dpi=100, metadata={"Software": None})
    plt.close(figure)


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


def confusion_figure(labels, predicted):
    counts = np.zeros((CLASSES, CLASSES), dtype=int)
    np.add.at(counts, (labels, predicted), 1)
    figure, axis = plt.subplots(figsize=(7, 6))
    shown = axis.imshow(np.log1p(counts), cmap="Blues")
    for actual in range(CLASSES):
        for guess in range(CLASSES):
            value = counts[actual, guess]
            colour = "white" if value > counts.max() / 4 else (WRONG if value else "grey")
            axis.text(guess, actual, str(value), ha="center", va="center", color=colour, fontsize=8)
    axis.set(xticks=range(CLASSES), yticks=range(CLASSES), xlabel="predicted digit",
             ylabel="true digit",
             title=f"Confusion matrix on the test set ({len(labels):,} images)")
    figure.colorbar(shown, ax=axis, label="log(1 + count)")
    figure.tight_layout()
    return figure


def read_curve(split, metric):
    path = TRAIN_LOG_DIR / "plots" / "metrics" / split / f"{metric}.tsv"
    try:
        with open(path, encoding="utf-8") as source:
            rows = list(csv.DictReader(source, delimiter="\t"))
    except FileNotFoundError:
        raise cli.StageError(f"{path} not found; run `dvc repro train` first") from None
    return [int(row["step"]) + 1 for row in rows], [float(row[metric]) for row in rows]


def curves_figure():
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for axis, metric in zip(axes, ("loss", "accuracy")):
        for split, label in (("train", "training"), ("eval", "validation")):
            epochs, values = read_curve(split, metric)
            axis.plot(epochs, values, marker="o", color=SPLIT_COLOURS[split], label=label)
        axis.set(xlabel="epoch", ylabel=metric, title=f"{metric.capitalize()} per epoch")
        axis.grid(alpha=0.3)
        axis.legend()
    figure.tight_layout()
    return figure


FIGURE_TITLES = {
    "training_curves.png": "Training and validation curves",
    "confusion_matrix.png": "Confusion matrix",
    "samples.png": "Sample test predictions",
    "confident_mistakes.png": "Most confidently wrong predictions",
}


def report(settings, metrics):
    """Markdown that a reviewer reads on one page; GitHub renders the embedded figures."""
    lines = ["# MNIST digit identifier: run report", "",
             f"Test accuracy **{metrics['accuracy']:.2%}**, loss {metrics['loss']:.4f}, "
             f"macro F1 {metrics['macro_f1']:.4f} (validation accuracy "
             f"{metrics['val']['accuracy']:.2%}, loss {metrics['val']['loss']:.4f}).", "",
             "## Parameters", "", "| parameter | value |", "|---|---|"]
    recipe = "cnn" if settings["model"]["arch"] == "cnn" else "train"
    for section in ("model", recipe, "prepare"):
        lines += [f"| {section}.{key} | {value} |" for key, value in settings[section].items()]
    lines += [f"| seed | {settings['seed']} |", "", "## Per-class scores (test set)", "",
              "| digit | precision | recall | F1 |", "|---|---|---|---|"]
    lines += [f"| {digit} | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1']:.4f} |"
              for digit, s in metrics["per_class"].items()]
    lines += ["", "## Figures", ""]
    lines += [f"![{title}](figures/{name})\n" for name, title in FIGURE_TITLES.items()]
    return "\n".join(lines)


def main():
    settings = params.load()
    show = settings["visualize"]
    x_test, y_test = load_prepared("test")
    try:
        probabilities = np.load(PROBABILITIES_FILE)
        metrics = json.loads(Path(METRICS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        missing = error.filename
        raise cli.StageError(f"{missing} not found; run `dvc repro evaluate` first") from None
    predicted, confidence = probabilities.argmax(axis=1), probabilities.max(axis=1)

    first = np.arange(show["sample_grid"] ** 2)
    _save(image_grid(x_test[first], [f"{p} (true {t})" if p != t else f"{p}" for p, t in
                                     zip(predicted[first], y_test[first])],
                     [RIGHT if p == t else WRONG for p, t in zip(predicted[first], y_test[first])],
                     "Sample test predictions (mistakes in magenta: predicted, true)",
                     show["sample_grid"]), "samples.png")

    mistakes = np.flatnonzero(predicted != y_test)
    worst = mistakes[np.argsort(-confidence[mistakes], kind="stable")][:show["worst_count"]]
    _save(image_grid(x_test[worst], [f"{predicted[i]} ({confidence[i]:.0%}), true {y_test[i]}"
                                     for i in worst], [WRONG] * len(worst),
                     f"The {len(worst)} most confidently wrong test predictions", 8),
          "confident_mistakes.png")
    _save(confusion_figure(y_test, predicted), "confusion_matrix.png")
    _save(curves_figure(), "training_curves.png")
    write_text(REPORT_FILE, report(settings, metrics))


if __name__ == "__main__":
    cli.run(main)
