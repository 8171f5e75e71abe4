"""Run an exported model with LiteRT: digit probabilities for any number of images, no TensorFlow.

The .tflite file carries a JSON "card" in its metadata (the model's name and what the apps need
to know about it), so one file is the whole artifact.
"""
import json
import os
import threading

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as schema
from ai_edge_litert.interpreter import Interpreter

from digits.errors import UserError
from digits.mnist import CLASSES
from digits.quiet import stderr_discarded

CARD = "digits.card"  # the metadata entry that holds the card
CHUNK = 256  # images per interpreter call: large batches overflow some kernels' 32-bit indices
SCORES = 2   # the detectors' outputs after the probabilities: not a digit, two digits


def with_card(model_bytes, card):
    """The .tflite bytes with `card` (a dict) stored as JSON in their metadata."""
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAs(model_bytes, 0))
    buffer = schema.BufferT()
    buffer.data = list(json.dumps(card, sort_keys=True).encode())
    model.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name, entry.buffer = CARD, len(model.buffers) - 1
    model.metadata = [m for m in model.metadata or [] if m.name != CARD.encode()] + [entry]
    builder = flatbuffers.Builder(len(model_bytes) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def read_card(model_bytes):
    """The card stored by with_card(), or None."""
    model = schema.Model.GetRootAs(model_bytes, 0)
    for i in range(model.MetadataLength()):
        entry = model.Metadata(i)
        if entry.Name() == CARD.encode():
            return json.loads(model.Buffers(entry.Buffer()).DataAsNumpy().tobytes())
    return None


class Classifier:
    """An exported model, loaded once; call outputs() as often as needed, from any thread."""

    def __init__(self, path):
        if not os.path.isfile(path):
            raise UserError(f"{path} not found; run `dvc repro` to train and export the model "
                            "(or pass --model FILE)")
        with open(path, "rb") as source:
            model_bytes = source.read()
        try:
            self.card = read_card(model_bytes) or {}
            # One thread and the default XNNPACK kernels: the fastest on one image, and the
            # same numbers for the same input at any batch size (tests/test_export.py checks).
            self._interpreter = Interpreter(model_content=model_bytes, num_threads=1)
            with stderr_discarded():  # "Created TensorFlow Lite XNNPACK delegate for CPU."
                self._interpreter.allocate_tensors()
                # The outputs in the Keras model's order: the digit probabilities, then the
                # detectors' scores (not a digit, two digits) if the model has them.
                named = self._interpreter.get_signature_runner().get_output_details()
            self._outputs = [named[name]["index"] for name in sorted(named, key=_output_number)]
        except Exception as error:  # flatbuffers and LiteRT raise many kinds on a broken file
            raise UserError(f"{path} is not a LiteRT model ({error}); run `dvc repro --force` "
                            "on its export stage to rebuild it") from None
        self.path, self.name = str(path), self.card.get("name", "unnamed")
        image = self._interpreter.get_input_details()[0]
        self._input, self._image_shape = image["index"], list(image["shape"][1:])  # (28, 28[, 1])
        self._batch = 1
        self._lock = threading.Lock()  # one call at a time: the interpreter is not thread-safe

    def outputs(self, images):
        """float32 (N, 28, 28) scaled as in training -> the model's probabilities, float32
        (N, 10) with rows summing to 1, its not-a-digit scores (N,) and its two-digit scores
        (N,) (0 where the model lacks that head)."""
        images = np.ascontiguousarray(images, np.float32).reshape(-1, *self._image_shape)
        if len(images) == 0:
            return np.zeros((0, CLASSES), np.float32), np.zeros(0, np.float32), np.zeros(
                0, np.float32)
        with self._lock:
            chunks = [self._run(images[start:start + CHUNK])
                      for start in range(0, len(images), CHUNK)]
        return tuple(np.concatenate(part) for part in zip(*chunks))

    def probabilities(self, images):
        """The model's own (uncalibrated) digit probabilities, float32 (N, 10)."""
        return self.outputs(images)[0]

    def _run(self, images):
        try:
            if len(images) != self._batch:  # the model takes any batch size, once told it
                self._interpreter.resize_tensor_input(self._input, [len(images),
                                                                    *self._image_shape])
                self._interpreter.allocate_tensors()
                self._batch = len(images)
            self._interpreter.set_tensor(self._input, images)
            self._interpreter.invoke()
        except (RuntimeError, ValueError) as error:  # e.g. ops LiteRT has no kernels for
            raise UserError(f"{self.path} cannot run in LiteRT ({error}); run `dvc repro "
                            "--force` on its export stage to rebuild it") from None
        found = [self._interpreter.get_tensor(index).copy() for index in self._outputs]
        return (*found, *[np.zeros(len(images), np.float32)] * (SCORES + 1 - len(found)))


def _output_number(name):
    """'output_2' -> 2: the order of the Keras model's outputs."""
    return int(name.rpartition("_")[2])
