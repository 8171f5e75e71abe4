"""Time the train stage against the naive Keras script of the same recipe, whole process each.

    python benchmarks/train_speed.py [--runs 3]

Both train on the prepared arrays in data/prepared/ (run `dvc repro prepare` first), in a
scratch folder so the workspace's outputs are untouched. Runs alternate, baseline first; the
medians and their ratio are printed, then each model's test accuracy.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return seconds, result.stdout


def scratch_folder(params_file):
    folder = Path(tempfile.mkdtemp(prefix="train-speed-"))
    (folder / "data").mkdir()
    (folder / "models").mkdir()
    (folder / "data" / "prepared").symlink_to(ROOT / "data" / "prepared")
    shutil.copy(params_file, folder / "params.yaml")
    return folder


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--params", default=str(ROOT / "params.yaml"), help="params for the stage")
    args = parser.parse_args()
    if not (ROOT / "data/prepared/x_train.npy").exists():
        sys.exit("data/prepared/ is empty: run `dvc repro prepare` first")

    folder = scratch_folder(args.params)
    baseline = [sys.executable, str(ROOT / "benchmarks" / "naive_mlp.py")]
    stage = [sys.executable, "-m", "stages.train", "mlp"]
    times = {"baseline": [], "stage": []}
    try:
        for run in range(1, args.runs + 1):
            for name, command in (("baseline", baseline), ("stage", stage)):
                seconds, output = timed(command, folder)
                times[name].append(seconds)
                print(f"run {run}: {name:8} {seconds:6.1f} s", flush=True)
                if name == "baseline":
                    baseline_accuracy = float(output.split("test accuracy")[-1])
        timed([sys.executable, "-m", "stages.evaluate", "mlp"], folder)
        stage_accuracy = json.loads((folder / "reports/mlp/metrics.json").read_text())["accuracy"]
    finally:
        shutil.rmtree(folder)

    base, ours = statistics.median(times["baseline"]), statistics.median(times["stage"])
    print(f"\nmedian wall-clock, whole process: baseline {base:.1f} s, train stage {ours:.1f} s, "
          f"ratio {ours / base:.2f}")
    print(f"test accuracy: baseline {baseline_accuracy:.4f}, train stage {stage_accuracy:.4f} "
          f"({100 * (stage_accuracy - baseline_accuracy):+.2f} points)")


if __name__ == "__main__":
    main()
