"""Draw a digit in the browser: a local web app and HTTP API around an exported model.

    digits-serve [--host 127.0.0.1] [--port 8000] [--model FILE]

GET / is the page (web/); POST /api/predict identifies one image; GET /healthz names the model;
/openapi.json describes it all. The same normalization and model as digits-predict.
"""
import argparse
import io
from pathlib import Path
from typing import Literal

import numpy as np
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from PIL import Image
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect

from digits import decision, errors, imaging
from digits.files import sha256_of
from digits.litert import Classifier
from digits.mnist import IMAGE_SIDE
from digits.paths import app_model_file

MAX_BODY = 2 * 1024 * 1024  # bytes, counted as the body arrives
BIG = 1_000_000  # pixels: bigger images are normalized in a worker thread
TOO_LARGE = f"body too large: at most {MAX_BODY // 2**20} MB"
WEB_DIR = Path(__file__).with_name("web")
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:"}
BINARY = {"type": "string", "format": "binary"}
IMAGE_BODY = {"required": True, "content": {  # for /openapi.json: the body is read by hand
    "image/*": {"schema": BINARY}, "multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": {"file": BINARY}}}}}


class Candidate(BaseModel):
    digit: int
    probability: float


class Prediction(BaseModel):
    digit: int | None = Field(description="the digit, 0-9; null when the answer is not a digit "
                                          "(see reason)")
    reason: Literal["not sure", "not a digit"] | None = Field(
        None, description="why no digit is answered (absent when one is)")
    candidates: list[Candidate] | None = Field(
        None, description="when not sure: the two likeliest digits and their probabilities")
    confidence: float = Field(description="the calibrated probability of the likeliest digit")
    probabilities: list[float] = Field(description="the calibrated probability of each digit, "
                                                   "0 to 9")
    not_a_digit: float = Field(description="the probability that the image shows no digit")
    image: list[list[int]] = Field(description="the 28x28 image the model saw: rows of 0-255")


class Health(BaseModel):
    status: str
    model: str = Field(description="the model's name: cnn (the convnet) or mlp")
    file: str = Field(description="the model file")
    sha256: str = Field(description="the model file's SHA-256")


class Error(BaseModel):
    error: str = Field(description="what is wrong with the request")


async def _limited(request):
    """The body's chunks as they arrive; 413 as soon as they add up to more than MAX_BODY."""
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise HTTPException(413, TOO_LARGE)
        yield chunk


async def _file_in(request):
    """The content of the file in a multipart/form-data body."""
    try:
        form = await MultiPartParser(request.headers, _limited(request), max_files=1,
                                     max_fields=16).parse()
    except MultiPartException as error:
        raise HTTPException(400, f"bad multipart/form-data body: {error.message}") from None
    try:
        for _, value in form.multi_items():
            if isinstance(value, UploadFile):
                return await value.read()
        raise HTTPException(400, "no file in the multipart/form-data body: send the image as a "
                                 "file field named 'file'")
    finally:
        await form.close()


async def read_image(request):
    """The image's bytes, from a raw image/* body or a multipart file; HTTPException if none."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not kind.startswith("image/") and kind != "multipart/form-data":
        raise HTTPException(415, f"unsupported content type '{kind or 'none'}': send the image "
                                 "as the body with Content-Type image/png (or image/jpeg, ...) "
                                 "or as a multipart/form-data file")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise HTTPException(413, TOO_LARGE)
    try:
        if kind == "multipart/form-data":
            data = await _file_in(request)
        else:
            data = b"".join([chunk async for chunk in _limited(request)])
    except ClientDisconnect:
        raise HTTPException(400, "the client left before sending the whole body") from None
    if not data:
        raise HTTPException(400, "empty body: send an image (PNG, JPEG, BMP, GIF, TIFF or WebP)")
    return data


def is_big(data):
    """Whether the image's header tells of more than BIG pixels (~15 ms to normalize)."""
    try:
        with Image.open(io.BytesIO(data), formats=imaging.FORMATS) as image:
            return image.width * image.height > BIG
    except Exception:  # not an image, or a bomb: imaging.digit refuses it at once
        return False


def load(model_path):
    """The classifier, warmed up, and the model file's SHA-256."""
    classifier = Classifier(model_path)
    classifier.probabilities(np.zeros((1, IMAGE_SIDE, IMAGE_SIDE), np.float32))
    return classifier, sha256_of(model_path)


def create_app(model_path=None):
    """The web app, with the model loaded once, now."""
    model_path = model_path or app_model_file()
    classifier, sha256 = load(model_path)
    app = FastAPI(title="MNIST digit identifier", version="1", docs_url=None, redoc_url=None)
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")

    @app.exception_handler(HTTPException)  # 404 and 405 too
    async def http_error(request, error):
        return JSONResponse({"error": str(error.detail)}, error.status_code, error.headers)

    @app.exception_handler(Exception)  # logged by uvicorn; the client sees no traceback
    async def unexpected_error(request, error):
        return JSONResponse({"error": "internal error: see the server's log"}, 500)

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def page():
        return FileResponse(WEB_DIR / "index.html", headers=PAGE_HEADERS)

    @app.get("/healthz", response_model=Health)
    async def healthz():
        return {"status": "ok", "model": classifier.name, "file": str(model_path),
                "sha256": sha256}

    @app.post("/api/predict", response_model=Prediction, openapi_extra={"requestBody": IMAGE_BODY},
              responses={code: {"model": Error} for code in (400, 413, 415, 422)})
    async def predict(request: Request):
        """The digit in one image: the raw body (image/*) or a multipart/form-data file."""
        data = await read_image(request)
        # A drawing is normalized right here (~1 ms; threads would only fight over the GIL), a
        # big photo in a worker thread, so that it can't stall the server.
        try:
            if is_big(data):
                pixels = await run_in_threadpool(imaging.digit, data)
            else:
                pixels = imaging.digit(data)
        except imaging.ImageError as error:
            return JSONResponse({"error": str(error)}, 422)
        # The interpreter is not thread-safe: only the event loop's thread runs it (~0.2 ms).
        [answer] = decision.answers(classifier, pixels[None])
        return JSONResponse({**answer, "image": np.round(pixels * 255).astype(np.uint8).tolist()})

    return app


def port_number(text):
    """A TCP port, 1-65535, for argparse."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return int(text)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="digits-serve",
                                     description="Serve the digit-drawing page and its API.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="the address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=port_number, default=8000, help="default: 8000")
    parser.add_argument("--model", metavar="FILE", type=Path, default=app_model_file(),
                        help="the LiteRT model (default: the convnet, models/cnn/model.tflite)")
    args = parser.parse_args(argv)
    app = create_app(args.model)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {args.host}: anyone who can reach it can use it (no login)")
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="info")


def console():
    """The digits-serve command."""
    errors.run(main)


if __name__ == "__main__":
    console()
