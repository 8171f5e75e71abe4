"""Post big images to digits-serve all at once: how long each waits, and the server's memory.

    python benchmarks/serve_big_images.py [--concurrency 16] [--model FILE]

Starts the server on a free port of 127.0.0.1, then sends, from --concurrency clients at once:
a 49-megapixel PNG (7000x7000, 230 kB: under the 2 MB body limit, over the 16-megapixel one),
then a 12-megapixel PNG (4000x3000, a phone photo's size, decoded within the memory budget).
Prints, for each round, the answers' statuses and their slowest and median times, then the
server's high-water mark of resident memory (VmHWM).
"""
import argparse
import io
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from serve_load import DIRECT, ROOT
from serve_soak import start_server


def digit_png(width, height):
    """A white RGBA page with a 7 drawn across it, as a PNG (small: it compresses well)."""
    page = Image.new("L", (width, height), 255)
    ImageDraw.Draw(page).line([(width * 0.3, height * 0.2), (width * 0.7, height * 0.2),
                               (width * 0.45, height * 0.8)], fill=0, width=width // 25)
    buffer = io.BytesIO()
    page.convert("RGBA").save(buffer, "PNG", compress_level=9)
    return buffer.getvalue()


def post(url, body):
    """(status, seconds) of one POST /api/predict."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{url}/api/predict", data=body,
                                     headers={"Content-Type": "image/png"})
    started = time.perf_counter()
    try:
        with DIRECT.open(request, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--model", type=Path, default=ROOT / "models/cnn/model.tflite")
    args = parser.parse_args()
    rounds = {"49-megapixel PNG": digit_png(7000, 7000), "12-megapixel PNG": digit_png(4000, 3000)}
    with tempfile.TemporaryFile() as log:
        server, port = start_server(args.model, log)
        url = f"http://127.0.0.1:{port}"
        try:
            for name, body in rounds.items():
                with ThreadPoolExecutor(args.concurrency) as pool:
                    answers = list(pool.map(lambda body: post(url, body),
                                            [body] * args.concurrency))
                statuses = sorted({status for status, _ in answers})
                seconds = np.array([seconds for _, seconds in answers])
                print(f"{args.concurrency} x {name} ({len(body) / 1000:.0f} kB) at once: "
                      f"status {statuses}, slowest {seconds.max():.2f} s, "
                      f"median {np.median(seconds):.2f} s")
            status = Path(f"/proc/{server.pid}/status").read_text()
            peak = int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024
            print(f"server's high-water mark: {peak:.0f} MB")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
