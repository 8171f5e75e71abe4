"""The normalization of a person's digit image into MNIST's 28x28 form, and its refusals."""
import io
import subprocess
import sys
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digits import decoding, imaging
from digits.mnist import read_split
from tests.conftest import ROOT


def encode(image, fmt="PNG", **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def drawing(size=(400, 300), ink=0, paper=255, shapes=((120, 60, 170, 220),), width=18):
    """Strokes (x0, y0, x1, y1 lines) on plain paper, as mode L."""
    image = Image.new("L", size, paper)
    pen = ImageDraw.Draw(image)
    for shape in shapes:
        pen.line(shape, fill=ink, width=width)
    return image


SEVEN = ((140, 70, 260, 70), (260, 70, 170, 240))


def seven(**options):
    return drawing(shapes=SEVEN, **options)


def centre_of_mass(pixels):
    ys, xs = np.indices(pixels.shape)
    mass = pixels.astype(np.float64)
    return (ys * mass).sum() / mass.sum(), (xs * mass).sum() / mass.sum()


def ink_box(pixels, level=64):
    rows, cols = np.nonzero(pixels > level)
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


def test_output_is_scaled_exactly_as_in_training():
    pixels = imaging.digit(encode(seven()))
    assert pixels.shape == (28, 28) and pixels.dtype == np.float32
    assert pixels.max() == 1.0 and pixels[0].max() == pixels[:, 0].max() == 0
    assert np.array_equal(pixels * 255, np.round(pixels * 255))  # whole steps of 1/255


@pytest.mark.parametrize("offset", [(-150, -100), (0, 0), (130, 40), (-60, 110)])
def test_centre_of_mass_lands_at_the_centre(offset):
    shapes = [(x0 + offset[0] + 300, y0 + offset[1] + 200, x1 + offset[0] + 300,
               y1 + offset[1] + 200) for x0, y0, x1, y1 in SEVEN]
    pixels = imaging.center_ink(decoding.read_gray(encode(drawing((1000, 700), shapes=shapes))))
    row, col = centre_of_mass(pixels)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5


@pytest.mark.parametrize("width, height", [(40, 160), (160, 40), (90, 120)])
def test_aspect_ratio_is_kept(width, height):
    image = Image.new("L", (500, 500), 255)
    ImageDraw.Draw(image).rectangle((100, 100, 100 + width - 1, 100 + height - 1), fill=0)
    pixels = imaging.center_ink(decoding.read_gray(encode(image)))
    scale = 20 / max(width, height)  # the longer side fills the 20 pixel box
    assert ink_box(pixels) == (round(height * scale), round(width * scale))


@pytest.mark.parametrize("ink, paper", [(0, 255), (255, 0), (40, 150), (200, 90)])
def test_polarity_is_detected(ink, paper):
    reference = imaging.center_ink(decoding.read_gray(encode(seven())))
    pixels = imaging.center_ink(decoding.read_gray(encode(seven(ink=ink, paper=paper))))
    assert np.abs(pixels.astype(int) - reference).mean() < 2


@pytest.mark.parametrize("page", ["white", "black", "grey", "noisy", "shaded", "transparent"])
def test_a_blank_page_is_refused(page):
    rng = np.random.default_rng(0)
    pixels = {
        "white": np.full((300, 400), 255), "black": np.zeros((300, 400)),
        "grey": np.full((300, 400), 128),
        "noisy": np.clip(rng.normal(220, 12, (300, 400)), 0, 255),
        "shaded": np.linspace(250, 120, 400)[None, :].repeat(300, axis=0),
    }
    if page == "transparent":
        image = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    else:
        image = Image.fromarray(pixels[page].astype(np.uint8))
    with pytest.raises(decoding.NoInk, match="no ink"):
        imaging.digit(encode(image))


@pytest.mark.parametrize("variant", ["PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP", "16-bit PNG",
                                     "16-bit TIFF", "RGB", "CMYK JPEG", "black ink, transparent",
                                     "white ink, transparent", "palette, transparent",
                                     "opaque RGBA", "EXIF rotated"])
def test_formats_and_modes_give_the_same_digit(variant):
    reference = imaging.center_ink(decoding.read_gray(encode(seven())))
    gray = seven()
    coverage = 255 - np.asarray(gray)
    transparent = np.zeros((*coverage.shape, 4), np.uint8)
    transparent[..., 3] = coverage
    if variant == "16-bit PNG" or variant == "16-bit TIFF":
        data = encode(Image.fromarray(np.asarray(gray).astype(np.uint16) * 257),
                      variant.split()[1])
    elif variant == "RGB":
        data = encode(gray.convert("RGB"))
    elif variant == "opaque RGBA":  # what the page posts
        data = encode(gray.convert("RGBA"))
    elif variant == "CMYK JPEG":
        data = encode(gray.convert("CMYK"), "JPEG")
    elif variant == "palette, transparent":
        palette = gray.convert("P")
        palette.info["transparency"] = 255  # the index of white: the paper
        data = encode(palette)
    elif variant.endswith("transparent"):
        if variant.startswith("white"):
            transparent[..., :3] = 255
        data = encode(Image.fromarray(transparent))
    elif variant == "EXIF rotated":
        exif = Image.Exif()
        exif[0x0112] = 6  # the camera was turned: rotate 90 degrees clockwise to view
        data = encode(gray.rotate(90, expand=True), "JPEG", exif=exif)
    else:
        data = encode(gray, variant)
    pixels = imaging.center_ink(decoding.read_gray(data))
    assert np.abs(pixels.astype(int) - reference).mean() < 3, variant


def test_an_opaque_rgba_drawing_reads_exactly_as_its_gray_copy_and_see_through_ink_on_paper():
    """The page's drawing (RGBA, every pixel opaque) skips laying ink on paper: the same floats."""
    gray = seven()
    plain = decoding.read_gray(encode(gray))
    assert np.array_equal(decoding.read_gray(encode(gray.convert("RGBA"))), plain)
    faded = gray.convert("RGBA")
    faded.putalpha(254)  # not quite opaque: laid on paper, so nearly the same
    assert not np.array_equal(decoding.read_gray(encode(faded)), plain)
    assert np.abs(decoding.read_gray(encode(faded)) - plain).max() < 0.01


def test_ink_is_found_on_shaded_noisy_paper():
    clean = imaging.center_ink(decoding.read_gray(encode(seven(size=(600, 450)))))
    rng = np.random.default_rng(1)
    shade = np.linspace(1.0, 0.55, 600)[None, :] * np.linspace(1.0, 0.8, 450)[:, None]
    pixels = np.asarray(seven(size=(600, 450)), np.float64) * shade + rng.normal(0, 8, shade.shape)
    photo = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).convert("RGB")
    found = imaging.center_ink(decoding.read_gray(encode(photo, "JPEG", quality=70)))
    assert ink_box(found) == ink_box(clean)
    assert np.abs(found.astype(int) - clean).mean() < 8


def test_lone_specks_do_not_stretch_the_box():
    clean = imaging.center_ink(decoding.read_gray(encode(seven())))
    specked = np.asarray(seven()).copy()
    specked[[10, 290, 150, 5], [10, 390, 20, 200]] = 0
    pixels = imaging.center_ink(decoding.read_gray(encode(Image.fromarray(specked))))
    assert np.array_equal(pixels, clean)


def test_thin_strokes_in_small_images_are_kept():
    image = drawing((28, 28), shapes=((9, 5, 19, 5), (19, 5, 12, 23)), width=1)
    pixels = imaging.center_ink(decoding.read_gray(encode(image)))
    assert ink_box(pixels)[0] == 20


def test_mnist_digits_come_back_nearly_unchanged(mnist_dir):
    images, _ = read_split("t10k", mnist_dir)
    shifts = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    for original in images[:300]:
        pixels = imaging.center_ink(original / np.float32(255)).astype(int)
        # MNIST rounded its centring too: allow the two to sit one pixel apart.
        difference = min(np.abs(np.roll(pixels, shift, axis=(0, 1)) - original).mean()
                         for shift in shifts)
        assert difference < 6  # out of 255, averaged over the 784 pixels
        row, col = centre_of_mass(pixels)
        assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5


def png_bomb(side=30_000):
    """A valid 1-bit PNG of side x side white pixels: about 110 kB on disk, 900 MB decoded."""
    def chunk(kind, data):
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))
    packer = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * -(-side // 8)
    rows = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = side.to_bytes(4, "big") * 2 + bytes([1, 0, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows)
            + chunk(b"IEND", b""))


def test_a_decompression_bomb_is_refused_unread(tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb())
    with pytest.raises(decoding.ImageError, match="too large"):
        decoding.read_gray(bomb)
    # The same in a fresh process, measuring its peak memory. VmHWM, not ru_maxrss: Linux
    # carries ru_maxrss over from the parent (pytest, with TensorFlow loaded) through exec.
    script = ("import re, sys; from digits import decoding\n"
              "try: decoding.read_gray(sys.argv[1])\nexcept decoding.ImageError: pass\n"
              "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1])")
    peak_kb = int(subprocess.run([sys.executable, "-c", script, str(bomb)], cwd=ROOT, check=True,
                                 capture_output=True, text=True).stdout)
    assert peak_kb < 200_000  # megabytes at most; decoding would need 900 MB


def test_a_big_photo_is_read_at_working_size():
    image = drawing((6000, 4000), shapes=((2000, 800, 3000, 3200),), width=150)
    gray = decoding.read_gray(encode(image, "JPEG"))
    assert max(gray.shape) == decoding.WORK_SIDE


@pytest.mark.parametrize("data, message", [
    (b"", "empty file"),
    (b"hello, this is text", "not an image"),
    (b"%!PS-Adobe-3.0 EPSF-3.0\n", "not an image"),  # Pillow reads EPS with Ghostscript
])
def test_bad_bytes_are_refused_in_one_line(data, message):
    with pytest.raises(decoding.ImageError, match=message) as caught:
        imaging.digit(data)
    assert "\n" not in str(caught.value)


def test_a_truncated_file_is_refused():
    data = encode(seven())
    with pytest.raises(decoding.ImageError, match="cannot decode"):
        imaging.digit(data[:len(data) // 2])


def test_a_missing_or_empty_file_is_refused(tmp_path):
    with pytest.raises(decoding.ImageError, match="no such file"):
        imaging.digit(tmp_path / "missing.png")
    (tmp_path / "empty.png").touch()
    with pytest.raises(decoding.ImageError, match="empty file"):
        imaging.digit(tmp_path / "empty.png")


def test_importing_it_loads_no_tensorflow():
    script = ("import sys, digits.imaging, digits.litert, digits.apps.predict\n"
              "print(sorted({'tensorflow', 'keras', 'matplotlib'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True,
                            capture_output=True, text=True)
    assert result.stdout.strip() == "[]"
