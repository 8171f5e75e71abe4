"""Fuzzing: damaged and odd image files through the decoder and normalization, digits-predict and
a live digits-serve. Each must get a digit or a clean one-line error (a 4xx JSON from the
server): never a traceback, a 5xx, a hang or a dropped connection.

The CI profile tries about 2,300 inputs in some 20 s, the same ones every run; the full profile
draws new ones, about 8,000:

    DIGITS_FUZZ=full python -m pytest tests/test_fuzz.py

Inputs that once broke something are kept in tests/fuzz_found/ and replayed on every run.
"""
import contextlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import httpx2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digits import budget, decoding, imaging
from digits.apps import predict
from tests.conftest import ROOT, run
from tests.fuzz_inputs import damaged_files, odd_images
from tests.test_serve import live_server  # noqa: F401 (a fixture)

settings.register_profile("ci", deadline=10_000, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("full", deadline=10_000, suppress_health_check=[HealthCheck.too_slow])
PROFILE = os.environ.get("DIGITS_FUZZ", "ci")
settings.load_profile(PROFILE)
EXAMPLES = {"ci": {"decoder": 1500, "server": 600, "predict": 40},  # predict: 1-8 files each
            "full": {"decoder": 5000, "server": 2000, "predict": 300}}[PROFILE]
FOUND = Path(__file__).with_name("fuzz_found")
inputs = st.one_of(damaged_files(), odd_images())


def assert_one_line(message):
    assert message and "\n" not in message and "Traceback" not in message


def digit_or_error(data):
    """imaging.digit's answer, checked: the 28x28 input, or None and a one-line ImageError."""
    try:
        pixels = imaging.digit(data)
    except decoding.ImageError as error:
        assert_one_line(str(error))
        return None
    assert pixels.shape == (28, 28) and pixels.dtype == np.float32
    assert np.isfinite(pixels).all() and pixels.min() >= 0 and pixels.max() <= 1
    return pixels


@settings(max_examples=EXAMPLES["decoder"])
@given(inputs)
def test_the_decoder_gives_a_digit_or_a_one_line_error(case):
    _, data = case
    header = budget.header_of(data)  # never raises: None when there is no header to read
    assert header is None or all(value >= 0 for value in header)
    digit_or_error(data)


@pytest.fixture(scope="module")
def http(live_server):  # noqa: F811
    with httpx2.Client(base_url=live_server, trust_env=False, timeout=30) as client:
        yield client


def is_an_answer(answer):
    """Not a number, or a number whose every place is a digit or an honest "not sure" / "not a
    digit", with its ten probabilities."""
    if answer["number"] is None:
        return answer["digit"] is None and answer["reason"] == "not a digit"
    places = answer["digits"]
    return len(answer["number"]) == len(places) > 0 and all(
        (place["digit"] in range(10) or place["reason"] in ("not sure", "not a digit"))
        and len(place["probabilities"]) == 10 for place in places)


def assert_answered(response):
    answer = response.json()
    if response.status_code == 200:
        assert is_an_answer(answer)
    else:
        assert response.status_code in (400, 413, 422) and list(answer) == ["error"]
        assert_one_line(answer["error"])


@settings(max_examples=EXAMPLES["server"])
@given(inputs, st.booleans())
def test_the_server_answers_every_file_with_a_digit_or_a_4xx(http, case, as_file):
    _, data = case
    if as_file:
        response = http.post("/api/predict", files={"file": ("upload", data, "image/png")})
    else:
        response = http.post("/api/predict", content=data, headers={"Content-Type": "image/png"})
    assert_answered(response)  # a dropped connection or a hang raises here instead


@settings(max_examples=EXAMPLES["predict"])
@given(st.lists(inputs, min_size=1, max_size=8))
def test_predict_gives_each_file_a_digit_or_a_one_line_error(tflite_model, cases):
    with tempfile.TemporaryDirectory() as folder:
        files = [Path(folder) / f"{number}.png" for number in range(len(cases))]
        for file, (_, data) in zip(files, cases):
            file.write_bytes(data)
        output, errors = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(errors):
            status = predict.main([*map(str, files), "--json", "--model", str(tflite_model)])
    results = json.loads(output.getvalue())
    assert [result["file"] for result in results] == list(map(str, files))
    for result in results:
        if "error" in result:
            assert_one_line(result["error"])
        else:
            assert is_an_answer(result)
    assert status == int(any("error" in result for result in results))


FOUND_FILES = sorted(FOUND.glob("*"))


@pytest.mark.parametrize("path", FOUND_FILES, ids=[path.name for path in FOUND_FILES])
def test_inputs_that_once_broke_something_are_answered(http, path):
    digit_or_error(path.read_bytes())
    assert_answered(http.post("/api/predict", content=path.read_bytes(),
                              headers={"Content-Type": "image/png"}))


def test_predict_answers_every_input_that_once_broke_something(tflite_model):
    result = run([sys.executable, "-m", "digits.apps.predict", *map(str, FOUND_FILES),
                  "--model", str(tflite_model)], cwd=ROOT, check=False)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr
    lines = result.stdout.splitlines() + result.stderr.splitlines()
    for path in FOUND_FILES:
        assert len([line for line in lines if line.startswith(f"{path}: ")]) == 1
    # Nothing else (such as libtiff's own notes on a damaged TIFF) but "N input(s) not identified"
    assert len(lines) == len(FOUND_FILES) + (result.returncode == 1)
