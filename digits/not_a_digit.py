"""The not-a-digit and two-digit detectors: small heads on a trained classifier's own features,
fitted on digits against generated non-digits (or touching pairs of digits), then joined to the
classifier as its second and third outputs.

The classifier itself stays as trained (the original recipe is still the original recipe); the
head reads what it has learnt: its convolution maps past the first pooling (or the pixels, for
the MLP), its last hidden layer and its probabilities. Max-softmax alone separates digits
from non-digits poorly (Hendrycks & Gimpel 2017); a detector trained with outlier examples does
much better (outlier exposure, Hendrycks et al. 2019).
"""
import numpy as np

from digits.quiet_tensorflow import keras, tf


def vary_strokes(images, rng):
    """A third of the images with thicker strokes and a third with thinner ones (3x3 grey
    dilation and erosion): markers, fingers and fine pens draw digits too."""
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    around = np.stack([padded[:, i:i + images.shape[1], j:j + images.shape[2]]
                       for i in range(3) for j in range(3)])
    change = rng.integers(0, 3, len(images))
    varied = images.copy()
    varied[change == 1] = around.max(axis=0)[change == 1]
    varied[change == 2] = around.min(axis=0)[change == 2]
    return varied


def head_digits(training_digits, photographed, rng):
    """What the detectors learn as one digit: the training digits, then each again (two in
    three with thicker or thinner strokes), and the reader's views of photographed training
    digits (none unless the photograph stage made some), so that a digit as a photo shows it is
    not taken for ink that is not a digit."""
    return np.concatenate([training_digits, vary_strokes(training_digits, rng), photographed])


def _features(model):
    """The maps after every pooling but the first (full-resolution) one, flattened; for a model
    without convolutions, its flattened input. Then the last hidden layer and the outputs."""
    pools = [layer for layer in model.layers if isinstance(layer, keras.layers.MaxPooling2D)]
    maps = [keras.layers.Flatten(name=f"head_maps_{i}")(pool.output)
            for i, pool in enumerate(pools[1:])] or [
        next(layer for layer in model.layers if isinstance(layer, keras.layers.Flatten)).output]
    return keras.layers.Concatenate(name="head_features")(
        [*maps, model.layers[-2].output, model.output])


def feature_model(model):
    """The classifier's features that the head reads, for a batch of images."""
    return keras.Model(model.input, _features(model))


def train_head(features, is_other, seed, epochs, count=1, name="not_a_digit_head"):
    """Standardize, one hidden layer of 64, sigmoid: P(not one digit), `is_other` marking the
    non-digits (or the pairs of digits) among the images. Both classes weigh alike.
    With `count` > 1, that many heads (seeds seed, seed + 1, ...) averaged: one head's seed alone
    moved the validation non-digits it refused, at the same share of digits, from 90% to 94%."""
    # A floor under the variance: features that hardly vary (units that rarely fire) must not
    # magnify float rounding, or LiteRT and Keras would disagree on the score.
    mean, variance = features.mean(axis=0), np.maximum(features.var(axis=0), 1e-2)
    share = is_other.mean()
    weights = np.where(is_other, 0.5 / share, 0.5 / (1 - share)).astype(np.float32)
    tf.config.experimental.enable_op_determinism()
    heads = []
    for index in range(count):
        keras.utils.set_random_seed(seed + index)
        head = keras.Sequential([keras.Input(features.shape[1:]),
                                 keras.layers.Normalization(mean=mean, variance=variance),
                                 keras.layers.Dense(64, activation="relu"),
                                 keras.layers.Dense(1, activation="sigmoid")],
                                name=f"{name}_{index}")
        head.compile(keras.optimizers.Adam(1e-3), "binary_crossentropy")
        head.fit(features, is_other.astype(np.float32), sample_weight=weights, epochs=epochs,
                 batch_size=256, shuffle=True, verbose=2)
        heads.append(head)
    if count == 1:
        return heads[0]
    inputs = keras.Input(features.shape[1:])
    return keras.Model(inputs, keras.layers.Average()([head(inputs) for head in heads]),
                       name=name)


def identifier(model, head, two_digit_head):
    """One model, three outputs: the 10 digit probabilities, the not-a-digit probability and
    the probability that the image holds two digits that touch."""
    features = _features(model)
    scores = [keras.layers.Reshape((), name=name)(one(features))
              for name, one in (("not_a_digit", head), ("two_digits", two_digit_head))]
    return keras.Model(model.input, [model.output, *scores], name=model.name)
