"""The MNIST digit-identifier pipeline: one module per DVC stage, run as python -m stages.<name>."""
import os

# Quiet TensorFlow's C++ start-up logs (CUDA probing on CPU machines) in any stage that loads it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
