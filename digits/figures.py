"""Saving matplotlib figures as PNG files that depend only on what they show."""
import matplotlib

matplotlib.use("Agg")  # files only, no window
import matplotlib.pyplot as plt  # noqa: E402

from digits.files import atomic_path  # noqa: E402


def save(figure, path):
    """Write `figure` to `path` whole, with no software version in the file, and close it."""
    with atomic_path(path) as temp:
        figure.savefig(temp, format="png", dpi=100, metadata={"Software": None})
    plt.close(figure)
