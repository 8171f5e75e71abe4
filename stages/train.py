"""Train the model named in params.yaml on the train split, watching the validation split.

Writes models/model.keras and, through dvclive, per-epoch loss and accuracy of both splits
to reports/train/ (metrics.json and plots/metrics/{train,eval}/*.tsv).
"""
import sys

from stages import cli, params
from stages.mnist import load_prepared
from stages.paths import TRAIN_LOG_DIR

def main():
    settings = params.load()
    x_train, y_train = load_prepared("train")
    x_val, y_val = load_prepared("val")

    # Imported only now, so that a bad params.yaml fails before TensorFlow's slow import.
    from dvclive import Live
    from dvclive.keras import DVCLiveCallback

    from stages import model as model_lib

    train_params = settings["train"]
    model = model_lib.build(settings["model"], settings["seed"])
    model_lib.compile_for_training(model, train_params)
    print(f"training {model.name} ({model.count_params():,} weights) on {len(y_train):,} images, "
          f"validating on {len(y_val):,}", file=sys.stderr)
    with Live(str(TRAIN_LOG_DIR), dvcyaml=False, save_dvc_exp=False, report=None) as live:
        model.fit(
            x_train, y_train,
            validation_data=(x_val, y_val),
            epochs=train_params["epochs"],
            batch_size=train_params["batch_size"],
            shuffle=True,
            callbacks=[DVCLiveCallback(live=live)],
            verbose=1 if sys.stdout.isatty() else 2,
        )
    model_lib.save(model)


if __name__ == "__main__":
    cli.run(main)
