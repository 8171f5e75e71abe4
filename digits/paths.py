"""Where every artifact lives; dvc.yaml names the same files."""
from pathlib import Path

RAW_DIR = Path("data/raw")
PREPARED_DIR = Path("data/prepared")
MODEL_FILE = Path("models/model.keras")
TFLITE_FILE = Path("models/model.tflite")  # the same model for LiteRT, written by export
TRAIN_LOG_DIR = Path("reports/train")  # dvclive: metrics.json and plots/metrics/{train,eval}/
METRICS_FILE = Path("reports/metrics.json")
PREDICTIONS_FILE = Path("reports/predictions.csv")
PROBABILITIES_FILE = Path("reports/test_probabilities.npy")
FIGURES_DIR = Path("reports/figures")
REPORT_FILE = Path("reports/report.md")
EXPORT_CHECK_FILE = Path("reports/export.json")  # how closely LiteRT reproduces Keras
