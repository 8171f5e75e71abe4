"""Compare the two models on one page.

Writes reports/report.md (scores side by side, the per-class comparison, each model's recipe
and figures), reports/per_class.csv (each digit's test accuracy under each model, for
`dvc plots`) and reports/figures/per_class_accuracy.png.
"""
import json

import numpy as np

from digits import errors, params, scoring
from digits.figures import plt, save
from digits.files import write_text
from digits.paths import COMPARISON_FIGURE, FIGURES, MODELS, PER_CLASS_FILE, REPORT_FILE, ModelFiles

TITLES = {"mlp": "the original recipe (mlp)", "cnn": "the convnet (cnn)"}
COLOURS = {"mlp": "#9ab", "cnn": "#2a6fdb"}


def read_json(path, stage):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise errors.UserError(f"{path} not found; run `dvc repro {stage}` first") from None


def comparison_figure(recalls):
    """Each digit's test error rate under each model, as grouped bars."""
    figure, axis = plt.subplots(figsize=(9, 4))
    width = 0.8 / len(recalls)
    for number, (name, recall) in enumerate(recalls.items()):
        errors_percent = 100 * (1 - np.array(recall))
        axis.bar(np.arange(10) + (number - (len(recalls) - 1) / 2) * width, errors_percent,
                 width, label=TITLES[name], color=COLOURS[name])
    axis.set(xticks=range(10), xlabel="true digit", ylabel="test images missed (%)",
             title="Per-class test error of each model (lower is better)")
    axis.grid(axis="y", alpha=0.3)
    axis.legend()
    figure.tight_layout()
    return figure


def page(settings, metrics, per_class):
    lines = ["# MNIST digit identifier: the two models compared", "",
             "| | " + " | ".join(TITLES[name] for name in MODELS) + " |",
             "|---|" + "---|" * len(MODELS)]
    rows = {"test accuracy": lambda m: f"**{m['accuracy']:.2%}**",
            "test loss": lambda m: f"{m['loss']:.4f}",
            "macro F1 (test)": lambda m: f"{m['macro_f1']:.4f}",
            "validation accuracy": lambda m: f"{m['val_accuracy']:.2%}",
            "calibration error (ECE, test) as trained": lambda m: f"{m['ece_raw']:.2%}",
            "calibration error (ECE, test) calibrated": lambda m: f"{m['ece']:.2%}",
            "test digits answered (not refused)": lambda m: f"{m['answered']:.2%}",
            "test non-digits refused": lambda m: f"{m['nondigits_refused']:.2%}"}
    for label, cell in rows.items():
        lines.append(f"| {label} | " + " | ".join(cell(metrics[name]) for name in MODELS) + " |")
    lines += ["", f"![Per-class test error]({COMPARISON_FIGURE.relative_to('reports')})", "",
              "## Per-class test accuracy (recall)", "",
              "| digit | " + " | ".join(MODELS) + " |", "|---|" + "---|" * len(MODELS)]
    lines += [f"| {digit} | " + " | ".join(f"{per_class[name][str(digit)]['recall']:.2%}"
                                            for name in MODELS) + " |" for digit in range(10)]
    lines += ["", f"Both use `seed: {settings['seed']}` and hold out "
              f"{settings['prepare']['val_fraction']:.0%} of the training images for validation."]
    for name in MODELS:
        lines += ["", f"## {TITLES[name].capitalize()}", "", "| parameter | value |", "|---|---|"]
        lines += [f"| {name}.{key} | {value} |" for key, value in settings[name].items()]
        lines += [""] + [f"![{name}: {figure}]({name}/figures/{figure})" for figure in FIGURES]
    return "\n".join(lines) + "\n"


def main():
    settings = params.load()
    metrics = {name: read_json(ModelFiles(name).metrics, f"evaluate@{name}") for name in MODELS}
    per_class = {name: read_json(ModelFiles(name).per_class, f"evaluate@{name}")
                 for name in MODELS}
    for name in MODELS:
        metrics[name]["macro_f1"] = scoring.macro_f1(per_class[name])
    recalls = {name: [per_class[name][str(d)]["recall"] for d in range(10)] for name in MODELS}
    write_text(PER_CLASS_FILE, "digit," + ",".join(MODELS) + "\n" + "".join(
        f"{digit}," + ",".join(str(recalls[name][digit]) for name in MODELS) + "\n"
        for digit in range(10)))
    save(comparison_figure(recalls), COMPARISON_FIGURE)
    write_text(REPORT_FILE, page(settings, metrics, per_class))


if __name__ == "__main__":
    errors.run(main)
