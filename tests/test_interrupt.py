"""Interrupted work: SIGTERM or Ctrl-C during `train`, `export` or a `dvc repro` keeps no
half-written artifact, and the next `dvc repro` completes with `dvc status` clean.

Each signal is sent at a moment found by reading the pipeline's output as it runs: while the
convnet trains its second epoch, or while the export stage converts it. (The training log that
dvclive writes epoch by epoch keeps the epochs done; DVC sees it changed and rebuilds it.)
"""
import json
import os
import signal
import subprocess
import sys
import time
import zipfile

import psutil
import pytest

from digits.litert import Classifier
from digits.paths import ModelFiles
from tests.conftest import SMOKE_PARAMS, dvc, make_project_copy, set_param

pytestmark = pytest.mark.slow
SECOND_EPOCH = "Epoch 2/2"
EXPORT_WORKING = f"{ModelFiles('cnn').identifier}: converting for LiteRT"


@pytest.fixture(scope="module")
def project(tmp_path_factory, mnist_dir):
    """A small project whose pipeline has run once; then a change that retrains the convnet."""
    project = make_project_copy(tmp_path_factory.mktemp("interrupt"),
                                SMOKE_PARAMS + ("cnn.epochs=2",))
    dvc("repro", cwd=project)
    set_param(project, "cnn.dense_units=24")
    return project


def interrupted_repro(project, marker, send):
    """Run `dvc repro` in its own process group; when `marker` appears in its output, call
    send(dvc's process, the running stage's process) while the group is stopped; return (exit
    code, output) once every process of the group has ended."""
    repro = subprocess.Popen([sys.executable, "-m", "dvc", "repro"], cwd=project,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True,
                             preexec_fn=default_sigint)
    output, stage = [], None
    for line in repro.stdout:
        output.append(line)
        if marker in line:
            # Freeze the whole pipeline where the marker left it: the stage's remaining work may
            # take less time than a busy machine takes to find the stage among dvc's children.
            os.killpg(repro.pid, signal.SIGSTOP)
            try:
                stage = next(child for child in psutil.Process(repro.pid).children(recursive=True)
                             if any(part.startswith("stages.") for part in child.cmdline()))
                send(repro, stage)  # held until the group goes on
            finally:
                os.killpg(repro.pid, signal.SIGCONT)
            break
    output.append(repro.stdout.read())
    code = repro.wait(timeout=300)
    assert stage is not None, "".join(output)
    deadline = time.monotonic() + 120
    while not ended(stage):  # nothing may go on writing behind our back
        assert time.monotonic() < deadline, f"{stage.cmdline()} still runs"
        time.sleep(0.1)
    return code, "".join(output)


def default_sigint():
    """Ctrl-C interrupts, as in a terminal (a background job of a script would ignore it, and so
    would its children)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def ended(process):
    try:
        return process.status() == psutil.STATUS_ZOMBIE  # over, and not yet reaped by its parent
    except psutil.NoSuchProcess:
        return True


def assert_nothing_half_written(project):
    """No temporary file is left; every model and report present is whole."""
    leftovers = [path for folder in ("data", "models", "reports")
                 for path in (project / folder).rglob("*") if path.name.endswith(".tmp")]
    assert leftovers == []
    for model in project.glob("models/*/model.keras"):
        with zipfile.ZipFile(model) as archive:
            assert archive.testzip() is None
    for model in project.glob("models/*/model.tflite"):
        Classifier(model)  # loads, or raises
    for report in project.glob("reports/**/*.json"):
        json.loads(report.read_text())


def test_sigterm_to_the_training_stage(project):
    code, output = interrupted_repro(project, SECOND_EPOCH,
                                     lambda repro, stage: stage.send_signal(signal.SIGTERM))
    assert code != 0 and "interrupted; nothing half-written was kept" in output
    assert "failed to reproduce 'train@cnn'" in output
    assert not (project / "models/cnn/model.keras").exists()  # DVC removed the old one first
    assert_nothing_half_written(project)


def test_sigterm_to_the_whole_dvc_repro(project):  # as systemd, a CI runner or `kill -- -PGID` do
    code, output = interrupted_repro(project, SECOND_EPOCH,
                                     lambda repro, stage: os.killpg(repro.pid, signal.SIGTERM))
    assert code != 0
    assert_nothing_half_written(project)


def test_ctrl_c_during_export(project):
    code, output = interrupted_repro(project, EXPORT_WORKING,
                                     lambda repro, stage: os.killpg(repro.pid, signal.SIGINT))
    assert code != 0 and "interrupted; nothing half-written was kept" in output
    assert "Updating lock file" in output  # train@cnn had completed
    assert not (project / "models/cnn/model.tflite").exists()
    assert_nothing_half_written(project)


def test_the_next_dvc_repro_completes_and_leaves_dvc_status_clean(project):
    dvc("repro", cwd=project)
    assert "Data and pipelines are up to date." in dvc("status", cwd=project).stdout
    assert_nothing_half_written(project)
    assert Classifier(project / "models/cnn/model.tflite").name == "cnn"
