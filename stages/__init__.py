"""What dvc.yaml runs: one module per stage, `python -m stages.<name> [mlp | cnn]`."""
