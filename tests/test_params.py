"""params.yaml validation: every bad value stops a stage with one line naming the key."""
import sys

import pytest
import yaml

from stages import params
from stages.cli import StageError
from tests.conftest import ROOT, run, set_param


@pytest.fixture
def params_file(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text((ROOT / "params.yaml").read_text())
    return path


def test_project_params_are_valid():
    values = params.load(ROOT / "params.yaml")
    assert values["train"]["epochs"] == 10 and values["train"]["batch_size"] == 32
    assert values["model"] == {"arch": "mlp", "hidden_units": 128}
    assert values["prepare"]["val_fraction"] == 0.2


@pytest.mark.parametrize("assignment, message", [
    ("train.epochs=-3", "train.epochs must be a positive integer, got -3"),
    ("train.epochs=2.5", "train.epochs must be a positive integer, got 2.5"),
    ("train.batch_size=true", "train.batch_size must be a positive integer, got True"),
    ("prepare.val_fraction=1.5", "prepare.val_fraction must be a number between 0 and 1"),
    ("model.arch=transformer", "model.arch must be one of mlp"),
    ("train.learning_rate=0", "train.learning_rate must be a positive number, got 0"),
    ("train.jit_compile=maybe", "train.jit_compile must be true or false, got 'maybe'"),
    ("fetch.mirrors=[]", "fetch.mirrors must be a non-empty list of URLs"),
    ("seed=-1", "seed must be a non-negative integer, got -1"),
])
def test_bad_values_name_the_key(params_file, assignment, message):
    set_param(params_file.parent, assignment)
    with pytest.raises(StageError) as error:
        params.load(params_file)
    assert str(error.value).startswith(f"{params_file}: {message}")


def test_unknown_key_suggests_the_right_one(params_file):
    values = yaml.safe_load(params_file.read_text())
    values["train"]["epoch"] = values["train"].pop("epochs")
    params_file.write_text(yaml.safe_dump(values))
    with pytest.raises(StageError, match=r"unknown key train.epoch \(did you mean train.epochs"):
        params.load(params_file)


def test_missing_key(params_file):
    values = yaml.safe_load(params_file.read_text())
    del values["model"]["hidden_units"]
    params_file.write_text(yaml.safe_dump(values))
    with pytest.raises(StageError, match="model.hidden_units is missing"):
        params.load(params_file)


def test_invalid_yaml_names_the_line(params_file):
    params_file.write_text("seed: 1\ntrain: [unclosed\n")
    with pytest.raises(StageError, match=r"is not valid YAML at line \d"):
        params.load(params_file)


@pytest.mark.parametrize("stage", ["prepare", "train"])
def test_stage_with_bad_params_exits_cleanly_and_writes_nothing(params_file, stage):
    set_param(params_file.parent, "train.epochs=-3")
    set_param(params_file.parent, "prepare.val_fraction=2")  # first error wins; both are bad
    result = run([sys.executable, "-m", f"stages.{stage}"], cwd=params_file.parent,
                 env={"PYTHONPATH": str(ROOT)}, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: params.yaml: ")
    assert sorted(p.name for p in params_file.parent.iterdir()) == ["params.yaml"]
