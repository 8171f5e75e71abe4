"""The MNIST digit-identifier pipeline: one module per DVC stage, run as python -m stages.<name>."""
