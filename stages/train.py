"""Train one model (mlp or cnn) on the train split by its recipe in params.yaml (and on the
photographed training digits too if the recipe says `photographed: true`), watching the
validation split.

    python -m stages.train mlp|cnn

Writes models/<model>/model.keras and, through dvclive, the loss and accuracy of the training
split after each epoch and of the validation split after every `validate_every` epochs and the
last, to reports/<model>/train/ (plots/metrics/{train,eval}/*.tsv).
"""
import sys

import numpy as np

from digits import errors, params
from digits.mnist import load_photographed, load_prepared
from digits.paths import ModelFiles

AUGMENTING_KEYS = ("rotation_degrees", "zoom", "shift_pixels", "thickness_fraction",
                   "flagged_ones", "crossed_sevens")  # any of these non-zero: augmentation on


def main():
    files = ModelFiles.from_command_line()
    settings = params.load()
    seed = settings["seed"]
    x_train, y_train = load_prepared("train")
    if settings[files.name].get("photographed"):
        x_photographed, y_photographed = load_photographed()
        x_train = np.concatenate([x_train, x_photographed])
        y_train = np.concatenate([y_train, y_photographed])
    x_val, y_val = load_prepared("val")

    # Imported only now, so that a mistake above fails before TensorFlow's slow import; digits
    # first, so that TensorFlow loads without its log lines before dvclive.keras imports it.
    from digits import datasets, models, saving, training

    # isort: split
    from dvclive import Live
    from dvclive.keras import DVCLiveCallback

    recipe = training.full_recipe(settings[files.name])
    steps = datasets.steps_for(len(y_train), recipe["batch_size"])
    strategy = training.distribution_strategy(settings["devices"]["distribute"])
    policy = training.precision_policy(recipe["mixed_precision"])
    with strategy.scope():
        model = models.build(files.name, recipe, seed, policy)
        training.compile_for_training(model, recipe, steps)
    augment = {key: recipe[key] for key in (*AUGMENTING_KEYS, "thickness_window")}
    augment = augment if any(augment[key] for key in AUGMENTING_KEYS) else None
    batches = datasets.training_batches(x_train, y_train, recipe["batch_size"], seed, augment)
    print(f"training {model.name} ({model.count_params():,} weights, {policy}) on "
          f"{len(y_train):,} images{' with augmentation' if augment else ''}, validating on "
          f"{len(y_val):,}; {strategy.num_replicas_in_sync} replica(s)", file=sys.stderr)
    with Live(str(files.train_log), dvcyaml=False, save_dvc_exp=False, report=None) as live:
        live.step = 1  # the log's steps are epochs, counted from 1
        model.fit(
            batches,
            steps_per_epoch=steps,
            shuffle=False,  # the batches come shuffled already
            epochs=recipe["epochs"],
            validation_data=(x_val, datasets.one_hot(y_val)),
            validation_freq=training.validation_epochs(recipe),
            validation_batch_size=1000,  # scoring only: large batches are faster, same result
            callbacks=training.ema_callbacks(recipe) + [DVCLiveCallback(live=live)],
            verbose=1 if sys.stdout.isatty() else 2,
        )
    # Saved in float32 without optimizer state: what evaluate, export and the apps need.
    inference_model = models.build(files.name, recipe, seed)
    inference_model.set_weights(model.get_weights())
    saving.save(inference_model, files.keras)


if __name__ == "__main__":
    errors.run(main)
