"""Byte-identical reruns, stage skipping and run-cache restores, on a small configuration."""
import json
import re
import time

import pytest

from tests.conftest import SMOKE_PARAMS, dvc, make_project_copy, run

GIT_IDENTITY = ["-c", "user.name=test", "-c", "user.email=test@example.com"]


@pytest.fixture(scope="module")
def smoke_project(tmp_path_factory, mnist_dir):
    project = make_project_copy(tmp_path_factory.mktemp("smoke"), SMOKE_PARAMS)
    dvc("repro", cwd=project)
    run(["git", "add", "-A"], cwd=project)
    run(["git", *GIT_IDENTITY, "commit", "-qm", "smoke run"], cwd=project)
    return project


def output_hashes(project):
    lock = (project / "dvc.lock").read_text()
    return dict(re.findall(r"- path: (\S+)\n\s+hash: md5\n\s+md5: (\w+)", lock))


def test_forced_reruns_give_identical_lock_files(smoke_project):
    first = (smoke_project / "dvc.lock").read_text()
    dvc("repro", "--force", cwd=smoke_project)
    assert (smoke_project / "dvc.lock").read_text() == first
    hashes = output_hashes(smoke_project)
    assert "models/model.keras" in hashes and "reports/figures" in hashes


def test_saved_model_carries_no_save_time_and_loads(smoke_project):
    import zipfile

    import keras

    path = smoke_project / "models/model.keras"
    with zipfile.ZipFile(path) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert "date_saved" not in json.loads(archive.read("metadata.json"))
    assert keras.saving.load_model(path).output_shape == (None, 10)


def test_comment_change_reruns_only_that_stage(smoke_project):
    train_code = smoke_project / "stages/train.py"
    original = train_code.read_text()
    train_code.write_text(original + "\n# a comment changes the code's hash, not its results\n")
    try:
        result = dvc("repro", cwd=smoke_project)
    finally:
        train_code.write_text(original)
    assert "Running stage 'train'" in result.stdout
    for stage in ("evaluate", "visualize"):
        assert f"Running stage '{stage}'" not in result.stdout
        assert f"Stage '{stage}' didn't change, skipping" in result.stdout
    dvc("repro", cwd=smoke_project)  # the lock file back to the original code


def test_returning_to_earlier_params_restores_from_run_cache(smoke_project):
    dvc("exp", "run", "-S", "model.hidden_units=24", cwd=smoke_project)
    started = time.monotonic()
    result = dvc("exp", "run", "-S", "model.hidden_units=16", cwd=smoke_project)
    seconds = time.monotonic() - started
    print(f"experiment restored from the run-cache in {seconds:.1f} s")
    assert "Stage 'train' is cached - skipping run, checking out outputs" in result.stdout
    assert "Running stage" not in result.stdout


def test_experiment_comparison_names_params_and_metrics(smoke_project):
    dvc("exp", "run", "-S", "model.hidden_units=32", cwd=smoke_project)
    shown = dvc("exp", "show", "--only-changed", "--csv", cwd=smoke_project).stdout
    assert "model.hidden_units" in shown and "accuracy" in shown
    params_diff = dvc("params", "diff", cwd=smoke_project).stdout
    assert re.search(r"model.hidden_units\s+16\s+32", params_diff)
    metrics_diff = dvc("metrics", "diff", cwd=smoke_project).stdout
    assert "reports/metrics.json" in metrics_diff and "accuracy" in metrics_diff
    assert "eval.accuracy" in metrics_diff  # validation figures from the training log
