"""Inputs for the fuzzing tests: valid image files of every format and odd kind, and Hypothesis
strategies that damage them (bytes flipped, cut short, blocks repeated or dropped, header sizes
patched) or draw odd but legal images (any mode, 1 pixel to 1x5000, NaN in a float TIFF)."""
import io
import struct

import numpy as np
from hypothesis import strategies as st
from PIL import Image, ImageDraw


def encode(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def seven(size=(40, 48)):
    """A dark 7 on light paper, mode L."""
    width, height = size
    image = Image.new("L", size, 235)
    ImageDraw.Draw(image).line([(width * 0.25, height * 0.2), (width * 0.75, height * 0.2),
                                (width * 0.45, height * 0.85)], fill=20, width=max(1, width // 8))
    return image


def _palette_with_transparency():
    image = seven().convert("P")
    image.info["transparency"] = image.getpixel((0, 0))
    return encode(image, "PNG")


def _frames(fmt, **options):
    first, second = seven(), seven().rotate(20, fillcolor=235)
    return encode(first.convert("RGB"), fmt, save_all=True, append_images=[second.convert("RGB")],
                  duration=100, loop=0, **options)


def _exif_rotated():
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(seven().rotate(90, expand=True), "JPEG", exif=exif)


SEEDS = {  # name: the bytes of a valid file
    "PNG": encode(seven(), "PNG"),
    "JPEG": encode(seven().convert("RGB"), "JPEG", quality=80),
    "progressive JPEG": encode(seven(), "JPEG", progressive=True),
    "GIF": encode(seven(), "GIF"),
    "BMP": encode(seven().convert("RGB"), "BMP"),
    "TIFF": encode(seven(), "TIFF", compression="tiff_deflate"),
    "WebP": encode(seven().convert("RGB"), "WEBP", quality=80),
    "lossless WebP": encode(seven().convert("RGBA"), "WEBP", lossless=True),
    "16-bit PNG": encode(Image.fromarray(np.asarray(seven()).astype(np.uint16) * 257), "PNG"),
    "16-bit TIFF": encode(Image.fromarray(np.asarray(seven()).astype(np.uint16) * 257), "TIFF"),
    "float TIFF": encode(seven().convert("F"), "TIFF"),
    "CMYK JPEG": encode(seven().convert("CMYK"), "JPEG"),
    "CMYK TIFF": encode(seven().convert("CMYK"), "TIFF"),
    "animated GIF": _frames("GIF"),
    "animated PNG": _frames("PNG"),
    "animated WebP": _frames("WEBP"),
    "palette, transparent": _palette_with_transparency(),
    "grey and alpha PNG": encode(seven().convert("LA"), "PNG"),
    "1-bit BMP": encode(seven().convert("1"), "BMP"),
    "interlaced PNG": encode(seven().convert("RGB"), "PNG", interlace=1),
    "1x1": encode(Image.new("L", (1, 1), 0), "PNG"),
    "1x5000": encode(Image.new("L", (1, 5000), 255), "PNG"),
    "5000x1 with ink": encode(seven((5000, 1)), "PNG"),
    "EXIF rotated": _exif_rotated(),
}

SIZES = [0, 1, 2, 255, 256, 5000, 0x7FFF, 0xFFFF, 0x10000, 0x7FFF_FFFF, 0xFFFF_FFFF]
SIZE_FIELDS = {  # where a format keeps its width and height: (offset, struct format)
    b"\x89PNG": [(16, ">I"), (20, ">I")],
    b"GIF8": [(6, "<H"), (8, "<H")],
    b"BM": [(18, "<i"), (22, "<i")],
}


def _size_fields(data):
    for magic, fields in SIZE_FIELDS.items():
        if data.startswith(magic):
            return fields
    return [(offset, fmt) for offset in range(0, 64, 2) for fmt in (">H", "<H", ">I", "<I")]


@st.composite
def damaged_files(draw):
    """(seed name, bytes): a valid file with one to four kinds of damage."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[name])
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        kind = draw(st.sampled_from(["flip", "cut", "repeat", "drop", "size"]))
        start = draw(st.integers(0, len(data) - 1))
        end = draw(st.integers(start, min(len(data), start + 4096)))
        if kind == "flip":
            data[start] ^= draw(st.integers(1, 255))
        elif kind == "cut":
            del data[start:]
        elif kind == "repeat":
            data[start:start] = data[start:end] * draw(st.integers(1, 8))
        elif kind == "drop":
            del data[start:end]
        else:
            offset, fmt = draw(st.sampled_from(_size_fields(data)))
            value = draw(st.sampled_from(SIZES)) % 2 ** (8 * struct.calcsize(fmt))
            if fmt.endswith("i"):
                value -= (value >= 2**31) * 2**32
            data[offset:offset + struct.calcsize(fmt)] = struct.pack(fmt, value)[
                :max(0, len(data) - offset)]
    return name, bytes(data)


MODES = {"1": np.bool_, "L": np.uint8, "I;16": np.uint16, "I": np.int32, "F": np.float32}


@st.composite
def odd_images(draw):
    """(description, bytes): a legal image of any mode and shape, with any pixel values."""
    mode = draw(st.sampled_from(sorted(MODES) + ["RGB", "RGBA", "LA", "P", "CMYK"]))
    height, width = draw(st.sampled_from([(1, 1), (1, 5000), (5000, 1), (3, 2)])
                         | st.tuples(st.integers(1, 64), st.integers(1, 64)))
    if mode == "F":
        values = st.floats(width=32, allow_nan=True, allow_infinity=True)
        pixels = np.array(draw(st.lists(values, min_size=1, max_size=8)), np.float32)
    else:
        pixels = np.array(draw(st.lists(st.integers(0, 2**16 - 1), min_size=1, max_size=8)))
    flat = np.resize(pixels, height * width).reshape(height, width)
    if mode in MODES:
        image = Image.fromarray(flat.astype(MODES[mode]), None if mode != "1" else "1")
    else:
        image = Image.fromarray((flat % 256).astype(np.uint8)).convert(mode)
    fmt = draw(st.sampled_from({"1": ["PNG", "BMP", "TIFF"], "L": ["PNG", "JPEG", "WEBP", "GIF"],
                                "RGB": ["JPEG", "WEBP", "BMP"], "RGBA": ["PNG", "WEBP"],
                                "CMYK": ["JPEG", "TIFF"], "P": ["PNG", "GIF"]}.get(mode, ["TIFF"])
                               if mode not in ("LA", "I;16") else ["PNG", "TIFF"]))
    return f"{mode} {width}x{height} {fmt}", encode(image, fmt)
