"""Fetching: verified copies from a folder or URL, fallbacks, and clear failures."""
import functools
import http.server
import shutil
import sys
import threading

import pytest

from digits.errors import UserError
from digits.mnist import FILES
from stages.fetch import fetch_file
from tests.conftest import ROOT, run, set_param

LABELS = "t10k-labels-idx1-ubyte.gz"
REFUSED = "http://127.0.0.1:1/mnist/"  # nothing listens on port 1: fails at once, offline


@pytest.fixture
def http_mirror(mnist_dir):
    """A loopback HTTP server serving the MNIST folder."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(mnist_dir))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def test_copies_from_folder_and_verifies(mnist_dir, tmp_path):
    fetch_file(LABELS, FILES[LABELS], [str(mnist_dir)], 5, raw_dir=tmp_path)
    assert (tmp_path / LABELS).read_bytes() == (mnist_dir / LABELS).read_bytes()


def test_downloads_from_url(http_mirror, tmp_path, mnist_dir):
    fetch_file(LABELS, FILES[LABELS], [http_mirror], 5, raw_dir=tmp_path)
    assert (tmp_path / LABELS).read_bytes() == (mnist_dir / LABELS).read_bytes()


def test_falls_back_to_the_next_source(mnist_dir, tmp_path):
    fetch_file(LABELS, FILES[LABELS], [REFUSED, str(mnist_dir)], 5, raw_dir=tmp_path)
    assert (tmp_path / LABELS).exists()


def test_checksum_failure_keeps_nothing(tmp_path):
    fake = tmp_path / "mirror"
    fake.mkdir()
    (fake / LABELS).write_bytes(b"not mnist")
    raw = tmp_path / "raw"
    with pytest.raises(UserError, match=r"could not fetch .*sha256 .* differs from the published"):
        fetch_file(LABELS, FILES[LABELS], [str(fake)], 5, raw_dir=raw)
    assert list(raw.iterdir()) == []


def test_corrupt_existing_file_is_replaced(mnist_dir, tmp_path):
    (tmp_path / LABELS).write_bytes(b"half a download")
    fetch_file(LABELS, FILES[LABELS], [str(mnist_dir)], 5, raw_dir=tmp_path)
    assert (tmp_path / LABELS).read_bytes() == (mnist_dir / LABELS).read_bytes()


def fetch_in(workdir, mirror):
    """Run the fetch stage as DVC would, in a folder with its own params.yaml."""
    if not (workdir / "params.yaml").exists():
        shutil.copy(ROOT / "params.yaml", workdir / "params.yaml")
    env = {"PYTHONPATH": str(ROOT), "MNIST_MIRROR": mirror}
    return run([sys.executable, "-m", "stages.fetch"], cwd=workdir, env=env, check=False)


def test_stage_fetches_all_four_files(mnist_dir, tmp_path):
    result = fetch_in(tmp_path, str(mnist_dir))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "data/raw").iterdir()) == sorted(FILES)


def test_offline_without_mirror_names_mirrors_and_the_fix(tmp_path):
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    set_param(tmp_path, f"fetch.mirrors=['{REFUSED}', 'http://127.0.0.1:1/other/']")
    result = fetch_in(tmp_path, "")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    assert lines[-1].startswith("error: could not fetch train-images-idx3-ubyte.gz: tried "
                                f"{REFUSED} (")
    assert "http://127.0.0.1:1/other/" in lines[-1] and "set MNIST_MIRROR" in lines[-1]
    assert not list((tmp_path / "data/raw").iterdir())


def test_mirror_without_the_files(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = fetch_in(tmp_path, str(empty))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{empty} (no such file" in result.stderr
    assert "check that MNIST_MIRROR names a folder" in result.stderr
