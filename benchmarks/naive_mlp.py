"""The baseline: the original recipe as a plain Keras script, with every setting left at default.

Run from a folder holding data/prepared/ (the prepare stage's arrays). Prints the test accuracy.
"""
import keras
import numpy as np

x_train, y_train = np.load("data/prepared/x_train.npy"), np.load("data/prepared/y_train.npy")
x_val, y_val = np.load("data/prepared/x_val.npy"), np.load("data/prepared/y_val.npy")
x_test, y_test = np.load("data/prepared/x_test.npy"), np.load("data/prepared/y_test.npy")

keras.utils.set_random_seed(42)
model = keras.Sequential([
    keras.Input(shape=(28, 28)),
    keras.layers.Flatten(),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=10, batch_size=32, verbose=2)
model.save("models/naive_mlp.keras")
print("test accuracy", model.evaluate(x_test, y_test, verbose=0)[1])
