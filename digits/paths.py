"""Where every artifact lives; dvc.yaml names the same files (tests/test_dvc_yaml.py checks it)."""
import sys
from dataclasses import dataclass
from pathlib import Path

MODELS = ("mlp", "cnn")  # the original recipe, and the convnet that the apps use
APP_MODEL = "cnn"
PROJECT_ROOT = Path(__file__).resolve().parent.parent

PARAMS_FILE = Path("params.yaml")
PARAMS_CHECKED = Path("reports/params_checked.txt")  # written once params.yaml passes its checks
RAW_DIR = Path("data/raw")
PREPARED_DIR = Path("data/prepared")
NONDIGITS_DIR = Path("data/nondigits")  # letters, scribbles, shapes... as the model sees them
PHOTOGRAPHED_DIR = Path("data/photographed")  # training digits as the reader sees their photos
REPORT_FILE = Path("reports/report.md")
PER_CLASS_FILE = Path("reports/per_class.csv")  # both models' per-class scores, side by side
COMPARISON_FIGURE = Path("reports/figures/per_class_accuracy.png")
FIGURES = ("samples.png", "confident_mistakes.png", "confusion_matrix.png", "training_curves.png",
           "reliability.png")


@dataclass(frozen=True)
class ModelFiles:
    """The files of one model (mlp or cnn), from training to the apps."""

    name: str

    @classmethod
    def from_command_line(cls, argv=None):
        """The model that a per-model stage works on: its one argument, mlp or cnn."""
        argv = sys.argv[1:] if argv is None else argv
        if len(argv) != 1 or argv[0] not in MODELS:
            from digits.errors import UserError

            raise UserError(f"name the model to work on: one of {', '.join(MODELS)} "
                            f"(got {' '.join(argv) or 'nothing'})")
        return cls(argv[0])

    @property
    def keras(self):
        return Path("models") / self.name / "model.keras"

    @property
    def identifier(self):  # the model with its detectors: three outputs
        return Path("models") / self.name / "identifier.keras"

    @property
    def calibration(self):  # temperature and decision thresholds, fitted on validation data
        return Path("models") / self.name / "calibration.json"

    @property
    def tflite(self):  # what predict and serve load
        return Path("models") / self.name / "model.tflite"

    @property
    def reports(self):
        return Path("reports") / self.name

    @property
    def train_log(self):  # dvclive: metrics.json and plots/metrics/{train,eval}/*.tsv
        return self.reports / "train"

    @property
    def metrics(self):
        return self.reports / "metrics.json"

    @property
    def per_class(self):
        return self.reports / "per_class.json"

    @property
    def predictions(self):
        return self.reports / "predictions.csv"

    @property
    def probabilities(self):
        return self.reports / "test_probabilities.npy"

    @property
    def export_check(self):  # how closely LiteRT reproduces Keras
        return self.reports / "export.json"

    @property
    def figures(self):
        return self.reports / "figures"


def app_model_file():
    """The LiteRT model that predict and serve load unless told otherwise, wherever they run."""
    return PROJECT_ROOT / ModelFiles(APP_MODEL).tflite
