"""What digits-serve accepts, and how much memory its decodes may take at once.

A body is at most MAX_BODY bytes, counted as it arrives. An image's header must tell of at most
MAX_PIXELS pixels, more than a phone's 12-megapixel photo; a bigger one is refused before
decoding. Images over INLINE_PIXELS wait for their share of DECODE_BUDGET, then are decoded in a
worker thread; so those decodes never take more than DECODE_BUDGET together.
"""
import asyncio
import contextlib

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect

from digits import budget
from digits.decoding import ImageError
from digits.reading import READING_SIDE

MAX_BODY = 2 * 1024 * 1024  # bytes
MAX_PIXELS = 16_000_000
DECODE_BUDGET = 320 * 2**20  # bytes: two 16-megapixel RGBA PNGs, or one WebP
INLINE_PIXELS = 1_000_000  # smaller images (~15 ms to normalize at most) skip the budget and the
                           # worker threads: they are normalized on the event loop
TOO_LARGE = f"body too large: at most {MAX_BODY // 2**20} MB"


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


def decode_cost(data):
    """(pixels, bytes) that decoding `data` will take; ImageError if its header tells of more than
    MAX_PIXELS; (0, 0) if there is no header to read (decoding.read_gray refuses it at once)."""
    header = budget.header_of(data, READING_SIDE)  # as the reader decodes it
    if header is None:
        return 0, 0
    width, height, cost = header
    if width * height > MAX_PIXELS:
        raise ImageError(f"image too large for this server: {width}x{height} pixels (at most "
                         f"{MAX_PIXELS // 10**6} megapixels); send a smaller picture of the digit")
    return width * height, cost


class MemoryBudget:
    """Bytes shared by the decodes in flight: each waits until its share is free."""

    def __init__(self, total=DECODE_BUDGET):
        self.total, self.free = total, total
        self._changed = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def share(self, amount):
        amount = min(amount, self.total)
        async with self._changed:
            await self._changed.wait_for(lambda: self.free >= amount)
            self.free -= amount
        try:
            yield
        finally:
            async with self._changed:
                self.free += amount
                self._changed.notify_all()
