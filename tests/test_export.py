"""The export stage: a LiteRT model that answers as Keras does, byte for byte reproducible, for a
convnet of the default width and depth over the whole test set."""
import json

import numpy as np
import pytest

from digits.errors import UserError
from digits.litert import Classifier, read_card
from digits.mnist import read_split, to_unit_floats
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def test_images(mnist_dir):
    images, _ = read_split("t10k", mnist_dir)
    return to_unit_floats(images)


@pytest.fixture(scope="module")
def default_width_convnet(tmp_path_factory, test_images):
    """The convnet exactly as params.yaml builds it, after a few training steps, with its two
    detectors fitted briefly (each as many heads as params.yaml asks): what a user's export
    gets, without the wait for a full training. (path of the model, path of its calibration)"""
    from digits import datasets, models, not_a_digit, params, saving, training

    settings = params.load(ROOT / "params.yaml")
    recipe = training.full_recipe(settings["cnn"])
    model = models.build("cnn", recipe, seed=0)
    training.compile_for_training(model, {**recipe, "warmup_epochs": None}, steps_per_epoch=20)
    labels = np.arange(2000) % 10
    model.fit(test_images[:2000], datasets.one_hot(labels), batch_size=100, epochs=1, verbose=0)
    features = not_a_digit.feature_model(model).predict(test_images[:512], verbose=0)
    heads = [not_a_digit.train_head(features, np.arange(512) % every == 0, seed=0, epochs=1,
                                    count=settings["calibrate"]["heads"], name=name)
             for every, name in ((2, "not_a_digit_head"), (3, "two_digits_head"))]
    folder = tmp_path_factory.mktemp("convnet")
    saving.save(not_a_digit.identifier(model, *heads), folder / "identifier.keras")
    (folder / "calibration.json").write_text(json.dumps({"temperature": 0.5, "thresholds": {
        "not_a_digit": 0.9, "sure": 0.6, "two_digits": 0.8}}))
    return folder / "identifier.keras", folder / "calibration.json"


@pytest.fixture(scope="module")
def exported(tmp_path_factory, default_width_convnet, test_images):
    from stages import export

    folder = tmp_path_factory.mktemp("export")
    report = export.export("cnn", test_images, *default_width_convnet, folder / "model.tflite",
                           folder / "export.json")
    return folder, report


@pytest.mark.slow
def test_litert_agrees_with_keras_on_all_10000_test_images(exported):
    folder, report = exported
    assert report["test_images"] == 10000
    assert report["agreement"] >= 0.999
    assert 0 <= report["max_probability_difference"] <= 1e-4
    assert json.loads((folder / "export.json").read_text()) == report


@pytest.mark.slow
def test_the_exported_file_carries_its_card_and_all_three_outputs(exported, test_images):
    folder, _ = exported
    card = read_card((folder / "model.tflite").read_bytes())
    assert card["name"] == "cnn" and Classifier(folder / "model.tflite").name == "cnn"
    assert card["temperature"] == 0.5 and card["thresholds"] == {
        "not_a_digit": 0.9, "sure": 0.6, "two_digits": 0.8}
    probabilities, *scores = Classifier(folder / "model.tflite").outputs(test_images[:10])
    assert probabilities.shape == (10, 10) and len(scores) == 2
    for detector in scores:  # in the Keras model's order: not the same scores twice
        assert detector.shape == (10,) and ((detector >= 0) & (detector <= 1)).all()
        assert len(set(detector.round(6))) > 1
    assert not np.allclose(*scores)


@pytest.mark.slow
def test_export_is_byte_for_byte_reproducible(exported, default_width_convnet, test_images,
                                              tmp_path):
    from stages import export

    export.export("cnn", test_images, *default_width_convnet, tmp_path / "model.tflite",
                  tmp_path / "export.json")
    folder, _ = exported
    assert (tmp_path / "model.tflite").read_bytes() == (folder / "model.tflite").read_bytes()
    assert (tmp_path / "export.json").read_text() == (folder / "export.json").read_text()


@pytest.mark.slow
def test_any_batch_size_gives_exactly_the_same_probabilities(exported, test_images):
    folder, _ = exported
    classifier = Classifier(folder / "model.tflite")
    whole = classifier.probabilities(test_images[:600])  # three interpreter calls
    in_sevens = np.concatenate([classifier.probabilities(test_images[i:min(i + 7, 600)])
                                for i in range(0, 600, 7)])
    one_by_one = np.concatenate([classifier.probabilities(image[None])
                                 for image in test_images[:50]])
    assert whole.shape == (600, 10) and np.array_equal(whole, in_sevens)
    assert np.array_equal(whole[:50], one_by_one)
    assert np.allclose(whole.sum(axis=1), 1, atol=1e-5)
    assert classifier.probabilities(test_images[:0]).shape == (0, 10)


@pytest.mark.slow
def test_a_model_that_disagrees_is_not_written(monkeypatch, default_width_convnet, test_images,
                                               tmp_path):
    from stages import export

    monkeypatch.setattr(export, "MAX_DIFFERENCE", -1.0)  # nothing can pass
    with pytest.raises(UserError, match="differs from Keras"):
        export.export("cnn", test_images[:100], *default_width_convnet,
                      tmp_path / "model.tflite", tmp_path / "export.json")
    assert not (tmp_path / "model.tflite").exists() and not (tmp_path / "export.json").exists()


def test_missing_or_broken_models_are_one_line_errors(tmp_path):
    from stages import export

    with pytest.raises(UserError, match="not found; run `dvc repro`"):
        export.export("cnn", np.zeros((1, 28, 28), np.float32), tmp_path / "none.keras",
                      tmp_path / "calibration.json", tmp_path / "model.tflite",
                      tmp_path / "export.json")
    (tmp_path / "broken.tflite").write_bytes(b"not a flatbuffer")
    with pytest.raises(UserError, match="not a LiteRT model"):
        Classifier(tmp_path / "broken.tflite")
