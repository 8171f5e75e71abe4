"""Memory: what budget.py says a decode takes, against what it takes; predict within its budget."""
import io
import multiprocessing
import re
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from digits import budget
from digits.apps import parallel, predict
from digits.litert import Classifier
from tests.conftest import ROOT
from tests.fuzz_inputs import encode, seven
from tests.test_serve_limits import digit_png

PREDICT_BUDGET = 1024 * 2**20  # bytes: what the README promises for predict on any folder
PEAK = ("import re, sys\nfrom digits import budget, decoding\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "def peak(): return int(re.search(r'VmHWM:\\s+(\\d+)', "
        "open('/proc/self/status').read())[1]) * 1024\n"
        "before = peak(); decoding.read_gray(data)\n"
        "print(peak() - before, budget.header_of(data)[2])")


def big(mode):
    return seven((2000, 2000)).convert(mode)


def palette_with_transparency():
    image = big("P")
    image.info["transparency"] = image.getpixel((0, 0))
    return image


KINDS = {  # name: the file's bytes
    "grey PNG": lambda: encode(big("L"), "PNG"),
    "RGB PNG": lambda: encode(big("RGB"), "PNG"),
    "RGBA PNG": lambda: encode(big("RGBA"), "PNG"),
    "palette PNG, transparent": lambda: encode(palette_with_transparency(), "PNG"),
    "1-bit PNG": lambda: encode(big("1"), "PNG"),
    "16-bit PNG": lambda: encode(Image.fromarray(np.asarray(big("L")).astype(np.uint16) * 257),
                                 "PNG"),
    "CMYK TIFF": lambda: encode(big("CMYK"), "TIFF", compression="tiff_deflate"),
    "float TIFF": lambda: encode(big("F"), "TIFF"),
    "BMP": lambda: encode(big("RGB"), "BMP"),
    "GIF": lambda: encode(big("L"), "GIF"),
    "WebP": lambda: encode(big("RGBA"), "WEBP", lossless=True),
    "JPEG": lambda: encode(big("RGB"), "JPEG"),
}


@pytest.mark.parametrize("kind", KINDS)
def test_the_estimate_bounds_what_a_decode_takes(kind, tmp_path):
    (tmp_path / "image").write_bytes(KINDS[kind]())
    result = subprocess.run([sys.executable, "-c", PEAK, str(tmp_path / "image")], cwd=ROOT,
                            check=True, capture_output=True, text=True)
    used, estimate = map(int, result.stdout.split())
    print(f"{kind}: {used / 2**20:.1f} MB used, {estimate / 2**20:.1f} MB estimated")
    assert used <= estimate
    assert kind == "JPEG" or used > estimate / 3  # an estimate, not a blanket figure


def test_predict_on_a_folder_of_big_images_stays_within_its_budget(tflite_model, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    for mode in ("RGBA", "L"):  # 49 megapixels each, as a scanner might save them
        (folder / f"{mode}.png").write_bytes(digit_png(7000, 7000, mode))
    (folder / "small.png").write_bytes(digit_png(300, 300, "L"))
    script = ("import re, sys\nfrom digits.apps import predict\n"
              "status = predict.main(sys.argv[1:])\n"
              "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1], "
              "file=sys.stderr)\nsys.exit(status)")
    result = subprocess.run([sys.executable, "-c", script, str(folder), "--model",
                             str(tflite_model)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert [line.split(": ")[1][0] for line in result.stdout.splitlines()] == ["7", "7", "7"]
    peak = int(result.stderr.split()[-1]) * 1024
    print(f"predict's high-water mark: {peak / 2**20:.0f} MB")
    assert peak < PREDICT_BUDGET


def test_predict_refuses_a_decode_over_its_limit(tflite_model, tmp_path, monkeypatch):
    monkeypatch.setattr(predict, "DECODE_LIMIT", 16 * 2**20)
    (tmp_path / "big.png").write_bytes(encode(big("RGBA"), "PNG"))
    (result,) = predict.identify([str(tmp_path / "big.png")], Classifier(tflite_model))
    assert re.fullmatch(r"image too large to decode: 2000x2000 pixels of this kind would take "
                        r"\d+ MB of memory \(at most 16 MB\); save it smaller", result["error"])


def test_a_header_that_cannot_be_read_costs_nothing_to_refuse():
    assert budget.header_of(b"not an image") is None
    assert budget.header_of(io.BytesIO(b"").getvalue()) is None


def _decode_in_turn(budget, started, events):
    started.set()
    with budget.share(5 * 2**20):
        events.put("second decode starts")


def test_worker_processes_decode_within_one_shared_budget():
    """A decode that does not fit beside another waits for it to end; one that fits does not."""
    context = multiprocessing.get_context("spawn")
    shared = parallel.SharedBudget(context, 10 * 2**20)
    started, events = context.Event(), context.Queue()
    with shared.share(8 * 2**20):
        waiting = context.Process(target=_decode_in_turn, args=(shared, started, events))
        waiting.start()
        assert started.wait(60)
        with shared.share(2 * 2**20):  # fits beside the first: no wait
            pass
        time.sleep(0.5)  # a budget that let the other decode in would show it by now
        events.put("first decode ends")
    waiting.join(60)
    assert [events.get(timeout=10) for _ in range(2)] == ["first decode ends",
                                                          "second decode starts"]
