"""Check all of params.yaml before any other stage runs: every key known, every value valid.

Every stage depends on this stage's output (through fetch), so a mistake stops `dvc repro`
here, before DVC removes the outputs of a later stage that would then refuse to run.
"""
from digits import errors, params
from digits.files import write_text
from digits.paths import PARAMS_CHECKED, PARAMS_FILE


def main():
    params.load()
    write_text(PARAMS_CHECKED, f"{PARAMS_FILE}: every key known and every value valid\n")


if __name__ == "__main__":
    errors.run(main)
