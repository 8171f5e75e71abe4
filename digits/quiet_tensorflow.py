"""TensorFlow and Keras, imported without the C++ start-up lines that TF_CPP_MIN_LOG_LEVEL misses.

TensorFlow's absl logging prints "oneDNN custom operations are on" and "Could not find cuda
drivers" straight to file descriptor 2 while it loads, whatever the log level; errors after the
import are shown as usual. Import both from here: `from digits.quiet_tensorflow import keras, tf`.
"""
import os

from digits.quiet import stderr_discarded

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

with stderr_discarded():
    import keras  # noqa: F401 (re-exported)
    import tensorflow as tf  # noqa: F401 (re-exported)
