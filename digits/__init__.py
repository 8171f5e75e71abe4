"""Identify handwritten digits: the library that the pipeline's stages and the apps are built on.

Only the modules that train or convert models (models, training, datasets, saving) load
TensorFlow, through quiet_tensorflow; importing anything else stays fast.
"""
