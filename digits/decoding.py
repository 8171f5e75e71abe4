"""Decode an image file (a path or its bytes) safely into grayscale floats: PNG, JPEG, BMP, GIF,
TIFF or WebP; a phone's EXIF rotation applied; transparent ink laid on paper; a size refused from
the header before any pixel is decoded; every failure an ImageError whose message says why.
"""
import contextlib
import io
import os
import warnings

import numpy as np
from PIL import Image

from digits.errors import UserError

FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP")
MAX_PIXELS = 50_000_000  # more than any phone photo; a 30000x30000 bomb is refused unread
WORK_SIDE = 256          # bigger images are shrunk to this before the ink is looked for

Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses bigger images when it reads their header
warnings.filterwarnings("ignore", category=UserWarning, module="PIL")  # a damaged file's notes:
warnings.simplefilter("error", Image.DecompressionBombWarning)        # its error says enough
ORIENTATION = 0x0112  # the EXIF tag, and how to turn each of its values upright:
UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
           4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
           6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
           8: Image.Transpose.ROTATE_90}
QUARTER_TURNS = {UPRIGHT[5], UPRIGHT[6], UPRIGHT[7], UPRIGHT[8]}  # width and height swap


class ImageError(UserError):
    """This file cannot become a digit; the message says why."""


class NoInk(ImageError):
    """The image holds no ink: a blank page."""


def read_gray(source, side=WORK_SIDE):
    """Grayscale floats in [0, 1], at most `side` pixels a side, from a file path or its bytes."""
    return read_upright(source, side)[0]


def read_upright(source, side=WORK_SIDE, decoded=None):
    """read_gray(), and the image's (width, height) as shown upright, from its header.
    `decoded(image, file_size)`: a context manager held while the opened image is decoded (it
    may refuse it with an ImageError from what the header says)."""
    try:
        in_memory = isinstance(source, (bytes, bytearray))
        file_size = len(source) if in_memory else os.path.getsize(source)
        if file_size == 0:
            raise ImageError("empty file")
        with Image.open(io.BytesIO(source) if in_memory else source, formats=FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:  # known from the header, before decoding
                raise ImageError(f"image too large: {image.width}x{image.height} pixels "
                                 f"(at most {MAX_PIXELS:,})")
            image.draft("L", (side, side))  # JPEG: decode at 1/2, 1/4 or 1/8 size
            with decoded(image, file_size) if decoded else contextlib.nullcontext():
                turn = UPRIGHT.get(image.getexif().get(ORIENTATION))  # phone photos
                size = image.size[::-1] if turn in QUARTER_TURNS else image.size
                full_scale = 65535 if image.mode.startswith("I") else 1  # 16-bit grayscale
                small = _shrunk(image, side)
                if small.mode.startswith("I") or small.mode == "F":
                    small = small.convert("F")
                elif small.mode != "L":
                    small = small.convert("LA" if _see_through(small) else "L")
                small.thumbnail((side, side), Image.Resampling.BOX)
                small = small.transpose(turn) if turn is not None else small
                pixels = np.asarray(small, np.float32) / (full_scale if small.mode == "F"
                                                          else 255)
    except ImageError:
        raise
    except FileNotFoundError:
        raise ImageError("no such file") from None
    except Image.UnidentifiedImageError:
        raise ImageError("not an image (PNG, JPEG, BMP, GIF, TIFF or WebP)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"image too large (more than {MAX_PIXELS:,} pixels)") from None
    except Exception as error:  # a corrupt file makes Pillow's decoders raise many kinds of error
        raise ImageError(f"cannot decode the image ({error})") from None
    if pixels.ndim == 3:
        return _on_paper(pixels[..., 0], pixels[..., 1]), size
    if small.mode == "F":  # a float TIFF may hold NaN (black) and values beyond [0, 1]
        pixels = np.clip(np.nan_to_num(pixels), 0, 1)
    return pixels, size


def _shrunk(image, side):
    """The decoded image, reduced by a whole factor while it is more than twice `side` a side,
    before any conversion, so that a large image exists at full size only once in memory."""
    if image.mode in ("1", "P", "PA") or image.mode.startswith("I;16"):  # reduce() can't average
        image = image.convert("I" if image.mode.startswith("I") else
                              "LA" if image.has_transparency_data else "L")
    factor = max(image.size) // (2 * side)
    return image.reduce(factor) if factor > 1 else image


def _see_through(image):
    """Whether an image may have pixels that are not opaque: an RGBA drawing whose every pixel is
    opaque (the page's) needs no laying on paper."""
    if not image.has_transparency_data:
        return False
    return image.mode not in ("RGBA", "LA") or image.getchannel("A").getextrema()[0] < 255


def _on_paper(gray, alpha):
    """Lay transparent ink on paper of the opposite shade, so the background reads as paper."""
    if alpha.sum() == 0:
        raise NoInk("no ink: every pixel is transparent")
    ink_shade = (gray * alpha).sum() / alpha.sum()
    paper = 1.0 if ink_shade < 0.5 else 0.0
    return (alpha * gray + (1 - alpha) * paper).astype(np.float32)
