"""End to end: `dvc repro` with the default params on real MNIST, every artifact checked."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from digits.paths import FIGURES, MODELS, ModelFiles
from tests.conftest import ROOT, dvc, run

TARGETS = {"mlp": 0.973, "cnn": 0.996}  # test accuracy of each default recipe


@pytest.mark.parametrize("name", MODELS)
def test_default_recipes_reach_their_target_accuracy(default_run, name):
    metrics = json.loads((default_run / ModelFiles(name).metrics).read_text())
    print(f"{name}: {metrics}")
    assert metrics["accuracy"] >= TARGETS[name], metrics
    assert 0 < metrics["loss"] < 0.15
    assert metrics["val_accuracy"] >= TARGETS[name] - 0.01  # validation is a fair guide
    per_class = json.loads((default_run / ModelFiles(name).per_class).read_text())
    assert set(per_class) == {str(d) for d in range(10)}
    assert all(0.9 < s["f1"] <= 1 for s in per_class.values())


def test_the_convnet_knows_when_it_does_not_know(default_run):
    """Calibrated on validation, measured on the test set and on non-digits in unseen fonts."""
    metrics = json.loads((default_run / ModelFiles("cnn").metrics).read_text())
    assert metrics["ece"] <= 0.01 and metrics["ece"] < metrics["ece_raw"], metrics
    assert metrics["answered"] >= 0.995, metrics
    assert metrics["nondigits_refused"] >= 0.90, metrics


def test_metrics_fit_a_terminal(default_run):
    """Only the headline figures are metrics; per-class tables live in plain files."""
    for name in MODELS:
        metrics = json.loads((default_run / ModelFiles(name).metrics).read_text())
        assert set(metrics) == {"accuracy", "loss", "val_accuracy", "ece_raw", "ece", "answered",
                                "nondigits_refused"}
    shown = dvc("metrics", "show", cwd=default_run).stdout
    assert max(map(len, shown.splitlines())) <= 120, shown
    assert "reports/mlp/metrics.json" in shown and "reports/cnn/metrics.json" in shown


def test_prepared_arrays_are_shaped_and_scaled(default_run):
    folder = default_run / "data/prepared"
    for split, size in {"train": 48000, "val": 12000, "test": 10000}.items():
        x = np.load(folder / f"x_{split}.npy", mmap_mode="r")
        assert x.shape == (size, 28, 28) and x.dtype == np.float32
        assert np.load(folder / f"y_{split}.npy").shape == (size,)


def test_the_mlp_is_the_original_recipe(default_run):
    import keras

    model = keras.saving.load_model(default_run / ModelFiles("mlp").keras)
    assert [type(layer).__name__ for layer in model.layers[1:]] == ["Flatten", "Dense", "Dense"]
    assert model.layers[2].units == 128 and model.layers[2].activation.__name__ == "relu"
    assert model.layers[3].activation.__name__ == "softmax"
    x = np.load(default_run / "data/prepared/x_test.npy")[:100]
    probabilities = model.predict(x, verbose=0)
    assert probabilities.shape == (100, 10)
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)


@pytest.mark.parametrize("name", MODELS)
def test_evaluation_outputs(default_run, name):
    files = ModelFiles(name)
    probabilities = np.load(default_run / files.probabilities)
    assert probabilities.shape == (10000, 10) and probabilities.min() >= 0
    rows = (default_run / files.predictions).read_text().splitlines()
    assert rows[0] == "actual,predicted" and len(rows) == 10001
    actual = np.array([int(r.split(",")[0]) for r in rows[1:]])
    assert np.array_equal(actual, np.load(default_run / "data/prepared/y_test.npy"))


@pytest.mark.parametrize("name", MODELS)
def test_export_checked_litert_on_the_whole_test_set(default_run, name):
    check = json.loads((default_run / ModelFiles(name).export_check).read_text())
    assert check["test_images"] == 10000 and check["agreement"] >= 0.999
    assert check["max_probability_difference"] <= 1e-4


@pytest.mark.parametrize("name", MODELS)
def test_training_log_counts_epochs_from_one_and_validates_as_asked(default_run, name):
    import yaml

    recipe = yaml.safe_load((default_run / "params.yaml").read_text())[name]
    epochs, every = recipe["epochs"], recipe.get("validate_every", 1)
    validated = list(range(every, epochs + 1, every)) + ([epochs] if epochs % every else [])
    for split, steps in (("train", list(range(1, epochs + 1))), ("eval", validated)):
        for metric in ("loss", "accuracy"):
            log = default_run / ModelFiles(name).train_log / "plots/metrics" / split
            lines = (log / f"{metric}.tsv").read_text().splitlines()
            assert lines[0] == f"step\t{metric}"
            assert [int(line.split("\t")[0]) for line in lines[1:]] == steps


@pytest.mark.parametrize("figure", [f"{name}/figures/{figure}" for name in MODELS
                                    for figure in FIGURES] + ["figures/per_class_accuracy.png"])
def test_figures_are_real_images(default_run, figure):
    with Image.open(default_run / "reports" / figure) as image:
        assert image.format == "PNG" and image.width >= 400 and image.height >= 300
        assert len(np.unique(np.asarray(image.convert("L")))) > 10  # drawn, not blank


def test_the_report_compares_both_models(default_run):
    report = (default_run / "reports/report.md").read_text()
    for name in MODELS:
        accuracy = json.loads((default_run / ModelFiles(name).metrics).read_text())["accuracy"]
        assert f"**{accuracy:.2%}**" in report
        assert all(f"({name}/figures/{figure})" in report for figure in FIGURES)
    rows = (default_run / "reports/per_class.csv").read_text().splitlines()
    assert rows[0] == "digit,mlp,cnn" and len(rows) == 11


def test_nothing_changed_means_nothing_runs(default_run):
    result = dvc("repro", cwd=default_run)
    assert "Data and pipelines are up to date." in result.stdout
    status = dvc("status", cwd=default_run)
    assert "up to date" in status.stdout


@pytest.mark.parametrize("module", ["stages.fetch", "stages.prepare", "stages.visualize",
                                    "stages.report", "stages.check_params",
                                    "digits.apps.predict", "digits.apps.serve"])
def test_what_needs_no_training_never_imports_tensorflow(module):
    check = (f"import sys, {module}\n"
             "heavy = sorted({'tensorflow', 'keras'} & set(sys.modules))\n"
             "print(','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_apps_model_is_a_versioned_artifact(default_run, tmp_path):
    """Registered with a GTO tag as the README shows, then found by name, version and stage."""
    if os.environ.get("DIGITS_TEST_RUN"):
        pytest.skip("it commits and tags in the run's folder: only in default_run's own copy")
    from dvc.api import artifacts_show

    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"]
    run([*git, "add", "-A"], cwd=default_run)
    run([*git, "commit", "-qm", "a run of the pipeline"], cwd=default_run)
    run([*git, "tag", "-a", "digit-identifier@v1.0.0", "-m", "the convnet"], cwd=default_run)
    run([*git, "tag", "-a", "digit-identifier#prod#1", "-m", "v1.0.0 to prod"], cwd=default_run)
    for version in ({"version": "v1.0.0"}, {"stage": "prod"}, {}):
        shown = artifacts_show("digit-identifier", repo=str(default_run), **version)
        assert shown["path"] == "models/cnn/model.tflite", version
    for choice, name in ((["--rev", "v1.0.0"], "v1.tflite"), (["--stage", "prod"], "prod.tflite")):
        dvc("artifacts", "get", ".", "digit-identifier", *choice, "-o", tmp_path / name,
            cwd=default_run)
        fetched = (tmp_path / name).read_bytes()
        assert fetched == (default_run / "models/cnn/model.tflite").read_bytes()
