"""The two classifiers, built from their params: (28, 28) floats in, 10 probabilities out."""
from digits.mnist import CLASSES, IMAGE_SIDE
from digits.quiet_tensorflow import keras


def build(name, recipe, seed, dtype_policy="float32"):
    """The model `name` (mlp or cnn) with freshly seeded weights, computing in dtype_policy."""
    keras.utils.set_random_seed(seed)  # Python, NumPy and TensorFlow generators
    keras.config.set_dtype_policy(dtype_policy)
    try:
        inputs = keras.Input(shape=(IMAGE_SIDE, IMAGE_SIDE), name="image")
        features = (_mlp if name == "mlp" else _cnn)(inputs, recipe)
        # The last layer computes in float32 even under mixed precision, for a stable softmax.
        outputs = keras.layers.Dense(CLASSES, activation="softmax", dtype="float32",
                                     name="probabilities")(features)
        return keras.Model(inputs, outputs, name=name)
    finally:
        keras.config.set_dtype_policy("float32")


def _mlp(inputs, recipe):
    """The original recipe: Flatten -> Dense(hidden_units, relu)."""
    x = keras.layers.Flatten()(inputs)
    return keras.layers.Dense(recipe["hidden_units"], activation="relu")(x)


def _cnn(inputs, recipe):
    """Blocks of 3x3 convolutions (each with batch norm and ReLU), each block ending in 2x2
    max-pooling; a dense head with batch norm and dropout. The first convolution, the one at
    full 28x28 resolution, may skip batch norm: it is the costliest place for it."""
    layers = keras.layers
    x = layers.Reshape((IMAGE_SIDE, IMAGE_SIDE, 1))(inputs)
    first = True
    for filters, convs in zip(recipe["filters"], recipe["convs_per_block"]):
        for _ in range(convs):
            normalized = recipe["first_conv_batch_norm"] or not first
            x = layers.Conv2D(filters, recipe["kernel_size"], padding="same",
                              use_bias=not normalized)(x)
            x = layers.ReLU()(layers.BatchNormalization()(x) if normalized else x)
            first = False
        x = layers.MaxPooling2D()(x)
    x = layers.Dense(recipe["dense_units"], use_bias=False)(layers.Flatten()(x))
    x = layers.ReLU()(layers.BatchNormalization()(x))
    return layers.Dropout(recipe["dropout"])(x)
