"""Run models/model.tflite with LiteRT: digit probabilities for a batch of images, no TensorFlow."""
import os

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType

from stages.cli import StageError
from stages.mnist import CLASSES
from stages.paths import TFLITE_FILE


class Classifier:
    """The exported model, loaded once; call probabilities() as often as needed (one thread)."""

    def __init__(self, path=TFLITE_FILE):
        if not os.path.exists(path):
            raise StageError(f"{path} not found; run `dvc repro export` to make it")
        try:
            # The reference kernels: plain float32, deterministic, no delegate chatter.
            self._interpreter = Interpreter(
                model_path=str(path), num_threads=1,
                experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
        except ValueError as error:
            raise StageError(f"{path} is not a LiteRT model ({error}); run "
                             "`dvc repro --force export` to rebuild it") from None
        self._path = path
        image = self._interpreter.get_input_details()[0]
        self._input, self._image_shape = image["index"], list(image["shape"][1:])  # (28, 28[, 1])
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._batch = None

    def probabilities(self, images):
        """float32 (N, 28, 28) scaled as in training -> float32 (N, 10), each row summing to 1."""
        if len(images) == 0:
            return np.zeros((0, CLASSES), np.float32)
        images = np.ascontiguousarray(images, np.float32).reshape(len(images), *self._image_shape)
        try:
            if len(images) != self._batch:  # the model takes any batch size, once told it
                shape = [len(images), *self._image_shape]
                self._interpreter.resize_tensor_input(self._input, shape)
                self._interpreter.allocate_tensors()
                self._batch = len(images)
            self._interpreter.set_tensor(self._input, images)
            self._interpreter.invoke()
        except RuntimeError as error:  # e.g. TensorFlow ops that LiteRT has no kernels for
            raise StageError(f"{self._path} cannot run in LiteRT ({error}); run "
                             "`dvc repro --force export` to rebuild it") from None
        return self._interpreter.get_tensor(self._output).copy()
