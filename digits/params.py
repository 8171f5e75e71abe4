"""Load params.yaml and check every value before anything uses it.

A mistake stops with one line that names the key, e.g.
``params.yaml: mlp.epochs must be a positive integer, got -3``.
"""
import difflib
import re

import yaml

from digits.errors import UserError
from digits.paths import PARAMS_FILE


def _rule(description, test):
    test.description = description
    return test


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


POSITIVE_INT = _rule("a positive integer", lambda v: _is_int(v) and v > 0)
NON_NEGATIVE_INT = _rule("a non-negative integer", lambda v: _is_int(v) and v >= 0)
POSITIVE_NUMBER = _rule("a positive number", lambda v: _is_number(v) and v > 0)
NON_NEGATIVE_NUMBER = _rule("a number >= 0", lambda v: _is_number(v) and v >= 0)
FRACTION = _rule("a number between 0 and 1 (exclusive)", lambda v: _is_number(v) and 0 < v < 1)
UNIT_INTERVAL = _rule("a number from 0 up to (not including) 1",
                      lambda v: _is_number(v) and 0 <= v < 1)
BOOLEAN = _rule("true or false", lambda v: isinstance(v, bool))
POSITIVE_INT_LIST = _rule("a non-empty list of positive integers",
                          lambda v: isinstance(v, list) and v and all(map(POSITIVE_INT, v)))
URL_LIST = _rule("a non-empty list of URLs", lambda v: isinstance(v, list) and v and all(
    isinstance(url, str) and "://" in url for url in v))


def one_of(*choices):
    return _rule("one of " + ", ".join(choices), lambda v: isinstance(v, str) and v in choices)


# The expected shape of params.yaml: section -> key -> rule (a top-level key maps to its rule).
RULES = {
    "seed": NON_NEGATIVE_INT,
    "fetch": {"mirrors": URL_LIST, "timeout_seconds": POSITIVE_NUMBER},
    "prepare": {"val_fraction": FRACTION},
    "mlp": {
        "hidden_units": POSITIVE_INT,
        "epochs": POSITIVE_INT,
        "batch_size": POSITIVE_INT,
        "learning_rate": POSITIVE_NUMBER,
        "steps_per_execution": POSITIVE_INT,
        "jit_compile": BOOLEAN,
    },
    "cnn": {
        "filters": POSITIVE_INT_LIST,
        "convs_per_block": POSITIVE_INT_LIST,
        "first_conv_batch_norm": BOOLEAN,
        "kernel_size": POSITIVE_INT,
        "dense_units": POSITIVE_INT,
        "dropout": UNIT_INTERVAL,
        "epochs": POSITIVE_INT,
        "validate_every": POSITIVE_INT,
        "batch_size": POSITIVE_INT,
        "learning_rate": POSITIVE_NUMBER,
        "warmup_epochs": NON_NEGATIVE_INT,
        "label_smoothing": UNIT_INTERVAL,
        "ema_momentum": UNIT_INTERVAL,
        "rotation_degrees": NON_NEGATIVE_NUMBER,
        "zoom": UNIT_INTERVAL,
        "shift_pixels": NON_NEGATIVE_NUMBER,
        "thickness_fraction": UNIT_INTERVAL,
        "thickness_window": POSITIVE_INT,
        "flagged_ones": UNIT_INTERVAL,
        "crossed_sevens": UNIT_INTERVAL,
        "photographed": BOOLEAN,
        "mixed_precision": BOOLEAN,
        "steps_per_execution": POSITIVE_INT,
        "jit_compile": BOOLEAN,
    },
    "nondigits": {"train": POSITIVE_INT, "val": POSITIVE_INT, "test": POSITIVE_INT},
    "photograph": {"photos": NON_NEGATIVE_INT},
    "calibrate": {
        "head_digits": POSITIVE_INT,
        "head_epochs": POSITIVE_INT,
        "heads": POSITIVE_INT,
        "digits_called_not_a_digit": FRACTION,
        "head_pairs": POSITIVE_INT,
        "digits_called_two_digits": FRACTION,
        "digits_not_sure": FRACTION,
    },
    "devices": {"distribute": one_of("auto", "none", "mirrored")},
    "visualize": {"sample_grid": POSITIVE_INT, "worst_count": POSITIVE_INT},
}


def _check_relations(values, source):
    """Rules that tie two keys together."""
    cnn = values["cnn"]
    if len(cnn["convs_per_block"]) != len(cnn["filters"]):
        raise UserError(f"{source}: cnn.convs_per_block needs one entry per block of "
                        f"cnn.filters ({len(cnn['filters'])}), got {cnn['convs_per_block']}")
    if cnn["warmup_epochs"] >= cnn["epochs"]:
        raise UserError(f"{source}: cnn.warmup_epochs ({cnn['warmup_epochs']}) must be less "
                        f"than cnn.epochs ({cnn['epochs']})")


def _hint(key, rules, prefix):
    """Where an unknown key probably belongs."""
    homes = [f"{section}.{key}" for section, rule in rules.items()
             if isinstance(rule, dict) and key in rule]
    close = [prefix + match for match in difflib.get_close_matches(str(key), list(rules), n=1)]
    if homes or close:
        return f"did you mean {' or '.join(homes or close)}?"
    return f"known keys: {', '.join(prefix + known for known in rules)}"


def _check(values, rules, source, prefix=""):
    if not isinstance(values, dict):
        raise UserError(f"{source}: {prefix.rstrip('.') or 'the file'} must be a mapping "
                        "of keys to values")
    for key in values:
        if key not in rules:
            raise UserError(f"{source}: unknown key {prefix}{key} ({_hint(key, rules, prefix)})")
    for key, rule in rules.items():
        name = prefix + key
        if key not in values:
            raise UserError(f"{source}: {name} is missing; add it (see README.md)")
        if isinstance(rule, dict):
            _check(values[key], rule, source, name + ".")
        elif not rule(values[key]):
            raise UserError(f"{source}: {name} must be {rule.description}, got {values[key]!r}")


class _Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 numbers, as DVC reads them: 5e-4 and 1e3 are floats, not strings."""


_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."))


def load(path=PARAMS_FILE):
    """The whole of params.yaml as a dict, every key known and every value checked."""
    try:
        with open(path, encoding="utf-8") as source:
            values = yaml.load(source, Loader=_Yaml12Loader)  # noqa: S506 (a safe loader)
    except FileNotFoundError:
        raise UserError(f"{path} not found; run this from the project root") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise UserError(f"{path} is not valid YAML{where}; fix its syntax") from None
    _check(values, RULES, path)
    _check_relations(values, path)
    return values
