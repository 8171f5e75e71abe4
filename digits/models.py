"""The Keras model: seeding, building it from params, and saving it byte for byte reproducibly.

With datasets.py, the only shared module that imports TensorFlow; tools that only identify
digits (predict, the web app) never load it.
"""
import io
import json
import os
import tempfile
import zipfile

import keras
import tensorflow as tf

from stages.cli import StageError
from stages.files import atomic_path
from stages.mnist import CLASSES, IMAGE_SIDE
from stages.paths import MODEL_FILE

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


def distribution_strategy(name):
    """none: the default, one device. mirrored: a replica on every GPU (every CPU device when
    there is no GPU). auto: mirrored when there are several GPUs, else none."""
    gpus = tf.config.list_logical_devices("GPU")
    if name == "none" or (name == "auto" and len(gpus) < 2):
        return tf.distribute.get_strategy()
    devices = gpus or tf.config.list_logical_devices("CPU")
    return tf.distribute.MirroredStrategy([device.name for device in devices])


def build(settings, seed, dtype_policy="float32"):
    """The classifier named by model.arch: (28, 28) floats in, 10 probabilities out."""
    keras.utils.set_random_seed(seed)  # Python, NumPy and TensorFlow generators
    keras.config.set_dtype_policy(dtype_policy)
    try:
        arch = settings["model"]["arch"]
        inputs = keras.Input(shape=(IMAGE_SIDE, IMAGE_SIDE), name="image")
        if arch == "mlp":
            features = _mlp(inputs, settings["model"])
        else:
            features = _cnn(inputs, settings["cnn"])
        # The last layer computes in float32 even under mixed precision, for a stable softmax.
        outputs = keras.layers.Dense(CLASSES, activation="softmax", dtype="float32",
                                     name="probabilities")(features)
        return keras.Model(inputs, outputs, name=arch)
    finally:
        keras.config.set_dtype_policy("float32")


def _mlp(inputs, model_params):
    """The original recipe: Flatten -> Dense(hidden_units, relu)."""
    x = keras.layers.Flatten()(inputs)
    return keras.layers.Dense(model_params["hidden_units"], activation="relu")(x)


def _cnn(inputs, cnn):
    """Blocks of (conv, batch norm, relu) x convs_per_block then max-pool; a dense head."""
    layers = keras.layers
    x = layers.Reshape((IMAGE_SIDE, IMAGE_SIDE, 1))(inputs)
    for filters in cnn["filters"]:
        for _ in range(cnn["convs_per_block"]):
            x = layers.Conv2D(filters, cnn["kernel_size"], padding="same", use_bias=False)(x)
            x = layers.ReLU()(layers.BatchNormalization()(x))
        x = layers.MaxPooling2D()(x)
    x = layers.Dropout(cnn["dropout"])(layers.Flatten()(x))
    x = layers.Dense(cnn["dense_units"], use_bias=False)(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    return layers.Dropout(cnn["dropout"])(x)


def compile_for_training(model, recipe, steps_per_epoch):
    """Adam (with EMA weights and a warm-up + cosine schedule when the recipe asks) and
    cross-entropy on one-hot labels; from here on every op runs deterministically."""
    learning_rate = recipe["learning_rate"]
    if recipe["warmup_epochs"] is not None:
        total = recipe["epochs"] * steps_per_epoch
        warmup = min(recipe["warmup_epochs"] * steps_per_epoch, total - 1)
        learning_rate = keras.optimizers.schedules.CosineDecay(
            learning_rate / 10, total - warmup, warmup_target=learning_rate, warmup_steps=warmup)
    ema = recipe["ema_momentum"]
    # Across several replicas, TensorFlow 2.21 fails on multi-step loops ("You must feed a value
    # for placeholder") and on XLA (resources on another device): run them one step at a time.
    single = tf.distribute.get_strategy().num_replicas_in_sync == 1
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, use_ema=ema > 0, ema_momentum=ema or 0.99),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=recipe["label_smoothing"]),
        metrics=["accuracy"],
        steps_per_execution=recipe["steps_per_execution"] if single else 1,
        jit_compile=recipe["jit_compile"] and single,
    )
    # Keras refuses XLA when op determinism is already on, because some GPU kernels lack a
    # deterministic XLA version. On CPU the compiled graph gives identical weights run after
    # run (tests/test_reproducibility.py checks), so determinism is switched on after compile.
    tf.config.experimental.enable_op_determinism()


def ema_callbacks(recipe):
    """With weight averaging, validate the averaged weights: they are the ones saved."""
    return [keras.callbacks.SwapEMAWeights(swap_on_epoch=True)] if recipe["ema_momentum"] else []


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
