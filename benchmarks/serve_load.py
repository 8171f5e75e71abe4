"""Load digits-serve on loopback with a drawn digit, as the page sends it.

    python benchmarks/serve_load.py [--requests 2000] [--concurrency 16] [--alone 500]
                                    [--workers N] [--url http://127.0.0.1:PORT] [--png FILE]

Starts the server (models/cnn/model.tflite; `dvc repro` first; --workers processes, by default
digits-serve's own: one per core) on a free port
of 127.0.0.1, unless --url names one already running. The body is what the page posts while you
draw: a 336x112 PNG of a "7" in black strokes 7% of its height wide, antialiased, on white (--png:
another file showing a 7, e.g. one saved from the page in Chromium). Clients keep their connections
open (HTTP/1.1 keep-alive, a lean asyncio client). Prints, for one client alone (the latency a
person feels), then for --requests requests from --concurrency clients at once: errors (non-200
answers or a digit other than 7), p50 and p99 latency, requests per second, and the load average
before and after (the clients share the machine's cores with the server).
"""
import argparse
import asyncio
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digits.apps import workers  # noqa: E402

HEIGHT, ASPECT, STROKE = 112, 3, 0.07  # as in digits/apps/web/app.js
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
SEVEN = [[(0.25, 0.22), (0.72, 0.22), (0.45, 0.82)], [(0.38, 0.52), (0.66, 0.52)]]


def drawn_png(strokes=SEVEN, height=HEIGHT, supersample=4):
    """Strokes (0-1 coordinates across the pad's middle square) drawn the way a canvas does:
    round caps, antialiased, an RGBA PNG as wide as the page's pad."""
    big = height * supersample
    image = Image.new("RGBA", (ASPECT * big, big), "white")
    draw = ImageDraw.Draw(image)
    width, left = round(STROKE * big), (ASPECT - 1) / 2
    for stroke in strokes:
        points = [((left + x) * big, y * big) for x, y in stroke]
        draw.line(points, fill="black", width=width, joint="curve")
        for x, y in (points[0], points[-1]):  # round caps
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), "black")
    buffer = io.BytesIO()
    image.resize((ASPECT * height, height), Image.Resampling.LANCZOS).save(buffer, "PNG")
    return buffer.getvalue()


def start_server(workers=None):
    """digits-serve on a free port, with `workers` processes (None: its default)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    chosen = ["--workers", str(workers)] if workers else []
    server = subprocess.Popen([sys.executable, "-m", "digits.apps.serve", "--port", str(port),
                               *chosen],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            DIRECT.open(f"{url}/healthz", timeout=1).read()
            return server, url
        except OSError:
            if server.poll() is not None:
                sys.exit(f"the server did not start:\n{server.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
    server.kill()
    sys.exit("the server did not answer /healthz within 30 s")


async def client(host, port, body, work, latencies, errors):
    """One keep-alive connection, sending requests while `work` has some left."""
    reader, writer = await asyncio.open_connection(host, port)
    request = (f"POST /api/predict HTTP/1.1\r\nHost: {host}:{port}\r\n"
               f"Content-Type: image/png\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    while work[0] > 0:
        work[0] -= 1
        started = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        answer = await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        if not head.startswith(b"HTTP/1.1 200") or not answer.startswith(b'{"number":"7",'):
            errors.append(head.split(b"\r\n")[0] + b" " + answer[:200])
    writer.close()
    await writer.wait_closed()


async def run(url, body, count, concurrency):
    """(seconds, latencies, errors) for `count` requests from `concurrency` clients."""
    parts = urlsplit(url)
    work, latencies, errors = [count], [], []
    started = time.perf_counter()
    await asyncio.gather(*(client(parts.hostname, parts.port, body, work, latencies, errors)
                           for _ in range(concurrency)))
    return time.perf_counter() - started, np.array(latencies), errors


def report(label, seconds, latencies, errors):
    p50, p99 = np.percentile(latencies, [50, 99]) * 1000
    print(f"{label}: {len(latencies)} requests, {len(errors)} errors, p50 {p50:.2f} ms, "
          f"p99 {p99:.2f} ms, {len(latencies) / seconds:.0f} requests/s")
    for error in errors[:3]:
        print(f"  e.g. {error.decode(errors='replace')}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--alone", type=int, default=500, help="requests from one client")
    parser.add_argument("--workers", type=int,
                        help="server processes to start (default: digits-serve's, one per core)")
    parser.add_argument("--url", help="a server already running on 127.0.0.1")
    parser.add_argument("--png", type=Path, help="the body to send, instead of the drawn 7")
    args = parser.parse_args()
    if args.url and urlsplit(args.url).hostname not in ("127.0.0.1", "localhost"):
        sys.exit("--url: only a server on this machine (127.0.0.1)")
    body = args.png.read_bytes() if args.png else drawn_png()
    server, url = (None, args.url) if args.url else start_server(args.workers)
    try:
        processes = args.workers or ("?" if args.url else workers.default_count())
        print(f"{url} ({processes} worker(s)): "
              f"{args.png or f'a {ASPECT * HEIGHT}x{HEIGHT} drawn 7'}, {len(body):,} bytes; "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        asyncio.run(run(url, body, 200, 4))  # warm-up
        report("1 client", *asyncio.run(run(url, body, args.alone, 1)))
        report(f"{args.concurrency} clients", *asyncio.run(run(url, body, args.requests,
                                                               args.concurrency)))
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        if server:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
