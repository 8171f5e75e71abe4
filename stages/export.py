"""Export models/model.keras for LiteRT and check that both give the same answers on the test set.

Writes models/model.tflite (the same bytes for the same model) and reports/export.json: the share
of test images on which both pick the same digit, and the largest difference in any probability.
"""
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from stages import cli
from stages import model as model_lib
from stages.files import atomic_path, write_json
from stages.litert import Classifier
from stages.mnist import load_prepared
from stages.paths import EXPORT_CHECK_FILE, MODEL_FILE, TFLITE_FILE

MIN_AGREEMENT = 0.999   # the predicted digit may differ only on a near-tie
MAX_DIFFERENCE = 1e-4   # float32 kernels summing in another order differ by about 1e-7


def compare(model, tflite_path, images):
    """How closely the LiteRT file reproduces the Keras model on these images."""
    keras_probabilities = model.predict(images, batch_size=1000, verbose=0)
    litert_probabilities = Classifier(tflite_path).probabilities(images)
    return {
        "test_images": len(images),
        "agreement": float(np.mean(keras_probabilities.argmax(1)
                                   == litert_probabilities.argmax(1))),
        "max_probability_difference": float(np.abs(keras_probabilities
                                                   - litert_probabilities).max()),
    }


def export(images, keras_path=MODEL_FILE, tflite_path=TFLITE_FILE,
           report_path=EXPORT_CHECK_FILE):
    """Convert, compare on images, and write both outputs only if the two models agree.
    The model computes in float32 (train saves it so), which LiteRT's built-in kernels run."""
    model = model_lib.load(keras_path)
    with tempfile.TemporaryDirectory() as scratch:
        candidate = Path(scratch) / "model.tflite"
        model.export(str(candidate), format="litert", verbose=False)
        report = compare(model, candidate, images)
        if (report["agreement"] < MIN_AGREEMENT
                or report["max_probability_difference"] > MAX_DIFFERENCE):
            raise cli.StageError(
                f"the LiteRT model differs from Keras: same digit on {report['agreement']:.2%} "
                f"of {len(images):,} images (need {MIN_AGREEMENT:.1%}), probabilities up to "
                f"{report['max_probability_difference']:.2g} apart (allowed {MAX_DIFFERENCE:g}); "
                f"{tflite_path} was not written. Check the tensorflow and ai-edge-litert versions")
        with atomic_path(tflite_path) as temp:
            shutil.copyfile(candidate, temp)
    write_json(report_path, report)
    return report


def main():
    images, _ = load_prepared("test")
    report = export(images)
    print(f"{TFLITE_FILE}: same digit as Keras on {report['agreement']:.2%} of "
          f"{report['test_images']:,} test images, probabilities at most "
          f"{report['max_probability_difference']:.1e} apart", file=sys.stderr)


if __name__ == "__main__":
    cli.run(main)
