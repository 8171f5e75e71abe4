"""Draw a digit in the browser: a local web app and HTTP API around an exported model.

    digits-serve [--host 127.0.0.1] [--port 8000] [--model FILE] [--workers N]

GET / is the page (web/); POST /api/predict identifies one image; GET /healthz names the model;
/openapi.json describes it all, /docs shows it. The same normalization and model as
digits-predict. What a request may send: limits.py; how early answers reach the client:
delivery.py.
"""
import argparse
import os
from pathlib import Path

import numpy as np
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from digits import answering, decoding, errors, reading
from digits.apps import limits, workers
from digits.apps.arguments import whole_number
from digits.apps.delivery import DeliveringProtocol
from digits.apps.docs import add_docs
from digits.apps.limits import MAX_BODY  # noqa: F401 (where the tests and clients look for it)
from digits.apps.schema import Error, Health, Prediction
from digits.files import sha256_of
from digits.litert import Classifier
from digits.mnist import IMAGE_SIDE
from digits.paths import app_model_file

MODEL_VARIABLE = "DIGITS_SERVE_MODEL"  # how --model reaches the workers of --workers N
MAX_CONNECTIONS = 64  # at once, per worker; more get 503, so bodies in memory stay bounded
WEB_DIR = Path(__file__).with_name("web")
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:"}
BINARY = {"type": "string", "format": "binary"}
IMAGE_BODY = {"required": True, "content": {  # for /openapi.json: the body is read by hand
    "image/*": {"schema": BINARY}, "multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": {"file": BINARY}}}}}


def load(model_path):
    """The classifier, warmed up, and the model file's SHA-256."""
    classifier = Classifier(model_path)
    classifier.probabilities(np.zeros((1, IMAGE_SIDE, IMAGE_SIDE), np.float32))
    return classifier, sha256_of(model_path)


def create_app(model_path=None):
    """The web app, with the model loaded once, now."""
    model_path = model_path or os.environ.get(MODEL_VARIABLE) or app_model_file()
    classifier, sha256 = load(model_path)
    decodes = limits.MemoryBudget()
    app = FastAPI(title="MNIST digit identifier", version="1", docs_url=None, redoc_url=None)
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    add_docs(app, PAGE_HEADERS)

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
        data = await limits.read_image(request)
        try:
            size, cost = limits.decode_cost(data)  # from the header: refuses one too large
            if size <= limits.INLINE_PIXELS:  # a drawing: a few ms, here (threads would only
                read = reading.read_file(data, classifier)  # fight over the GIL)
            else:  # a big photo: in a worker thread, once its memory is free
                async with decodes.share(cost):
                    read = await run_in_threadpool(reading.read_file, data, classifier)
        except decoding.ImageError as error:
            return JSONResponse({"error": str(error)}, 422)
        return JSONResponse(answering.summary(read, with_images=True))

    return app


def main(argv=None):
    parser = argparse.ArgumentParser(prog="digits-serve",
                                     description="Serve the digit-drawing page and its API.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="the address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=whole_number(1, 65535, "a port number"),
                        default=8000, help="default: 8000")
    parser.add_argument("--model", metavar="FILE", type=Path, default=app_model_file(),
                        help="the LiteRT model (default: the convnet, models/cnn/model.tflite)")
    parser.add_argument("--workers", type=whole_number(1, 64, "a number of workers"),
                        default=workers.default_count(),
                        help="processes serving at once, each with its own model (default: one "
                             f"per core, at most {workers.MOST}: here {workers.default_count()})")
    args = parser.parse_args(argv)
    app = create_app(args.model)  # a missing or broken model stops here, in one line
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {args.host}: anyone who can reach it can use it (no login)")
    options = {"host": args.host, "port": args.port, "http": DeliveringProtocol,
               "limit_concurrency": MAX_CONNECTIONS, "access_log": False, "log_level": "info"}
    if args.workers == 1:
        uvicorn.run(app, **options)
        return
    # Each worker process builds its own app from the import string.
    os.environ[MODEL_VARIABLE] = str(args.model.resolve())
    workers.run(args.workers, app="digits.apps.serve:create_app", factory=True, **options)


def console():
    """The digits-serve command."""
    errors.run(main)


if __name__ == "__main__":
    console()
