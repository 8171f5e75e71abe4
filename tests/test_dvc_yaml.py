"""dvc.yaml against the code: each stage's Python deps are what its module imports, and its
outputs are where digits/paths.py says the artifacts live."""
import ast

import pytest
import yaml

from digits.paths import MODELS, ModelFiles
from tests.conftest import ROOT

PIPELINE = yaml.safe_load((ROOT / "dvc.yaml").read_text())
STAGES = PIPELINE["stages"]


def module_file(dotted):
    """The project's file for a module name, or None for a module from elsewhere."""
    path = ROOT.joinpath(*dotted.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def imported_names(path):
    """Every module named by an import statement anywhere in the file (functions included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def python_deps(path):
    """The project's files that running `path` executes: its imports, transitively, with the
    __init__.py of every package on the way."""
    found, pending = set(), [path]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.add(current)
        for name in imported_names(current):
            parts = name.split(".")
            pending.extend(filter(None, (module_file(".".join(parts[:i]))
                                         for i in range(1, len(parts) + 1))))
    package = path.parent
    while (package / "__init__.py").is_file():
        found.add(package / "__init__.py")
        package = package.parent
    return {file.relative_to(ROOT).as_posix() for file in found}


def stage_module(stage):
    command = stage["cmd"].split()
    assert command[:3] == ["python", "-m", command[2]] and command[2].startswith("stages.")
    return ROOT / (command[2].replace(".", "/") + ".py")


@pytest.mark.parametrize("name", STAGES)
def test_python_deps_are_what_the_stage_imports(name):
    stage = STAGES[name]
    listed = {dep for dep in stage["deps"] if dep.endswith(".py")}
    assert listed == python_deps(stage_module(stage)), (
        f"dvc.yaml stage {name}: missing {sorted(python_deps(stage_module(stage)) - listed)}, "
        f"not imported {sorted(listed - python_deps(stage_module(stage)))}")


def expand(stage, model):
    """The stage's outputs and metrics with ${item.model} filled in."""
    paths = [next(iter(out)) if isinstance(out, dict) else out
             for key in ("outs", "metrics") for out in stage.get(key, [])]
    return {path.replace("${item.model}", model) for path in paths}


def makers():
    """{output path: the stage that writes it}, for every model."""
    return {out: name for name, stage in STAGES.items()
            for model in stage.get("matrix", {}).get("model", [""])
            for out in expand(stage, model)}


def test_every_model_file_is_an_output_of_a_stage():
    outputs = set(makers())
    for name in MODELS:
        files = ModelFiles(name)
        for path in (files.keras, files.identifier, files.calibration, files.tflite,
                     files.train_log, files.metrics, files.per_class, files.predictions,
                     files.probabilities, files.export_check, files.figures):
            assert path.as_posix() in outputs, path


def test_matrix_stages_cover_both_models():
    for name in ("train", "evaluate", "export", "visualize"):
        assert STAGES[name]["matrix"] == {"model": list(MODELS)}
    assert {"mlp", "cnn"} == set(MODELS)


def test_every_params_section_is_read_by_some_stage():
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    used = {key.split(".")[0] for stage in STAGES.values() for key in stage.get("params", [])
            if not key.startswith("${")}
    used |= set(MODELS)  # as ${item.model}
    assert set(params) == used, f"params.yaml sections no stage lists: {set(params) - used}"
    assert "params.yaml" in STAGES["check_params"]["deps"]


def test_every_stage_runs_after_check_params():
    """So that a mistake in params.yaml stops dvc repro before any output is removed."""
    made_by = makers()
    for name in STAGES:
        pending, upstream = [name], set()
        while pending:
            for dep in STAGES[pending.pop()].get("deps", []):
                for model in MODELS:
                    maker = made_by.get(dep.replace("${item.model}", model))
                    if maker and maker not in upstream:
                        upstream.add(maker)
                        pending.append(maker)
        assert name == "check_params" or "check_params" in upstream, name


def test_the_app_model_is_a_registered_artifact():
    artifact = PIPELINE["artifacts"]["digit-identifier"]
    assert artifact["path"] == ModelFiles("cnn").tflite.as_posix() and artifact["type"] == "model"
