"""Train the model named in params.yaml on the train split, watching the validation split.

Writes models/model.keras and, through dvclive, per-epoch loss and accuracy of both splits
to reports/train/ (metrics.json and plots/metrics/{train,eval}/*.tsv).
"""
import sys

from stages import cli, params
from stages.mnist import load_prepared
from stages.paths import TRAIN_LOG_DIR

# What the original recipe leaves out; the cnn section sets each of these.
PLAIN_TRAINING = {"warmup_epochs": None, "label_smoothing": 0.0, "ema_momentum": 0.0,
                  "rotation_degrees": 0, "zoom": 0, "shift_pixels": 0, "mixed_precision": False}
AUGMENTATION_KEYS = ("rotation_degrees", "zoom", "shift_pixels")


def recipe_for(settings):
    """How to train: the train section for the mlp, the cnn section for the convnet."""
    if settings["model"]["arch"] == "cnn":
        return settings["cnn"]
    return {**PLAIN_TRAINING, **settings["train"]}


def main():
    settings = params.load()
    recipe, seed = recipe_for(settings), settings["seed"]
    x_train, y_train = load_prepared("train")
    x_val, y_val = load_prepared("val")

    # Imported only now, so that a bad params.yaml fails before TensorFlow's slow import.
    from dvclive import Live
    from dvclive.keras import DVCLiveCallback

    from stages import datasets
    from stages import model as model_lib

    policy = "mixed_bfloat16" if recipe["mixed_precision"] else "float32"
    steps = datasets.steps_for(len(y_train), recipe["batch_size"])
    strategy = model_lib.distribution_strategy(settings["train"]["distribute"])
    with strategy.scope():
        model = model_lib.build(settings, seed, policy)
        model_lib.compile_for_training(model, recipe, steps)
    augment = {key: recipe[key] for key in AUGMENTATION_KEYS}
    augment = augment if any(augment.values()) else None
    batches = datasets.training_batches(x_train, y_train, recipe["batch_size"], seed, augment)
    print(f"training {model.name} ({model.count_params():,} weights) on {len(y_train):,} images"
          f"{' with augmentation' if augment else ''}, validating on {len(y_val):,}; "
          f"{strategy.num_replicas_in_sync} replica(s)", file=sys.stderr)
    with Live(str(TRAIN_LOG_DIR), dvcyaml=False, save_dvc_exp=False, report=None) as live:
        model.fit(
            batches,
            steps_per_epoch=steps,
            shuffle=False,  # the batches come shuffled already
            epochs=recipe["epochs"],
            validation_data=(x_val, datasets.one_hot(y_val)),
            validation_batch_size=1000,  # scoring only: large batches are faster, same result
            callbacks=model_lib.ema_callbacks(recipe) + [DVCLiveCallback(live=live)],
            verbose=1 if sys.stdout.isatty() else 2,
        )
    # Saved in float32 without optimizer state: what evaluate, export and predict need.
    inference_model = model_lib.build(settings, seed)
    inference_model.set_weights(model.get_weights())
    model_lib.save(inference_model)


if __name__ == "__main__":
    cli.run(main)
