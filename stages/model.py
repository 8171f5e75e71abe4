"""The Keras model: seeding, building it from params, and saving it byte for byte reproducibly.

The only shared module that imports TensorFlow; stages that don't train or score leave it alone.
"""
import io
import json
import os
import tempfile
import zipfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # hide TensorFlow's CUDA probing on CPU machines

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from stages.cli import StageError  # noqa: E402
from stages.files import atomic_path  # noqa: E402
from stages.mnist import CLASSES, IMAGE_SIDE  # noqa: E402
from stages.paths import MODEL_FILE  # noqa: E402

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


def compile_for_training(model, train_params):
    """Compile with Adam and cross-entropy; from here on every op runs deterministically."""
    model.compile(
        optimizer=keras.optimizers.Adam(train_params["learning_rate"]),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=train_params["steps_per_execution"],
        jit_compile=train_params["jit_compile"],
    )
    # Keras refuses XLA when op determinism is already on, because some GPU kernels lack a
    # deterministic XLA version. On CPU the compiled graph gives identical weights run after
    # run (tests/test_reproducibility.py checks), so determinism is switched on after compile.
    tf.config.experimental.enable_op_determinism()


def build(model_params, seed):
    """The classifier named by model.arch, taking (28, 28) floats, giving 10 probabilities."""
    keras.utils.set_random_seed(seed)  # Python, NumPy and TensorFlow generators
    inputs = keras.Input(shape=(IMAGE_SIDE, IMAGE_SIDE), name="image")
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.Dense(model_params["hidden_units"], activation="relu")(x)
    outputs = keras.layers.Dense(CLASSES, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=model_params["arch"])


def _renumber_shared_objects(node, numbers):
    """Replace memory-address ids in the saved config with 0, 1, 2… in order of appearance."""
    if isinstance(node, dict):
        if "shared_object_id" in node:
            node["shared_object_id"] = numbers.setdefault(node["shared_object_id"], len(numbers))
        for value in node.values():
            _renumber_shared_objects(value, numbers)
    elif isinstance(node, list):
        for value in node:
            _renumber_shared_objects(value, numbers)


def _stable_entry(name, data):
    if name == "metadata.json":
        metadata = json.loads(data)
        metadata.pop("date_saved", None)
        return json.dumps(metadata, sort_keys=True).encode()
    if name == "config.json":
        config = json.loads(data)
        _renumber_shared_objects(config, {})
        return json.dumps(config, sort_keys=True).encode()
    return data


def save(model, path=MODEL_FILE):
    """Write a .keras file whose bytes depend only on the model: no save date, fixed zip times."""
    with tempfile.TemporaryDirectory() as scratch:
        plain = os.path.join(scratch, "model.keras")
        model.save(plain)
        with open(plain, "rb") as saved:
            buffer = io.BytesIO(saved.read())
    with zipfile.ZipFile(buffer) as original, atomic_path(path) as temp:
        with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as stable:
            for info in sorted(original.infolist(), key=lambda entry: entry.filename):
                entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o644 << 16
                stable.writestr(entry, _stable_entry(info.filename, original.read(info)))


def load(path=MODEL_FILE):
    """The trained model; a missing file says which stage makes it."""
    if not os.path.exists(path):
        raise StageError(f"{path} not found; run `dvc repro` to train it")
    try:
        return keras.saving.load_model(path)
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise StageError(f"{path} is not a loadable Keras model ({error}); run "
                         "`dvc repro --force train` to rebuild it") from None
