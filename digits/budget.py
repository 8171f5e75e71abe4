"""How much memory decoding an image will take, told by its header before any pixel is decoded.

digits.decoding.read_gray decodes an image once at its stored size (a JPEG at the smaller size
that draft() picks), shrinks it, then converts it. So its peak is the decoded image, plus what
the shrinking copies; this module sums those from the header, for the apps to refuse or queue
a decode before it starts. tests/test_budget.py measures real peaks against these figures.
"""
import io
import os

from PIL import Image

from digits import decoding

WEBP_BUFFERS = 12  # bytes a pixel: libwebp's decoder keeps canvases of its own, then Pillow copies
MARGIN, OVERHEAD = 1.1, 4 * 2**20  # the rest: Pillow's block headers, a few small arrays


def stored_bytes(mode):
    """Bytes a pixel as Pillow holds it: 1 for bits, grey and palette, 2 for 16-bit grey, else 4."""
    if mode in ("1", "L", "P"):
        return 1
    return 2 if mode.startswith("I;16") else 4


def _has_alpha(image):
    return image.mode in ("LA", "La", "PA", "RGBA", "RGBa") or "transparency" in image.info


def decode_bytes(image, file_size=0, side=decoding.WORK_SIDE):
    """Peak bytes that read_gray(side=side) takes to decode `image` (opened, not yet loaded)
    from a file of file_size bytes."""
    image.draft("L", (side, side))  # as read_gray does: a JPEG decoded smaller
    per_pixel = stored_bytes(image.mode)
    if image.mode in ("1", "P", "PA") or image.mode.startswith("I;16"):  # converted first
        per_pixel += 4 if image.mode.startswith("I") or _has_alpha(image) else 1
    if _has_alpha(image):
        per_pixel += 4  # reduce() averages a premultiplied copy
    if image.format == "WEBP":
        per_pixel += WEBP_BUFFERS
    pixels = image.width * image.height
    copy = 0
    if image.format == "TIFF":  # read whole (raw), or decoded by libtiff into a buffer of its own
        copy = max(file_size, pixels * stored_bytes(image.mode))
    return round((pixels * per_pixel + copy) * MARGIN) + OVERHEAD


def header_of(source, side=decoding.WORK_SIDE):
    """(width, height, decode bytes at `side`) from the header of an image file (a path, or its
    bytes); None if Pillow can't read that header (decoding.read_gray then says why, without
    decoding)."""
    try:
        in_memory = isinstance(source, (bytes, bytearray))
        size = len(source) if in_memory else os.path.getsize(source)
        with Image.open(io.BytesIO(source) if in_memory else source,
                        formats=decoding.FORMATS) as image:
            return image.width, image.height, decode_bytes(image, size, side)
    except Exception:  # not an image, a bomb, a broken header: all refused by read_gray at once
        return None
