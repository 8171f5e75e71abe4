"""params.yaml validation: every bad value stops a stage with one line naming the key."""
import sys

import pytest
import yaml

from digits import params
from digits.errors import UserError
from tests.conftest import ROOT, run, set_param


@pytest.fixture
def params_file(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text((ROOT / "params.yaml").read_text())
    return path


def test_project_params_are_valid_and_the_mlp_is_the_original_recipe():
    values = params.load(ROOT / "params.yaml")
    assert {key: values["mlp"][key] for key in ("hidden_units", "epochs", "batch_size",
                                                "learning_rate")} == {
        "hidden_units": 128, "epochs": 10, "batch_size": 32, "learning_rate": 0.001}
    assert values["prepare"]["val_fraction"] == 0.2


@pytest.mark.parametrize("assignment, message", [
    ("mlp.epochs=-3", "mlp.epochs must be a positive integer, got -3"),
    ("cnn.epochs=2.5", "cnn.epochs must be a positive integer, got 2.5"),
    ("mlp.batch_size=true", "mlp.batch_size must be a positive integer, got True"),
    ("prepare.val_fraction=1.5", "prepare.val_fraction must be a number between 0 and 1"),
    ("devices.distribute=tpu", "devices.distribute must be one of auto, none, mirrored"),
    ("cnn.learning_rate=0", "cnn.learning_rate must be a positive number, got 0"),
    ("mlp.jit_compile=maybe", "mlp.jit_compile must be true or false, got 'maybe'"),
    ("cnn.warmup_epochs=40", "cnn.warmup_epochs (40) must be less than cnn.epochs"),
    ("fetch.mirrors=[]", "fetch.mirrors must be a non-empty list of URLs"),
    ("seed=-1", "seed must be a non-negative integer, got -1"),
])
def test_bad_values_name_the_key(params_file, assignment, message):
    set_param(params_file.parent, assignment)
    with pytest.raises(UserError) as error:
        params.load(params_file)
    assert str(error.value).startswith(f"{params_file}: {message}")


def test_unknown_key_suggests_the_right_one(params_file):
    values = yaml.safe_load(params_file.read_text())
    values["mlp"]["epoch"] = values["mlp"].pop("epochs")
    params_file.write_text(yaml.safe_dump(values))
    with pytest.raises(UserError, match=r"unknown key mlp.epoch \(did you mean mlp.epochs"):
        params.load(params_file)


def test_a_key_outside_its_section_names_the_sections_that_have_it(params_file):
    params_file.write_text(params_file.read_text() + "learning_rate: 0.01\n")
    with pytest.raises(UserError, match=r"unknown key learning_rate \(did you mean "
                                        r"mlp.learning_rate or cnn.learning_rate\?\)"):
        params.load(params_file)


@pytest.mark.parametrize("written, value", [("5e-4", 0.0005), ("1e-3", 0.001), ("3E-3", 0.003),
                                            ("0.002", 0.002), ("1e0", 1.0)])
def test_numbers_are_read_as_dvc_reads_them(params_file, written, value):
    text = params_file.read_text().replace("learning_rate: 0.001", f"learning_rate: {written}")
    params_file.write_text(text)
    assert params.load(params_file)["mlp"]["learning_rate"] == value


def test_missing_key(params_file):
    values = yaml.safe_load(params_file.read_text())
    del values["mlp"]["hidden_units"]
    params_file.write_text(yaml.safe_dump(values))
    with pytest.raises(UserError, match="mlp.hidden_units is missing"):
        params.load(params_file)


def test_invalid_yaml_names_the_line(params_file):
    params_file.write_text("seed: 1\ntrain: [unclosed\n")
    with pytest.raises(UserError, match=r"is not valid YAML at line \d"):
        params.load(params_file)


@pytest.mark.parametrize("stage", [["check_params"], ["prepare"], ["train", "mlp"]])
def test_stage_with_bad_params_exits_cleanly_and_writes_nothing(params_file, stage):
    set_param(params_file.parent, "mlp.epochs=-3")
    set_param(params_file.parent, "prepare.val_fraction=2")  # first error wins; both are bad
    result = run([sys.executable, "-m", f"stages.{stage[0]}", *stage[1:]], cwd=params_file.parent,
                 env={"PYTHONPATH": str(ROOT)}, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: params.yaml: ")
    assert sorted(p.name for p in params_file.parent.iterdir()) == ["params.yaml"]
