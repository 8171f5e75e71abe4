"""Time the MLP's train stage against the plain Keras script of the same recipe, in turns.

    python benchmarks/train_speed.py [--runs 3]

The baseline is benchmarks/naive_mlp.py: the original recipe with every setting left at
default. Prints the medians, their ratio and each model's test accuracy.
"""
import argparse
import sys

from alternate import ROOT, alternate

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--params", default=str(ROOT / "params.yaml"), help="params for the stage")
    args = parser.parse_args()
    alternate([sys.executable, str(ROOT / "benchmarks" / "naive_mlp.py")], "mlp", args.runs,
              args.params)
