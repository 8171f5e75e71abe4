"""Fetch the four original MNIST files into data/raw/, each verified by its sha256.

Sources are tried in order: the folder or base URL in MNIST_MIRROR when it is set, otherwise
the mirrors in params.yaml (fetch.mirrors). A file that fails its checksum is never kept.
"""
import os
import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path

from digits import errors, params
from digits.files import atomic_path, sha256_of
from digits.mnist import FILES
from digits.paths import RAW_DIR

MIRROR_VARIABLE = "MNIST_MIRROR"


class ChecksumMismatch(Exception):
    pass


def _is_url(source):
    return "://" in source


def _copy_url(url, target, timeout):
    with urllib.request.urlopen(url, timeout=timeout) as response, open(target, "wb") as out:
        total = int(response.headers.get("Content-Length") or 0)
        done, shown = 0, -1
        for block in iter(lambda: response.read(1 << 16), b""):
            out.write(block)
            done += len(block)
            percent = 100 * done // total if total else 0
            if sys.stderr.isatty() and total and percent // 10 != shown:
                shown = percent // 10
                print(f"\r  {done / 1e6:5.1f} of {total / 1e6:.1f} MB", end="", file=sys.stderr)
        if sys.stderr.isatty() and total:
            print(file=sys.stderr)


def _copy(source, name, target, timeout):
    if _is_url(source):
        _copy_url(source.rstrip("/") + "/" + name, target, timeout)
    else:
        shutil.copyfile(Path(source) / name, target)


def _reason(error):
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code}"
    if isinstance(error, urllib.error.URLError):
        return str(error.reason)
    if isinstance(error, FileNotFoundError):
        return f"no such file {error.filename}"
    return str(error) or type(error).__name__


def fetch_file(name, expected_sha256, sources, timeout, raw_dir=RAW_DIR):
    """Put a verified copy of `name` into raw_dir from the first source that has it."""
    target = Path(raw_dir) / name
    if target.exists() and sha256_of(target) == expected_sha256:
        print(f"{name}: already present, sha256 verified", file=sys.stderr)
        return
    failures = []
    for source in sources:
        print(f"{name}: fetching from {source}", file=sys.stderr)
        try:
            with atomic_path(target) as temp:
                _copy(source, name, temp, timeout)
                actual = sha256_of(temp)
                if actual != expected_sha256:
                    raise ChecksumMismatch(f"sha256 {actual[:12]}… differs from the published "
                                           f"{expected_sha256[:12]}…")
        except (OSError, urllib.error.URLError, ChecksumMismatch, ValueError) as error:
            failures.append(f"{source} ({_reason(error)})")
            continue
        print(f"{name}: {target.stat().st_size:,} bytes, sha256 verified", file=sys.stderr)
        return
    hint = (f"check that {MIRROR_VARIABLE} names a folder or URL holding the four original "
            "MNIST .gz files" if os.environ.get(MIRROR_VARIABLE) else
            f"check your connection, or set {MIRROR_VARIABLE} to a folder or base URL that "
            "holds the four MNIST .gz files")
    raise errors.UserError(f"could not fetch {name}: tried {'; '.join(failures)}; {hint}")


def sources_from(fetch_params):
    mirror = os.environ.get(MIRROR_VARIABLE)
    return [mirror] if mirror else fetch_params["mirrors"]


def main():
    fetch_params = params.load()["fetch"]
    sources = sources_from(fetch_params)
    for name, sha256 in FILES.items():
        fetch_file(name, sha256, sources, fetch_params["timeout_seconds"])


if __name__ == "__main__":
    errors.run(main)
