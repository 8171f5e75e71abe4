"""End to end: `dvc repro` with the default params on real MNIST, every artifact checked."""
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ROOT, dvc

FIGURES = ("samples.png", "confident_mistakes.png", "confusion_matrix.png", "training_curves.png")


def test_default_recipe_reaches_target_accuracy(default_run):
    metrics = json.loads((default_run / "reports/metrics.json").read_text())
    assert metrics["accuracy"] >= 0.973, metrics
    assert 0 < metrics["loss"] < 0.15
    assert metrics["macro_f1"] >= 0.97
    assert set(metrics["per_class"]) == {str(d) for d in range(10)}
    assert all(0.9 < s["f1"] <= 1 for s in metrics["per_class"].values())
    assert metrics["val"]["accuracy"] >= 0.96  # validation is scored, and is a fair guide


def test_prepared_arrays_are_shaped_and_scaled(default_run):
    folder = default_run / "data/prepared"
    for split, size in {"train": 48000, "val": 12000, "test": 10000}.items():
        x = np.load(folder / f"x_{split}.npy", mmap_mode="r")
        assert x.shape == (size, 28, 28) and x.dtype == np.float32
        assert np.load(folder / f"y_{split}.npy").shape == (size,)


def test_model_loads_and_predicts(default_run):
    import keras

    model = keras.saving.load_model(default_run / "models/model.keras")
    assert [type(layer).__name__ for layer in model.layers[1:]] == ["Flatten", "Dense", "Dense"]
    assert model.layers[2].units == 128 and model.layers[2].activation.__name__ == "relu"
    x = np.load(default_run / "data/prepared/x_test.npy")[:100]
    probabilities = model.predict(x, verbose=0)
    assert probabilities.shape == (100, 10)
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)


def test_evaluation_outputs(default_run):
    probabilities = np.load(default_run / "reports/test_probabilities.npy")
    assert probabilities.shape == (10000, 10) and probabilities.min() >= 0
    rows = (default_run / "reports/predictions.csv").read_text().splitlines()
    assert rows[0] == "actual,predicted" and len(rows) == 10001
    actual = np.array([int(r.split(",")[0]) for r in rows[1:]])
    assert np.array_equal(actual, np.load(default_run / "data/prepared/y_test.npy"))


def test_training_log_has_every_epoch(default_run):
    for split in ("train", "eval"):
        for metric in ("loss", "accuracy"):
            lines = (default_run / f"reports/train/plots/metrics/{split}/{metric}.tsv")\
                .read_text().splitlines()
            assert lines[0] == f"step\t{metric}" and len(lines) == 11


@pytest.mark.parametrize("name", FIGURES)
def test_figures_are_real_images(default_run, name):
    with Image.open(default_run / "reports/figures" / name) as image:
        assert image.format == "PNG" and image.width >= 400 and image.height >= 300
        assert len(np.unique(np.asarray(image.convert("L")))) > 10  # drawn, not blank


def test_nothing_changed_means_nothing_runs(default_run):
    result = dvc("repro", cwd=default_run)
    assert "Data and pipelines are up to date." in result.stdout
    status = dvc("status", cwd=default_run)
    assert "up to date" in status.stdout


def test_metrics_show_reports_test_accuracy(default_run):
    shown = json.loads(dvc("metrics", "show", "--json", cwd=default_run).stdout)
    workspace = next(iter(shown.values()))["data"]
    assert workspace["reports/metrics.json"]["data"]["accuracy"] >= 0.973


@pytest.mark.parametrize("module", ["fetch", "prepare", "visualize", "predict", "serve"])
def test_stages_that_need_no_model_training_never_import_tensorflow(module):
    check = (f"import sys, stages.{module}\n"
             "heavy = sorted({'tensorflow', 'keras'} & set(sys.modules))\n"
             "print(','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == ""
