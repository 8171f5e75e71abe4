"""The training pieces: augmentation, the convnet, precision, and the mirrored (multi-device)
path."""
import json
import sys

import numpy as np
import pytest

from digits import datasets, models, training  # noqa: E402
from digits.mnist import read_split, to_unit_floats  # noqa: E402
from digits.params import load  # noqa: E402
from digits.quiet_tensorflow import tf  # noqa: E402
from tests.conftest import SMOKE_PARAMS, dvc, make_project_copy, run, set_param

NO_AUGMENTATION = {"rotation_degrees": 0, "zoom": 0, "shift_pixels": 0,
                   "thickness_fraction": 0, "thickness_window": 2, "flagged_ones": 0,
                   "crossed_sevens": 0}


def augmented(images, seed, step, augment, labels=None):
    labels = np.zeros(len(images), np.int64) if labels is None else labels
    return datasets.augment_batch(tf.constant(images), tf.constant(labels), seed,
                                  tf.constant(step, tf.int64), augment).numpy()


def centre_of_mass(image):
    rows, cols = np.indices(image.shape)
    return np.array([(rows * image).sum(), (cols * image).sum()]) / image.sum()


@pytest.fixture(scope="module")
def digits():
    """A few 28x28 blobs shaped like strokes, in [0, 1]."""
    images = np.zeros((8, 28, 28), np.float32)
    for i in range(8):
        images[i, 6 + i:20, 10:14] = 1.0
        images[i, 8:10, 8:20 - i] = 1.0
    return images


def test_identity_when_augmentation_is_zero(digits):
    moved = augmented(digits, 1, 0, NO_AUGMENTATION)
    assert np.allclose(moved, digits, atol=1e-5)


def test_shift_moves_ink_by_at_most_the_limit(digits):
    shift = {**NO_AUGMENTATION, "shift_pixels": 3}
    moved = augmented(digits, 1, 5, shift)
    offsets = [centre_of_mass(a) - centre_of_mass(b) for a, b in zip(moved, digits)]
    assert all(np.abs(offset).max() <= 3.01 for offset in offsets)
    assert max(np.abs(offset).max() for offset in offsets) > 0.5  # it did move something
    assert moved.sum() == pytest.approx(digits.sum(), rel=0.02)  # ink kept, not cut off


def test_augmentation_is_seeded_per_batch(digits):
    augment = {**NO_AUGMENTATION, "rotation_degrees": 10, "zoom": 0.1, "shift_pixels": 2,
               "thickness_fraction": 0.25}
    first, again = augmented(digits, 3, 7, augment), augmented(digits, 3, 7, augment)
    later = augmented(digits, 3, 8, augment)
    assert np.array_equal(first, again) and not np.allclose(first, later)


def test_stroke_width_changes_about_the_asked_share(digits):
    batch = np.repeat(digits, 50, axis=0)  # 400 images
    moved = augmented(batch, 1, 3, {**NO_AUGMENTATION, "thickness_fraction": 0.5})
    ink = moved.reshape(len(moved), -1).sum(axis=1) / batch.reshape(len(moved), -1).sum(1)
    thicker, thinner = np.mean(ink > 1.05), np.mean(ink < 0.95)
    assert 0.17 < thicker < 0.33 and 0.17 < thinner < 0.33  # a quarter each, give or take
    assert np.allclose(ink[(ink >= 0.95) & (ink <= 1.05)], 1)  # the rest untouched


@pytest.fixture(scope="module")
def ones_and_sevens(mnist_dir):
    images, labels = read_split("t10k", mnist_dir)
    chosen = np.flatnonzero(np.isin(labels, (1, 7)))[:400]
    return to_unit_floats(images[chosen]), labels[chosen].astype(np.int64)


def strokes_added(ones_and_sevens, augment, digit):
    """Each image the augmentation drew a stroke on, with the stroke's ink, after checking that
    it drew on about half of the `digit`s, on nothing else, and the same again for the same
    seed and batch number."""
    digits, labels = ones_and_sevens
    moved = augmented(digits, 1, 3, augment, labels)
    assert np.array_equal(moved[labels != digit], digits[labels != digit])
    added = (moved >= 0.4) & (digits < 0.4)
    marked = added.any(axis=(1, 2))
    assert 0.4 < marked[labels == digit].mean() < 0.6
    assert np.array_equal(moved, augmented(digits, 1, 3, augment, labels))
    assert not np.array_equal(moved, augmented(digits, 1, 4, augment, labels))
    return [(image, np.nonzero(image >= 0.4), np.nonzero(stroke))
            for image, stroke in zip(digits[marked], added[marked])]


def test_flags_go_on_the_asked_share_of_ones_only(ones_and_sevens):
    flags = {**NO_AUGMENTATION, "flagged_ones": 0.5}
    for _, (rows, cols), (flag_rows, flag_cols) in strokes_added(ones_and_sevens, flags, 1):
        assert flag_cols.mean() < cols[rows <= rows.min() + 2].mean()  # from the top, to the left
        assert flag_rows.mean() < rows.mean()


def test_a_flag_is_as_wide_as_the_ones_own_stroke():
    """A thick pen's 1 gets a thick flag: with thin flags only, such 1s still read as 7."""
    ones = np.zeros((2, 28, 28), np.float32)
    ones[0, 4:24, 13:15] = 1  # 2 px wide
    ones[1, 4:24, 12:16] = 1  # 4 px wide
    flagged = augmented(ones, 1, 0, {**NO_AUGMENTATION, "flagged_ones": 1.0}, np.ones(2, np.int64))
    flag = (flagged >= 0.5) & (ones < 0.5)
    # The flag's ink per inked row, below its first rows (where it leaves the stem).
    width = [f.sum(axis=1)[7:10].mean() for f in flag]
    assert width[1] > 1.4 * width[0], width


def test_bars_cross_the_stems_of_the_asked_share_of_sevens(ones_and_sevens):
    bars = {**NO_AUGMENTATION, "crossed_sevens": 0.5}
    for image, (rows, _), (bar_rows, bar_cols) in strokes_added(ones_and_sevens, bars, 7):
        middle = rows.min() + 0.3 * np.ptp(rows), rows.min() + 0.7 * np.ptp(rows)
        assert middle[0] <= bar_rows.mean() <= middle[1]  # through the middle of the digit,
        row = round(bar_rows.mean())
        stem = np.nonzero(image[row - 1:row + 2] >= 0.4)[1].mean()
        assert bar_cols.min() < stem < bar_cols.max()  # out to both sides of the stem
        assert np.ptp(bar_rows) < np.ptp(bar_cols)  # and across it, not along it


def test_batches_cover_every_image_each_epoch():
    x = np.arange(10, dtype=np.float32)[:, None, None] * np.ones((1, 28, 28), np.float32)
    y = np.arange(10) % 10
    batches = iter(datasets.training_batches(x, y, 4, seed=0))
    # 10 images in batches of 4 repeat endlessly; the first 10 drawn are the 10 images.
    seen = np.concatenate([next(batches)[0].numpy()[:, 0, 0] for _ in range(3)])[:10]
    assert sorted(seen.tolist()) == list(range(10))


def test_cnn_builds_with_float32_output_under_mixed_precision():
    recipe = {**load()["cnn"], "filters": [4, 8], "convs_per_block": [2, 2], "dense_units": 16}
    model = models.build("cnn", recipe, seed=0, dtype_policy="mixed_bfloat16")
    assert model.output_shape == (None, 10)
    assert model.layers[-1].compute_dtype == "float32"
    assert any(layer.compute_dtype == "bfloat16" for layer in model.layers[1:-1])
    assert [type(layer).__name__ for layer in model.layers].count("Conv2D") == 4


@pytest.mark.parametrize("mixed, gpus, bfloat16, policy", [
    (False, [], True, "float32"), (True, ["GPU:0"], True, "mixed_float16"),
    (True, [], True, "mixed_bfloat16"), (True, [], False, "float32")])
def test_precision_fits_the_device(monkeypatch, mixed, gpus, bfloat16, policy):
    monkeypatch.setattr(training, "_cpu_has_bfloat16", lambda: bfloat16)
    monkeypatch.setattr(tf.config, "list_logical_devices",
                        lambda kind=None: gpus if kind == "GPU" else ["CPU:0"])
    assert training.precision_policy(mixed) == policy


TRAIN_WITH_TWO_CPUS = """
import sys
from digits.quiet_tensorflow import tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from digits import errors
from stages import train
errors.run(lambda: train.main())
"""


@pytest.fixture(scope="module")
def prepared_project(tmp_path_factory, mnist_dir):
    project = make_project_copy(tmp_path_factory.mktemp("training"), SMOKE_PARAMS)
    set_param(project, "mlp.epochs=2")
    set_param(project, "mlp.hidden_units=64")
    dvc("repro", "prepare", "nondigits", "photograph", cwd=project)
    return project


def train_and_score(project, command, model):
    env = {"PYTHONPATH": str(project)}
    result = run([*command, model], cwd=project, env=env)
    for stage in ("calibrate", "evaluate"):
        run([sys.executable, "-m", f"stages.{stage}", model], cwd=project, env=env)
    metrics = json.loads((project / f"reports/{model}/metrics.json").read_text())
    return metrics["accuracy"], result.stderr


def test_mirrored_training_on_two_devices_matches_one(prepared_project):
    set_param(prepared_project, "devices.distribute=none")
    single, _ = train_and_score(prepared_project, [sys.executable, "-m", "stages.train"], "mlp")
    set_param(prepared_project, "devices.distribute=mirrored")
    mirrored, log = train_and_score(prepared_project, [sys.executable, "-c", TRAIN_WITH_TWO_CPUS],
                                    "mlp")
    assert "2 replica(s)" in log
    print(f"test accuracy: one device {single:.4f}, mirrored on two {mirrored:.4f}")
    assert single > 0.95 and abs(mirrored - single) < 0.01


def test_cnn_trains_and_exports_in_float32(prepared_project):
    """The convnet path end to end on a tiny configuration: augmentation, bfloat16, EMA. One
    epoch is too short for batch norm's moving statistics to follow a first convolution without
    batch norm, so this one has it."""
    for assignment in ("cnn.first_conv_batch_norm=true", "cnn.filters=[8, 16]",
                       "cnn.convs_per_block=[2, 2]", "cnn.dense_units=32", "cnn.epochs=1",
                       "cnn.warmup_epochs=0", "cnn.ema_momentum=0.9", "devices.distribute=none"):
        set_param(prepared_project, assignment)
    accuracy, log = train_and_score(prepared_project, [sys.executable, "-m", "stages.train"],
                                    "cnn")
    assert "with augmentation" in log and training.precision_policy(True) in log
    assert accuracy > 0.9
    import keras

    model = keras.saving.load_model(prepared_project / "models/cnn/model.keras")
    assert {layer.dtype_policy.name for layer in model.layers} == {"float32"}
    run([sys.executable, "-m", "stages.export", "cnn"], cwd=prepared_project,
        env={"PYTHONPATH": str(prepared_project)})
    check = json.loads((prepared_project / "reports/cnn/export.json").read_text())
    assert check["agreement"] >= 0.999 and check["test_images"] == 10000
