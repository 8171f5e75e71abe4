"""Command-line values checked by argparse, so a bad one is a usage error that names it."""
import argparse


def whole_number(low, high, what):
    """An argparse type: a whole number from low to high, else "'x' is not <what> (low-high)"."""
    def parse(text):
        if not text.isdigit() or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what} ({low}-{high})")
        return int(text)
    return parse
