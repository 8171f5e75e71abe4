"""How a stage or app ends: an interruption is one line and exit status 130, even when the
library it interrupted fails another way on the way out; any other error keeps its traceback."""
import subprocess
import sys

import pytest

from tests.conftest import ROOT

INTERRUPTED_MIDWAY = """
import os, signal
from digits import errors

def main():
    try:
        os.kill(os.getpid(), signal.{signal})
    finally:
        raise AttributeError("'Half' object has no attribute '_type_spec'")  # as TensorFlow did

errors.run(main)
"""


def run(code):
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("signal", ["SIGINT", "SIGTERM"])
def test_an_interruption_that_breaks_a_library_midway_is_still_an_interruption(signal):
    result = run(INTERRUPTED_MIDWAY.format(signal=signal))
    assert result.returncode == 130
    assert result.stderr == "interrupted; nothing half-written was kept\n"


def test_an_error_without_an_interruption_keeps_its_traceback():
    result = run(INTERRUPTED_MIDWAY.format(signal="SIGINT").replace(
        "os.kill(os.getpid(), signal.SIGINT)", "pass"))
    assert result.returncode == 1 and "Traceback" in result.stderr
    assert "AttributeError" in result.stderr
