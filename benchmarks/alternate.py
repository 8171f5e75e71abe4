"""Time a plain Keras script against the project's train stage, whole process each, in turns.

Used by train_speed.py (the MLP) and convnet_speed.py (the convnet). Both train on the prepared
arrays in data/prepared/ (run `dvc repro prepare` first), in a scratch folder, so the
workspace's outputs are untouched.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_ACCURACY = """
from digits import saving
from digits.mnist import load_prepared
x, y = load_prepared("test")
model = saving.load("models/{model}/model.keras")
print((model.predict(x, batch_size=1000, verbose=0).argmax(1) == y).mean())
"""


def timed(command, cwd):
    """(seconds, stdout) of a command, whole process; exits with its error if it fails."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"{' '.join(map(str, command))} failed:\n{result.stderr[-2000:]}")
    return seconds, result.stdout


def scratch_folder(params_file):
    if not (ROOT / "data/prepared/x_train.npy").exists():
        sys.exit("data/prepared/ is empty: run `dvc repro prepare` first")
    folder = Path(tempfile.mkdtemp(prefix="speed-"))
    (folder / "data").mkdir()
    (folder / "models").mkdir()
    (folder / "data" / "prepared").symlink_to(ROOT / "data" / "prepared")
    shutil.copy(params_file, folder / "params.yaml")
    return folder


def device():
    """What the timings ran on: the CPU's name and whether TensorFlow saw a GPU."""
    info = Path("/proc/cpuinfo").read_text()
    cpu = next((line.split(":", 1)[1].strip() for line in info.splitlines()
                if line.startswith("model name")), "unknown CPU")
    amx = " with AMX" if "amx_bf16" in info else ""
    probe = ("from digits.quiet_tensorflow import tf\n"
             "print(len(tf.config.list_physical_devices('GPU')))")
    gpus = timed([sys.executable, "-c", probe], ROOT)[1].strip()
    return f"{cpu}{amx}, {os.cpu_count()} cores, {gpus} GPU(s) seen by TensorFlow"


def alternate(baseline, model, runs, params_file):
    """Run the baseline script and `stages.train model` in turns; print and return the medians
    and each one's test accuracy."""
    folder = scratch_folder(params_file)
    stage = [sys.executable, "-m", "stages.train", model]
    times, accuracy = {"baseline": [], "stage": []}, {}
    try:
        for run in range(1, runs + 1):
            for name, command in (("baseline", baseline), ("stage", stage)):
                seconds, output = timed(command, folder)
                times[name].append(seconds)
                print(f"run {run}: {name:8} {seconds:6.1f} s", flush=True)
                if name == "baseline":
                    accuracy["baseline"] = float(output.split("test accuracy")[-1])
        probe = TEST_ACCURACY.format(model=model)
        accuracy["stage"] = float(timed([sys.executable, "-c", probe], folder)[1])
    finally:
        shutil.rmtree(folder)
    base, ours = statistics.median(times["baseline"]), statistics.median(times["stage"])
    print(f"\non {device()}")
    print(f"median wall-clock, whole process: baseline {base:.1f} s, train stage {ours:.1f} s, "
          f"ratio {ours / base:.2f}")
    print(f"test accuracy: baseline {accuracy['baseline']:.4f}, train stage "
          f"{accuracy['stage']:.4f} ({100 * (accuracy['stage'] - accuracy['baseline']):+.2f} "
          "points)")
    return base, ours, accuracy
