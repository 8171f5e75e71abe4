"""The export stage: a LiteRT model that answers as Keras does, byte for byte reproducible."""
import json

import numpy as np
import pytest

from stages.cli import StageError
from stages.litert import Classifier
from stages.mnist import read_split
from stages.prepare import normalize


@pytest.fixture(scope="module")
def keras_model(default_run):
    return default_run / "models/model.keras"


@pytest.fixture(scope="module")
def test_images(mnist_dir):
    images, _ = read_split("t10k", mnist_dir)
    return normalize(images[:2000])


@pytest.fixture(scope="module")
def exported(tmp_path_factory, keras_model, test_images):
    from stages import export

    folder = tmp_path_factory.mktemp("export")
    report = export.export(test_images, keras_model, folder / "model.tflite",
                           folder / "export.json")
    return folder, report


def test_litert_agrees_with_keras(exported):
    folder, report = exported
    assert report["test_images"] == 2000
    assert report["agreement"] >= 0.999
    assert 0 <= report["max_probability_difference"] <= 1e-4
    assert json.loads((folder / "export.json").read_text()) == report


def test_export_is_byte_for_byte_reproducible(exported, keras_model, test_images, tmp_path):
    from stages import export

    export.export(test_images, keras_model, tmp_path / "model.tflite", tmp_path / "export.json")
    folder, _ = exported
    assert (tmp_path / "model.tflite").read_bytes() == (folder / "model.tflite").read_bytes()
    assert (tmp_path / "export.json").read_text() == (folder / "export.json").read_text()


def test_any_batch_size_gives_the_same_probabilities(exported, test_images):
    folder, _ = exported
    classifier = Classifier(folder / "model.tflite")
    whole = classifier.probabilities(test_images[:7])
    one_by_one = np.concatenate([classifier.probabilities(image[None]) for image in
                                 test_images[:7]])
    assert whole.shape == (7, 10) and np.allclose(whole, one_by_one, atol=1e-6)
    assert np.allclose(whole.sum(axis=1), 1, atol=1e-5)
    assert classifier.probabilities(test_images[:0]).shape == (0, 10)


def test_a_model_that_disagrees_is_not_written(monkeypatch, keras_model, test_images,
                                               tmp_path):
    from stages import export

    monkeypatch.setattr(export, "MAX_DIFFERENCE", -1.0)  # nothing can pass
    with pytest.raises(StageError, match="differs from Keras"):
        export.export(test_images[:100], keras_model, tmp_path / "model.tflite",
                      tmp_path / "export.json")
    assert not (tmp_path / "model.tflite").exists() and not (tmp_path / "export.json").exists()


def test_missing_or_broken_models_are_one_line_errors(tmp_path):
    from stages import export

    with pytest.raises(StageError, match="not found; run `dvc repro`"):
        export.export(np.zeros((1, 28, 28), np.float32), tmp_path / "none.keras",
                      tmp_path / "model.tflite", tmp_path / "export.json")
    (tmp_path / "broken.tflite").write_bytes(b"not a flatbuffer")
    with pytest.raises(StageError, match="not a LiteRT model"):
        Classifier(tmp_path / "broken.tflite")
