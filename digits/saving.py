"""Keras model files whose bytes depend only on the model: no save date, fixed zip entry times."""
import io
import json
import os
import tempfile
import zipfile

from digits.errors import UserError
from digits.files import atomic_path
from digits.quiet_tensorflow import keras

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


def _renumber_shared_objects(node, numbers):
    """Replace memory-address ids in the saved config with 0, 1, 2… in order of appearance."""
    if isinstance(node, dict):
        if "shared_object_id" in node:
            node["shared_object_id"] = numbers.setdefault(node["shared_object_id"], len(numbers))
        for value in node.values():
            _renumber_shared_objects(value, numbers)
    elif isinstance(node, list):
        for value in node:
            _renumber_shared_objects(value, numbers)


def _stable_entry(name, data):
    if name == "metadata.json":
        metadata = json.loads(data)
        metadata.pop("date_saved", None)
        return json.dumps(metadata, sort_keys=True).encode()
    if name == "config.json":
        config = json.loads(data)
        _renumber_shared_objects(config, {})
        return json.dumps(config, sort_keys=True).encode()
    return data


def save(model, path):
    """Write `model` to `path` (.keras), whole or not at all, the same bytes for the same model."""
    with tempfile.TemporaryDirectory() as scratch:
        plain = os.path.join(scratch, "model.keras")
        model.save(plain)
        with open(plain, "rb") as saved:
            buffer = io.BytesIO(saved.read())
    with (zipfile.ZipFile(buffer) as original, atomic_path(path) as temp,
          zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as stable):
        for info in sorted(original.infolist(), key=lambda entry: entry.filename):
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            stable.writestr(entry, _stable_entry(info.filename, original.read(info)))


def load(path):
    """The trained model; a missing or broken file says which stage makes it."""
    if not os.path.exists(path):
        raise UserError(f"{path} not found; run `dvc repro` to train it")
    try:
        return keras.saving.load_model(path)
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise UserError(f"{path} is not a loadable Keras model ({error}); run "
                        "`dvc repro --force` on its train stage to rebuild it") from None
