"""Shared fixtures: the real MNIST files, and throw-away copies of the project to run DVC in.

A test that needs a pipeline run (or a model trained by one) is marked slow automatically;
`python -m pytest -m "not slow"` runs the rest in under a minute.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def mnist_folder():
    """The four original MNIST files: MNIST_MIRROR, else ../shared/mnist, else data/raw
    (where `dvc repro` put them)."""
    if os.environ.get("MNIST_MIRROR"):
        folder = Path(os.environ["MNIST_MIRROR"])
        return (folder if folder.is_absolute() else ROOT / folder).resolve()
    shared = (ROOT.parent / "shared" / "mnist").resolve()
    return shared if shared.is_dir() else ROOT / "data" / "raw"


# Fixtures that run the pipeline (or part of it): a test that uses one is slow.
SLOW_FIXTURES = {"default_run", "tflite_model", "smoke_project", "prepared_project",
                 "live_server"}


def pytest_collection_modifyitems(items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_configure(config):
    # Stages run inside temporary copies of the project, so a relative mirror must be resolved.
    os.environ["MNIST_MIRROR"] = str(mnist_folder())
    # dvc runs each stage's `python -m …` from PATH: make it this interpreter, venv or not.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium package; Playwright downloads none
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason=f"{CHROMIUM} not found: apt-get install chromium")


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, with nothing in the background that would reach the network."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def mnist_dir():
    folder = mnist_folder()
    if not (folder / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"the MNIST files are not in {folder}; run `dvc repro` or set MNIST_MIRROR")
    return folder


def run(args, cwd, env=None, check=True):
    """Run a command (text output captured); fail the test with its output if it fails."""
    result = subprocess.run(args, cwd=cwd, env={**os.environ, **(env or {})},
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(map(str, args))} exited {result.returncode}\n"
                    f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def dvc(*args, cwd, **kwargs):
    return run([sys.executable, "-m", "dvc", *args], cwd=cwd, **kwargs)


def make_project_copy(destination, params_overrides=()):
    """Copy the project's own files (what git tracks or would track) into a fresh git repo."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\n")
    for name in filter(None, listed):
        if (ROOT / name).is_file() and not name.startswith(("data/", "models/", "reports/")):
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
    (destination / "dvc.lock").unlink(missing_ok=True)
    for override in params_overrides:
        set_param(destination, override)
    run(["git", "init", "-q"], cwd=destination)
    run(["git", "add", "-A"], cwd=destination)
    run(["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-qm",
         "copy"], cwd=destination)
    return destination


def set_param(project, assignment):
    """Apply 'section.key=value' (a YAML value) to the project's params.yaml, keeping its comments
    and layout, as `dvc exp run -S` does."""
    import yaml
    from dvc.utils.serialize import modify_yaml

    key, value = assignment.split("=", 1)
    with modify_yaml(project / "params.yaml") as values:
        *sections, last = key.split(".")
        node = values
        for section in sections:
            node = node[section]
        node[last] = yaml.safe_load(value)


# A small configuration that exercises every stage of both models in seconds. Two heads per
# detector still average (the default run trains the five a user gets): 86 s against 107 s.
SMOKE_PARAMS = ("mlp.epochs=1", "mlp.hidden_units=16", "cnn.epochs=1", "cnn.warmup_epochs=0",
                "cnn.filters=[4, 8]", "cnn.convs_per_block=[1, 1]", "cnn.dense_units=16",
                "nondigits.train=1000", "nondigits.val=300", "nondigits.test=300",
                "photograph.photos=100",
                "calibrate.head_digits=2000", "calibrate.head_pairs=1000",
                "calibrate.head_epochs=1", "calibrate.heads=2", "visualize.sample_grid=3")


@pytest.fixture(scope="session")
def tflite_model(default_run):
    """The LiteRT model that the default pipeline exported for the apps: the convnet."""
    return default_run / "models/cnn/model.tflite"


@pytest.fixture(scope="session")
def default_run(tmp_path_factory, mnist_dir):
    """The whole pipeline with the default params, run once by `dvc repro` in a copy of the
    project. For quick turns on app tests, DIGITS_TEST_RUN may name a folder where the pipeline
    already ran (its models/ and data/prepared/ are used); CI never sets it."""
    if os.environ.get("DIGITS_TEST_RUN"):
        return Path(os.environ["DIGITS_TEST_RUN"]).resolve()
    project = make_project_copy(tmp_path_factory.mktemp("default"))
    dvc("repro", cwd=project)
    return project
