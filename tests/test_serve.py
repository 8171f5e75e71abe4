"""digits-serve: every route, every kind of bad input, and a real uvicorn server."""
import hashlib
import io
import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from digits import reading
from digits.apps.serve import MAX_BODY, create_app
from digits.litert import Classifier
from digits.mnist import read_split
from tests.conftest import ROOT, run
from tests.test_imaging import png_bomb


def encode(image, fmt="PNG", **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def paper_digits(mnist_dir):
    """The first two MNIST test digits (a 7 and a 2), dark on white paper, 280x280 PNGs."""
    images, labels = read_split("t10k", mnist_dir)
    assert list(labels[:2]) == [7, 2]
    return [encode(Image.fromarray(255 - image).resize((280, 280))) for image in images[:2]]


@pytest.fixture(scope="module")
def client(tflite_model):
    with TestClient(create_app(tflite_model)) as test_client:
        yield test_client


def start_server(model, log, *args):
    """digits-serve on a free port of 127.0.0.1; (process, base URL) once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "digits.apps.serve", "--port", str(port),
                               "--model", str(model), *args], cwd=ROOT, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{url}/healthz", timeout=1, trust_env=False).status_code == 200:
                return server, url
        except httpx2.TransportError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.1)
    server.kill()
    log.seek(0)
    pytest.fail(f"the server did not start:\n{log.read().decode()[-3000:]}")


@pytest.fixture(scope="module")
def live_server(tflite_model, tmp_path_factory):
    """A real server for the module; afterwards its log must hold no traceback."""
    with open(tmp_path_factory.mktemp("serve") / "server.log", "w+b") as log:
        server, url = start_server(tflite_model, log)
        yield url
        server.terminate()
        server.wait(timeout=10)
        log.seek(0)
        output = log.read().decode()
    # 127.0.0.1 unless told otherwise; one worker per core by default
    assert re.search(f"(Uvicorn running on|serving) {re.escape(url)}", output), output[-3000:]
    assert "Traceback" not in output and "Exception" not in output, output[-3000:]


def check_prediction(answer, expected):
    """A one-digit answer: the number, its one place, and that place's answer at the top."""
    assert set(answer) == {"number", "digits", "digit", "confidence", "probabilities",
                           "not_a_digit", "image"}
    assert answer["number"] == str(expected) and len(answer["digits"]) == 1
    assert {key: answer[key] for key in answer["digits"][0] if key != "box"} == {
        key: answer[key] for key in answer if key not in ("number", "digits")}
    probabilities = answer["probabilities"]
    assert len(probabilities) == 10 and sum(probabilities) == pytest.approx(1, abs=1e-5)
    assert answer["digit"] == expected == int(np.argmax(probabilities))
    assert answer["confidence"] == max(probabilities) > 0.5
    image = np.array(answer["image"])
    assert image.shape == (28, 28) and image.min() == 0 and image.max() == 255


# The API, in process

def test_a_raw_image_body_is_identified_as_predict_would(client, paper_digits, tflite_model):
    response = client.post("/api/predict", content=paper_digits[0],
                           headers={"Content-Type": "image/png"})
    assert response.status_code == 200
    answer = response.json()
    check_prediction(answer, 7)
    # the same reading, normalization and model as the CLI
    expected = reading.read_file(paper_digits[0], Classifier(tflite_model))["places"][0]
    assert np.array_equal(np.array(answer["image"]), np.round(expected["image"] * 255))
    assert answer["probabilities"] == pytest.approx(expected["probabilities"], abs=1e-6)


def test_a_multipart_file_is_identified(client, paper_digits):
    response = client.post("/api/predict", files={"file": ("2.png", paper_digits[1], "image/png")})
    assert response.status_code == 200
    check_prediction(response.json(), 2)
    # Any field name, and a file the browser could not type, are fine too.
    response = client.post("/api/predict", data={"note": "hi"},
                           files={"upload": ("x", paper_digits[1], "application/octet-stream")})
    assert response.status_code == 200 and response.json()["digit"] == 2


def test_any_image_type_is_accepted(client, paper_digits):
    jpeg = encode(Image.open(io.BytesIO(paper_digits[0])).convert("RGB"), "JPEG", quality=85)
    for content_type in ("image/jpeg", "image/x-whatever; charset=binary", "IMAGE/PNG"):
        response = client.post("/api/predict", content=jpeg, headers={"Content-Type": content_type})
        assert response.status_code == 200 and response.json()["digit"] == 7, response.text


def test_a_drawing_is_normalized_on_the_event_loop_a_big_photo_in_a_thread(client, paper_digits,
                                                                          monkeypatch):
    threads, read = [], reading.read_file
    monkeypatch.setattr(reading, "read_file", lambda data, classifier: threads.append(
        threading.get_ident()) or read(data, classifier))
    photo = encode(Image.open(io.BytesIO(paper_digits[1])).resize((1500, 1500)))
    for body, digit in ((paper_digits[0], 7), (photo, 2), (paper_digits[0], 7)):
        response = client.post("/api/predict", **raw(body))
        assert response.status_code == 200 and response.json()["digit"] == digit
    drawing, big, drawing_again = threads
    assert drawing == drawing_again != big


def multipart(content, name="file"):
    return {"files": {name: ("digit.png", content, "image/png")}}


def raw(content, content_type="image/png"):
    return {"content": content, "headers": {"Content-Type": content_type} if content_type else {}}


def transparent_png():
    return encode(Image.new("LA", (50, 50), (0, 0)))


BAD_INPUTS = {  # name: (request, status, words in the error)
    "not an image": (raw(b"hello, not an image"), 422, "not an image"),
    "truncated": (raw(encode(Image.linear_gradient("L"))[:300]), 422, "cannot decode"),
    "empty body": (raw(b""), 400, "empty body"),
    "text/plain": (raw(b"hello", "text/plain"), 415, "unsupported content type 'text/plain'"),
    "json": (raw(b'{"image": 1}', "application/json"), 415, "unsupported content type"),
    "octet-stream": (raw(b"\x89PNG", "application/octet-stream"), 415, "Content-Type image/png"),
    "no content type": (raw(b"\x89PNG", None), 415, "unsupported content type 'none'"),
    "over 2 MB": (raw(b"\0" * (MAX_BODY + 1)), 413, "too large: at most 2 MB"),
    "no ink": (raw(encode(Image.new("L", (300, 200), 235))), 422, "no ink"),
    "transparent": (raw(transparent_png()), 422, "no ink"),
    "bomb": (raw(png_bomb()), 422, "image too large"),
    "multipart, no file": (raw(b'--B\r\nContent-Disposition: form-data; name="file"\r\n\r\n'
                               b"not a file\r\n--B--\r\n", "multipart/form-data; boundary=B"),
                           400, "no file"),
    "multipart, empty file": (multipart(b""), 400, "empty body"),
    "multipart, text file": (multipart(b"hello"), 422, "not an image"),
    "multipart, bomb": (multipart(png_bomb()), 422, "image too large"),
    "multipart, no ink": (multipart(transparent_png()), 422, "no ink"),
    "multipart, over 2 MB": (multipart(b"\0" * MAX_BODY), 413, "too large"),
    "multipart, two files": ({"files": [("a", ("a.png", b"1")), ("b", ("b.png", b"2"))]}, 400,
                             "Too many files"),
    "multipart, no boundary": (raw(b"--x\r\n", "multipart/form-data"), 400, "boundary"),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_gets_a_clear_4xx_json_error(client, name):
    request, status, words = BAD_INPUTS[name]
    response = client.post("/api/predict", **request)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert list(response.json()) == ["error"] and words in response.json()["error"]


def test_the_page_and_its_assets_are_served_by_the_app(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert '<canvas id="pad"' in page.text and 'type="file"' in page.text
    for asset, kind in (("/static/app.js", "javascript"), ("/static/style.css", "text/css")):
        response = client.get(asset)
        assert response.status_code == 200 and kind in response.headers["content-type"]
        assert asset in page.text
    everything = page.text + "".join(client.get(f"/static/{name}").text
                                     for name in ("app.js", "style.css"))
    assert not re.search(r"https?://|//cdn|@import", everything)  # no CDN: works offline


def test_a_non_digit_is_an_answer_not_an_error(client):
    from digits.synthetic import nondigits

    refused = 0
    for image, _ in nondigits.make(np.random.default_rng(3), 14, "test"):
        response = client.post("/api/predict", **raw(encode(image)))
        assert response.status_code == 200
        answer = response.json()
        refused += answer["number"] is None or set(answer["number"]) == {"?"}
        for place in answer["digits"]:
            assert place["digit"] is not None or place["reason"] in ("not a digit", "not sure")
    assert refused >= 12


def test_healthz_names_the_model_its_file_and_hash(client, tflite_model):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "model": "cnn", "file": str(tflite_model),
                               "sha256": hashlib.sha256(tflite_model.read_bytes()).hexdigest()}


def test_openapi_describes_the_api(client):
    spec = client.get("/openapi.json").json()
    predict = spec["paths"]["/api/predict"]["post"]
    assert set(predict["requestBody"]["content"]) == {"image/*", "multipart/form-data"}
    assert {"200", "400", "413", "415", "422"} <= set(predict["responses"])
    schemas = spec["components"]["schemas"]
    assert set(schemas["Prediction"]["properties"]) == {
        "number", "digits", "digit", "reason", "candidates", "confidence", "probabilities",
        "not_a_digit", "image"}
    place = schemas[schemas["Prediction"]["properties"]["digits"]["items"]["$ref"].split("/")[-1]]
    assert {"digit", "confidence", "probabilities", "box", "image"} <= set(place["properties"])
    assert "/healthz" in spec["paths"] and "/" not in spec["paths"]


def test_unknown_routes_and_methods_get_json_errors(client):
    for method, path, status in (("GET", "/nowhere", 404), ("GET", "/static/none.js", 404),
                                 ("GET", "/api/predict", 405), ("DELETE", "/healthz", 405)):
        response = client.request(method, path)
        assert response.status_code == status and list(response.json()) == ["error"]


# The server as a user runs it

def test_a_missing_model_says_to_run_dvc_repro(tmp_path):
    result = run([sys.executable, "-m", "digits.apps.serve", "--model", "none.tflite"],
                 cwd=tmp_path, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: none.tflite not found; run `dvc repro` to train and export the model "
        "(or pass --model FILE)"]


@pytest.mark.parametrize("port", ["99999", "0", "-1", "http"])
def test_a_port_out_of_range_is_a_usage_error(port):
    result = run([sys.executable, "-m", "digits.apps.serve", "--port", port], cwd=ROOT,
                 check=False)
    assert result.returncode == 2 and "is not a port number (1-65535)" in result.stderr


def test_the_live_server_keeps_serving_through_bad_input(live_server, paper_digits):
    with httpx2.Client(base_url=live_server, trust_env=False) as http:  # kept-alive connections
        for name, (request, status, words) in BAD_INPUTS.items():
            response = http.post("/api/predict", **request)
            assert response.status_code == status and words in response.json()["error"], name
        chunked = http.post("/api/predict", headers={"Content-Type": "image/png"},
                            content=(b"\0" * 65536 for _ in range(40)))  # no Content-Length
        assert chunked.status_code == 413 and "too large" in chunked.json()["error"]
        assert chunked.request.headers["transfer-encoding"] == "chunked"
        response = http.post("/api/predict", **raw(paper_digits[0]))
        assert response.status_code == 200 and response.json()["digit"] == 7
        assert http.get("/healthz").status_code == 200


def test_concurrent_requests_get_their_own_answers(live_server, paper_digits):
    def identify(number):
        with httpx2.Client(base_url=live_server, trust_env=False) as http:
            return [http.post("/api/predict", **raw(paper_digits[number % 2])).json()["digit"]
                    for _ in range(10)]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(identify, range(16)))
    assert answers == [[(7, 2)[number % 2]] * 10 for number in range(16)]


def test_the_served_page_and_openapi_are_reachable(live_server):
    assert httpx2.get(live_server, trust_env=False).text.startswith("<!doctype html>")
    spec = httpx2.get(f"{live_server}/openapi.json", trust_env=False).json()
    assert spec["openapi"].startswith("3.") and "/api/predict" in spec["paths"]
