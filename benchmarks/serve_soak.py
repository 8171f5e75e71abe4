"""Soak digits-serve: many requests, good and bad bodies mixed, from keep-alive clients at once.

    python benchmarks/serve_soak.py [--requests 50000] [--concurrency 16] [--model FILE]

Starts the server on a free port of 127.0.0.1 (its log goes to a temporary file). Each client
keeps one connection open and cycles through the bodies below, each with the answer it must get;
a client whose connection the server closes (after a 413) opens another. Prints errors of the
server's making (a 5xx, a wrong status, a reset or a connection closed without an answer),
throughput, p50 and p99 latency, and the server's resident memory after a warm-up and at the
end. Exits 1 if there was any such error or the memory grew by more than 30 MB.
"""
import argparse
import asyncio
import io
import re
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
from PIL import Image
from serve_load import ROOT, drawn_png

MAX_GROWTH = 30 * 2**20


def encode(image, fmt="PNG", **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_bomb(side=30_000):
    """A valid 1-bit PNG of side x side pixels: 110 kB on the wire, 900 MB decoded."""
    def chunk(kind, data):
        checksum = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + checksum
    rows = zlib.compress((b"\0" + b"\xff" * -(-side // 8)) * side, 9)
    header = side.to_bytes(4, "big") * 2 + bytes([1, 0, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows)
            + chunk(b"IEND", b""))


def multipart(content):
    return (b'--B\r\nContent-Disposition: form-data; name="file"; filename="d.png"\r\n'
            b"Content-Type: image/png\r\n\r\n" + content + b"\r\n--B--\r\n")


def mix():
    """[(content type, body, expected status)], good and bad, in the proportions sent."""
    seven = drawn_png()
    photo = encode(Image.open(io.BytesIO(seven)).convert("RGB").resize((900, 900)), "JPEG")
    good = [("image/png", seven, 200)] * 12 + [("image/jpeg", photo, 200),
                                               ("multipart/form-data; boundary=B",
                                                multipart(seven), 200)]
    bad = [("image/png", b"hello, not an image", 422), ("image/png", seven[:200], 422),
           ("image/png", b"", 400), ("text/plain", b"hello", 415),
           ("image/png", encode(Image.new("L", (200, 200), 235)), 422),  # no ink
           ("image/png", png_bomb(), 422), ("multipart/form-data; boundary=B", b"--B--", 400),
           ("image/png", b"\0" * (2 * 2**20 + 1), 413)]
    return good * 2 + bad  # about 3 in 4 good


def request(content_type, body):
    return (f"POST /api/predict HTTP/1.1\r\nHost: soak\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def client(port, bodies, offset, work, latencies, errors):
    """One keep-alive connection at a time, sending requests while `work` has some left."""
    reader = writer = None
    number = offset
    while work[0] > 0:
        work[0] -= 1
        content_type, body, expected = bodies[number % len(bodies)]
        number += 1
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request(content_type, body))
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"content-length: (\d+)", head, re.I)[1])
            await reader.readexactly(length)
            status = int(head.split(b" ", 2)[1])
            if status != expected:
                errors.append(f"{status} for a body that should get {expected}")
            if re.search(rb"connection: close", head, re.I):
                writer.close()
                reader = writer = None
        except (OSError, asyncio.IncompleteReadError) as error:
            errors.append(f"{type(error).__name__}: {error}")
            reader = writer = None
        latencies.append(time.perf_counter() - started)
    if writer is not None:
        writer.close()


async def soak(port, bodies, count, concurrency):
    work, latencies, errors = [count], [], []
    started = time.perf_counter()
    await asyncio.gather(*(client(port, bodies, 7 * number, work, latencies, errors)
                           for number in range(concurrency)))
    return time.perf_counter() - started, np.array(latencies), errors


def resident_memory(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status)[1]) * 1024


def start_server(model, log):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "digits.apps.serve", "--port", str(port),
                               "--model", str(model), "--workers", "1"],  # its memory is measured
                              cwd=ROOT, stdout=log, stderr=log)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, port
        except OSError:
            if server.poll() is not None:
                sys.exit("the server did not start: see its log")
            time.sleep(0.1)
    server.kill()
    sys.exit("the server did not start within 30 s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warm-up", type=int, default=3_000)
    parser.add_argument("--model", type=Path, default=ROOT / "models/cnn/model.tflite")
    args = parser.parse_args()
    bodies = mix()
    with tempfile.TemporaryFile() as log:
        server, port = start_server(args.model, log)
        try:
            asyncio.run(soak(port, bodies, args.warm_up, args.concurrency))
            after_warm_up = resident_memory(server.pid)
            seconds, latencies, errors = asyncio.run(soak(port, bodies, args.requests,
                                                          args.concurrency))
            at_end = resident_memory(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        log.seek(0)
        logged = log.read().decode(errors="replace")
    tracebacks = logged.count("Traceback")
    if tracebacks:
        first = logged[logged.index("Traceback"):].split("\nINFO")[0].split("\nERROR")[0]
        print(f"the server's first traceback ends:\n{first[-1500:]}")
    p50, p99 = np.percentile(latencies, [50, 99]) * 1000
    growth = at_end - after_warm_up
    print(f"{len(latencies):,} requests ({sum(b[2] == 200 for b in bodies)} good in every "
          f"{len(bodies)}) from {args.concurrency} keep-alive clients in {seconds:.0f} s: "
          f"{len(latencies) / seconds:.0f} requests/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"errors of the server's making: {len(errors)}; tracebacks in its log: {tracebacks}")
    for error in sorted(set(errors))[:5]:
        print(f"  e.g. {error}")
    print(f"server memory (RSS): {after_warm_up / 2**20:.1f} MB after warm-up, "
          f"{at_end / 2**20:.1f} MB at the end ({growth / 2**20:+.1f} MB)")
    sys.exit(1 if errors or tracebacks or growth > MAX_GROWTH else 0)


if __name__ == "__main__":
    main()
