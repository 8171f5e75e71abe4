"""Load params.yaml and check every value before a stage uses it.

Each rule names what a key must be; a bad value stops the stage with one line such as
``params.yaml: train.epochs must be a positive integer, got -3``.
"""
import difflib
from pathlib import Path

import yaml

from stages.cli import StageError

PARAMS_FILE = Path("params.yaml")


def _positive_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _non_negative_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _positive_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _non_negative_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def _unit_interval(value):
    return _non_negative_number(value) and value < 1


def _positive_int_list(value):
    return isinstance(value, list) and len(value) > 0 and all(map(_positive_int, value))


def _fraction(value):
    return isinstance(value, float) and 0 < value < 1


def _url_list(value):
    return (isinstance(value, list) and len(value) > 0
            and all(isinstance(url, str) and "://" in url for url in value))


def _boolean(value):
    return isinstance(value, bool)


def _one_of(*choices):
    def rule(value):
        return isinstance(value, str) and value in choices
    rule.description = "one of " + ", ".join(choices)
    return rule


_positive_int.description = "a positive integer"
_non_negative_int.description = "a non-negative integer"
_positive_number.description = "a positive number"
_fraction.description = "a number between 0 and 1 (exclusive)"
_non_negative_number.description = "a number >= 0"
_unit_interval.description = "a number from 0 up to (not including) 1"
_positive_int_list.description = "a non-empty list of positive integers"
_url_list.description = "a non-empty list of URLs"
_boolean.description = "true or false"

# The expected shape of params.yaml: section -> key -> rule (a top-level key maps to its rule).
RULES = {
    "seed": _non_negative_int,
    "fetch": {"mirrors": _url_list, "timeout_seconds": _positive_number},
    "prepare": {"val_fraction": _fraction},
    "model": {"arch": _one_of("mlp", "cnn"), "hidden_units": _positive_int},
    "train": {
        "epochs": _positive_int,
        "batch_size": _positive_int,
        "learning_rate": _positive_number,
        "steps_per_execution": _positive_int,
        "jit_compile": _boolean,
        "distribute": _one_of("auto", "none", "mirrored"),
    },
    "cnn": {
        "filters": _positive_int_list,
        "convs_per_block": _positive_int,
        "kernel_size": _positive_int,
        "dense_units": _positive_int,
        "dropout": _unit_interval,
        "epochs": _positive_int,
        "batch_size": _positive_int,
        "learning_rate": _positive_number,
        "warmup_epochs": _non_negative_int,
        "label_smoothing": _unit_interval,
        "ema_momentum": _unit_interval,
        "rotation_degrees": _non_negative_number,
        "zoom": _unit_interval,
        "shift_pixels": _non_negative_number,
        "mixed_precision": _boolean,
        "steps_per_execution": _positive_int,
        "jit_compile": _boolean,
    },
    "visualize": {"sample_grid": _positive_int, "worst_count": _positive_int},
}


def _check(values, rules, source, prefix=""):
    if not isinstance(values, dict):
        raise StageError(f"{source}: {prefix.rstrip('.') or 'the file'} must be a mapping "
                         "of keys to values")
    for key in values:
        if key not in rules:
            hint = difflib.get_close_matches(str(key), list(rules), n=1)
            suggestion = f" (did you mean {prefix}{hint[0]}?)" if hint else ""
            raise StageError(f"{source}: unknown key {prefix}{key}{suggestion}")
    for key, rule in rules.items():
        name = prefix + key
        if key not in values:
            raise StageError(f"{source}: {name} is missing; add it (see README.md)")
        if isinstance(rule, dict):
            _check(values[key], rule, source, name + ".")
        elif not rule(values[key]):
            raise StageError(f"{source}: {name} must be {rule.description}, "
                             f"got {values[key]!r}")


def load(path=PARAMS_FILE):
    """Return the whole of params.yaml as a dict, every value checked."""
    try:
        values = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StageError(f"{path} not found; run the stage from the project root") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise StageError(f"{path} is not valid YAML{where}; fix its syntax") from None
    _check(values, RULES, path)
    return values
