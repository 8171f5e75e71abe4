"""The yardstick: Keras's "simple MNIST convnet" example as a Keras user would run it.

Run from a folder holding data/prepared/ (the prepare stage's arrays). Trains on the train split
with validation_split=0.1, as the example does, unseeded as the example is; prints the test
accuracy.
"""
import keras
import numpy as np

x_train = np.load("data/prepared/x_train.npy")[..., None]  # float32 in [0, 1] already
x_test = np.load("data/prepared/x_test.npy")[..., None]
y_train = keras.utils.to_categorical(np.load("data/prepared/y_train.npy"), 10)
y_test = keras.utils.to_categorical(np.load("data/prepared/y_test.npy"), 10)

model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
    keras.layers.MaxPooling2D(pool_size=(2, 2)),
    keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
    keras.layers.MaxPooling2D(pool_size=(2, 2)),
    keras.layers.Flatten(),
    keras.layers.Dropout(0.5),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=128, epochs=15, validation_split=0.1, verbose=2)
print("test accuracy", model.evaluate(x_test, y_test, verbose=0)[1])
