"""Byte-identical reruns, stage skipping and run-cache restores, on a small configuration."""
import csv
import io
import json
import re
import time

import pytest

from tests.conftest import SMOKE_PARAMS, dvc, make_project_copy, run, set_param

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
    for name in ("mlp", "cnn"):
        assert {f"models/{name}/model.keras", f"models/{name}/model.tflite",
                f"reports/{name}/figures"} <= set(hashes)


def test_saved_model_carries_no_save_time_and_loads(smoke_project):
    import zipfile

    import keras

    path = smoke_project / "models/cnn/model.keras"
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
    for name in ("mlp", "cnn"):
        assert f"Running stage 'train@{name}'" in result.stdout
        for stage in ("calibrate", "evaluate", "export", "visualize"):
            assert f"Stage '{stage}@{name}' didn't change, skipping" in result.stdout
    assert "Stage 'report' didn't change, skipping" in result.stdout
    dvc("repro", cwd=smoke_project)  # the lock file back to the original code


def run_experiment(project, *assignments):
    """`dvc exp run -S ...` from the committed params, as the README shows."""
    run(["git", "checkout", "params.yaml"], cwd=project)
    return dvc("exp", "run", *[arg for a in assignments for arg in ("-S", a)], cwd=project)


def test_a_change_to_one_model_reruns_only_its_branch(smoke_project):
    result = run_experiment(smoke_project, "mlp.hidden_units=24")
    for stage in ("train", "calibrate", "evaluate", "export", "visualize"):
        assert f"Running stage '{stage}@mlp'" in result.stdout
        assert f"Running stage '{stage}@cnn'" not in result.stdout
    assert "Running stage 'report'" in result.stdout  # it compares both
    diff = run(["git", "diff", "--unified=0", "params.yaml"], cwd=smoke_project).stdout
    changed = [line for line in diff.splitlines() if line[:1] in "+-"
               and not line.startswith(("+++", "---"))]
    assert changed == ["-  hidden_units: 16", "+  hidden_units: 24"]  # the rest as written


def test_returning_to_earlier_params_restores_from_run_cache(smoke_project):
    run_experiment(smoke_project, "mlp.hidden_units=24")
    started = time.monotonic()
    result = run_experiment(smoke_project, "mlp.hidden_units=16")
    seconds = time.monotonic() - started
    print(f"experiment restored from the run-cache in {seconds:.1f} s")
    assert "Stage 'train@mlp' is cached - skipping run, checking out outputs" in result.stdout
    assert "Running stage" not in result.stdout


def test_experiment_comparison_names_params_and_metrics(smoke_project):
    run_experiment(smoke_project, "mlp.hidden_units=32")
    shown = dvc("exp", "show", "--only-changed", "--csv", cwd=smoke_project).stdout
    assert "mlp.hidden_units" in shown and "accuracy" in shown
    params_diff = dvc("params", "diff", cwd=smoke_project).stdout
    assert re.search(r"mlp.hidden_units\s+16\s+32", params_diff)
    metrics_diff = dvc("metrics", "diff", cwd=smoke_project).stdout
    assert "reports/mlp/metrics.json" in metrics_diff and "accuracy" in metrics_diff


@pytest.mark.parametrize("mistake, message", [
    ("mlp.epochs=-3", "mlp.epochs must be a positive integer, got -3"),
    ("learning_rate: 0.01", "unknown key learning_rate (did you mean mlp.learning_rate or "
                            "cnn.learning_rate?)"),
])
def test_a_mistake_in_params_stops_dvc_repro_before_any_output_is_removed(smoke_project, mistake,
                                                                           message):
    params_file, model = smoke_project / "params.yaml", smoke_project / "models/mlp/model.keras"
    original, trained = params_file.read_text(), model.read_bytes()
    if "=" in mistake:
        set_param(smoke_project, mistake)
    else:  # a key added at the top level, outside the section it belongs to
        params_file.write_text(original + mistake + "\n")
    try:
        result = dvc("repro", cwd=smoke_project, check=False)
    finally:
        params_file.write_text(original)
    assert result.returncode != 0 and message in result.stdout + result.stderr
    assert "Running stage 'check_params'" in result.stdout
    assert "Running stage 'train@mlp'" not in result.stdout
    assert model.read_bytes() == trained
    dvc("repro", cwd=smoke_project)  # back to the committed state
    assert "up to date" in dvc("status", cwd=smoke_project).stdout


def test_temp_experiments_each_start_from_the_committed_params(smoke_project):
    """The README's workflow, followed literally: the second experiment does not inherit the
    first one's change."""
    run(["git", "checkout", "params.yaml"], cwd=smoke_project)
    committed = (smoke_project / "params.yaml").read_text()
    dvc("exp", "run", "--temp", "-n", "two-epochs", "-S", "mlp.epochs=2", cwd=smoke_project)
    dvc("exp", "run", "--temp", "-n", "wider", "-S", "mlp.hidden_units=24", cwd=smoke_project)
    assert (smoke_project / "params.yaml").read_text() == committed
    shown = dvc("exp", "show", "--csv", cwd=smoke_project).stdout
    table = {row["Experiment"]: row for row in csv.DictReader(io.StringIO(shown))}
    assert table["wider"]["mlp.epochs"] == "1" and table["wider"]["mlp.hidden_units"] == "24"
    assert table["two-epochs"]["mlp.epochs"] == "2"
