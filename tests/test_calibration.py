"""Calibration and the three answers, on data whose truth is known."""
import numpy as np
import pytest

from digits import calibration, decision


def overconfident(count, temperature, seed=0):
    """Probabilities of a model whose logits are `temperature` times too large, and labels drawn
    from the true (unscaled) probabilities."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 2, (count, 10))
    truth = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = np.array([rng.choice(10, p=row) for row in truth])
    shown = np.exp(logits * temperature)
    return shown / shown.sum(axis=1, keepdims=True), labels


def test_temperature_scaling_finds_the_temperature_and_removes_the_error():
    probabilities, labels = overconfident(20000, temperature=2.5)
    fitted = calibration.fit_temperature(probabilities, labels)
    assert fitted == pytest.approx(2.5, rel=0.05)
    before = calibration.expected_calibration_error(probabilities, labels)
    after = calibration.expected_calibration_error(calibration.calibrated(probabilities, fitted),
                                                   labels)
    assert before > 0.1 and after < 0.02


def test_calibration_keeps_the_ranking_and_sums_to_one():
    probabilities, _ = overconfident(500, temperature=3)
    scaled = calibration.calibrated(probabilities, 0.5)
    assert np.array_equal(scaled.argmax(axis=1), probabilities.argmax(axis=1))
    assert np.allclose(scaled.sum(axis=1), 1, atol=1e-5)
    assert np.array_equal(calibration.calibrated(probabilities, 1.0).round(5),
                          probabilities.astype(np.float32).round(5))


def test_ece_is_zero_when_confidence_matches_accuracy():
    probabilities = np.full((1000, 10), 0.2 / 9)
    probabilities[:, 0] = 0.8
    labels = np.where(np.arange(1000) < 800, 0, 1)  # right exactly 80% of the time
    assert calibration.expected_calibration_error(probabilities, labels) == pytest.approx(0)
    assert calibration.expected_calibration_error(probabilities, np.zeros(1000, int)) == \
        pytest.approx(0.2)


def test_thresholds_turn_away_the_asked_share():
    rng = np.random.default_rng(1)
    scores = rng.uniform(size=10000)
    threshold = calibration.score_threshold(scores, 0.01)
    assert (scores > threshold).mean() == pytest.approx(0.01, abs=0.002)
    probabilities, _ = overconfident(10000, 1.0)
    sure = calibration.sure_threshold(probabilities, 0.05)
    assert (probabilities.max(axis=1) < sure).mean() == pytest.approx(0.05, abs=0.002)


class Fixed:
    """A stand-in for a LiteRT classifier with given outputs."""

    def __init__(self, probabilities, scores, card):
        self.result, self.card = (np.array(probabilities), np.array(scores)), card

    def outputs(self, images):
        return self.result


def test_the_detectors_learn_photographed_digits_as_digits_and_nothing_else_moves():
    from digits.not_a_digit import head_digits

    rng = np.random.default_rng(0)
    digits = rng.random((50, 28, 28), dtype=np.float32)
    photographed = rng.random((7, 28, 28), dtype=np.float32)
    alone = head_digits(digits, photographed[:0], np.random.default_rng(1))
    both = head_digits(digits, photographed, np.random.default_rng(1))
    assert alone.shape == (100, 28, 28) and np.array_equal(alone[:50], digits)
    assert np.array_equal(both[:100], alone)  # without photos, the default's head as before
    assert np.array_equal(both[100:], photographed)


def test_a_detector_of_several_heads_scores_their_mean():
    """Heads trained with different seeds differ; the detector is their average, and its first
    head is the one head trained with that seed alone."""
    from digits.not_a_digit import train_head

    rng = np.random.default_rng(0)
    features = rng.normal(size=(400, 12)).astype(np.float32)
    is_other = features[:, 0] + 0.5 * rng.normal(size=400) > 0
    alone = train_head(features, is_other, seed=3, epochs=2)
    averaged = train_head(features, is_other, seed=3, epochs=2, count=3)
    each = np.stack([head.predict(features, verbose=0)[:, 0] for head in averaged.layers[1:-1]])
    assert len(each) == 3 and np.ptp(each, axis=0).max() > 1e-3
    np.testing.assert_allclose(averaged.predict(features, verbose=0)[:, 0], each.mean(axis=0),
                               atol=1e-6)
    np.testing.assert_allclose(each[0], alone.predict(features, verbose=0)[:, 0], atol=1e-6)


def test_three_answers():
    certain, torn, none = np.eye(10)[3] * 0.99 + 0.001, np.full(10, 0.0), np.full(10, 0.1)
    torn[[4, 9]] = 0.52, 0.48
    card = {"temperature": 1.0, "thresholds": {"sure": 0.6, "not_a_digit": 0.9}}
    digit, unsure, refused = decision.answers(Fixed([certain, torn, none], [0.1, 0.2, 0.95],
                                                    card), np.zeros((3, 28, 28)))
    assert digit["digit"] == 3 and "reason" not in digit
    assert unsure["digit"] is None and unsure["reason"] == "not sure"
    assert [c["digit"] for c in unsure["candidates"]] == [4, 9]
    assert unsure["candidates"][0]["probability"] == pytest.approx(0.52)
    assert refused == {**refused, "digit": None, "reason": "not a digit"}
    assert "candidates" not in refused and refused["not_a_digit"] == pytest.approx(0.95)
