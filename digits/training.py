"""How a model trains: the device strategy, the precision, the optimizer and its schedule."""
from pathlib import Path

from digits.quiet_tensorflow import keras, tf

# What the original recipe (the mlp section) leaves out; the cnn section sets each of these.
PLAIN_TRAINING = {"validate_every": 1, "warmup_epochs": None, "label_smoothing": 0.0,
                  "ema_momentum": 0.0, "rotation_degrees": 0, "zoom": 0, "shift_pixels": 0,
                  "thickness_fraction": 0, "thickness_window": 2, "flagged_ones": 0,
                  "crossed_sevens": 0,
                  "photographed": False, "mixed_precision": False}


def full_recipe(recipe):
    """A model's params section with every training knob present."""
    return {**PLAIN_TRAINING, **recipe}


def validation_epochs(recipe):
    """The epochs after which the validation split is scored: every `validate_every`, and the
    last. It only watches training (nothing is chosen by it), and each pass costs time."""
    every, epochs = recipe["validate_every"], recipe["epochs"]
    return sorted({*range(every, epochs + 1, every), epochs})


def distribution_strategy(name):
    """none: one device. mirrored: a replica on every GPU (every CPU device when there is no
    GPU). auto: mirrored when there are several GPUs, else none."""
    gpus = tf.config.list_logical_devices("GPU")
    if name == "none" or (name == "auto" and len(gpus) < 2):
        return tf.distribute.get_strategy()
    devices = gpus or tf.config.list_logical_devices("CPU")
    return tf.distribute.MirroredStrategy([device.name for device in devices])


def _cpu_has_bfloat16():
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def precision_policy(mixed_precision):
    """The compute precision that fits the device: float16 on a GPU, bfloat16 on a CPU with
    AMX or AVX512-BF16, else float32. Weights stay float32 in every case."""
    if not mixed_precision:
        return "float32"
    if tf.config.list_logical_devices("GPU"):
        return "mixed_float16"
    return "mixed_bfloat16" if _cpu_has_bfloat16() else "float32"


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
    model.compile(  # under mixed_float16, Keras scales the loss itself (auto_scale_loss)
        optimizer=keras.optimizers.Adam(learning_rate, use_ema=ema > 0,
                                        ema_momentum=ema or 0.99),
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
