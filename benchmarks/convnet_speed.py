"""Time the convnet's train stage against Keras's "simple MNIST convnet" example, in turns.

    python benchmarks/convnet_speed.py [--runs 3] [--seeds 1 2 3]

The baseline is benchmarks/simple_convnet.py: the example's recipe (two 3x3 convolutions of 32
and 64 filters, max-pooling, dropout 0.5, softmax; Adam, batch 128, 15 epochs, validation_split
0.1) as a Keras user would run it, on the prepared arrays. Prints the device, the median wall
times of both (whole process), their ratio and both test accuracies. With --seeds, then trains
the stage once per seed (params.yaml's seed replaced) and prints each test accuracy and the mean.
"""
import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import yaml
from alternate import ROOT, TEST_ACCURACY, alternate, scratch_folder, timed

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--seeds", type=int, nargs="*", default=[],
                        help="seeds to train the stage with for the accuracy figures")
    parser.add_argument("--params", default=str(ROOT / "params.yaml"), help="params for the stage")
    args = parser.parse_args()
    if args.runs:
        alternate([sys.executable, str(ROOT / "benchmarks" / "simple_convnet.py")], "cnn",
                  args.runs, args.params)
    scores = []
    for seed in args.seeds:
        params = yaml.safe_load(Path(args.params).read_text())
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as seeded:
            yaml.safe_dump({**params, "seed": seed}, seeded)
            folder = scratch_folder(seeded.name)
        seconds, _ = timed([sys.executable, "-m", "stages.train", "cnn"], folder)
        scores.append(float(timed([sys.executable, "-c", TEST_ACCURACY.format(model="cnn")],
                                  folder)[1]))
        print(f"seed {seed}: test accuracy {scores[-1]:.4f} ({seconds:.0f} s)", flush=True)
    if scores:
        print(f"mean test accuracy over seeds {args.seeds}: {statistics.mean(scores):.4f}, "
              f"lowest {min(scores):.4f}")
