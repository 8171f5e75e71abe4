"""Export one model, with its detectors' heads, for LiteRT and check that it gives Keras's
answers on the whole test set.

    python -m stages.export mlp|cnn

Writes models/<model>/model.tflite (the same bytes for the same model; its metadata carries a
card: the model's name, its temperature and the thresholds of its answers) and
reports/<model>/export.json: the share of test images on which both pick the same digit, and the
largest difference in any probability or detector's score.
"""
import json
import sys
import tempfile
from pathlib import Path

from digits import errors, litert
from digits.files import atomic_path, write_json
from digits.mnist import load_prepared
from digits.paths import ModelFiles

MIN_AGREEMENT = 0.999   # the predicted digit may differ only on a near-tie
MAX_DIFFERENCE = 1e-4   # float32 kernels summing in another order differ by about 1e-6

DESCRIPTIONS = {"mlp": "the original recipe: Flatten, Dense(128, relu), Dense(10, softmax)",
                "cnn": "the convnet"}


def compare(model, tflite_path, images):
    """How closely the LiteRT file reproduces the Keras model on these images."""
    keras_outputs = model.predict(images, batch_size=1000, verbose=0)
    litert_outputs = litert.Classifier(tflite_path).outputs(images)
    return {
        "test_images": len(images),
        "agreement": float((keras_outputs[0].argmax(1) == litert_outputs[0].argmax(1)).mean()),
        "max_probability_difference": float(max(abs(ours - theirs).max() for ours, theirs
                                                in zip(keras_outputs, litert_outputs))),
    }


def export(name, images, keras_path, calibration_path, tflite_path, report_path):
    """Convert, compare on `images`, and write both outputs only if the two models agree.
    The saved model computes in float32, which LiteRT's built-in kernels run."""
    from digits import saving

    model = saving.load(keras_path)
    try:
        fitted = json.loads(Path(calibration_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise errors.UserError(f"{calibration_path} not found; run `dvc repro calibrate@{name}` "
                               "first") from None
    print(f"{keras_path}: converting for LiteRT, then comparing on {len(images):,} test images",
          file=sys.stderr)
    with tempfile.TemporaryDirectory() as scratch:
        converted = Path(scratch) / "model.tflite"
        model.export(str(converted), format="litert", verbose=False)
        card = {"name": name, "description": DESCRIPTIONS.get(name, name),
                "temperature": fitted["temperature"], "thresholds": fitted["thresholds"]}
        candidate = Path(scratch) / "with-card.tflite"
        candidate.write_bytes(litert.with_card(converted.read_bytes(), card))
        report = compare(model, candidate, images)
        if (report["agreement"] < MIN_AGREEMENT
                or report["max_probability_difference"] > MAX_DIFFERENCE):
            raise errors.UserError(
                f"the LiteRT model differs from Keras: same digit on {report['agreement']:.2%} "
                f"of {len(images):,} images (need {MIN_AGREEMENT:.1%}), probabilities up to "
                f"{report['max_probability_difference']:.2g} apart (allowed {MAX_DIFFERENCE:g}); "
                f"{tflite_path} was not written. Check the tensorflow and ai-edge-litert versions")
        with atomic_path(tflite_path) as temp:
            temp.write_bytes(candidate.read_bytes())
    write_json(report_path, report)
    return report


def main():
    files = ModelFiles.from_command_line()
    images, _ = load_prepared("test")
    report = export(files.name, images, files.identifier, files.calibration, files.tflite,
                    files.export_check)
    print(f"{files.tflite}: same digit as Keras on {report['agreement']:.2%} of "
          f"{report['test_images']:,} test images, probabilities at most "
          f"{report['max_probability_difference']:.1e} apart", file=sys.stderr)


if __name__ == "__main__":
    errors.run(main)
