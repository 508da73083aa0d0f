"""Scanned images (JPEG, PNG, TIFF) read safely and written as PDF pages.

The half of `pipeline.intake.scans` that knows about pixels. Two entry points, both working
on an already opened, already sized-up regular file:

- `inspect` proves an image is readable: header sizes within limits, then every frame
  decoded, one at a time.
- `write_pdf` writes the image as a small PDF of its own, one page per frame, which
  `pipeline.intake.scans` then copies into the bundle. The PDF is written by hand, straight to
  disk: a baseline JPEG is copied in as it is (no recompression, any EXIF orientation
  done by the page's drawing matrix), any other frame is decoded and compressed losslessly
  in strips. Neither the file nor more than one decoded frame is ever held in memory.

Problems are raised as `ImageProblem` (a code and numbers); `pipeline.intake.scans` turns them
into the clerk's words.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, cast

from PIL import Image, ImageCms

from pipeline.intake import scan_a4

CHUNK = 1 << 20
STRIP_BYTES = 4 << 20  # decoded bytes converted and compressed at a time
DEFAULT_DPI = 200.0
DPI_RANGE = (50.0, 1200.0)
PAGE_MIN, PAGE_MAX = 3.0, 14400.0  # PDF/A page size limits, in points
MAX_ASPECT = PAGE_MAX / PAGE_MIN  # a longer, thinner image cannot be a PDF/A page
ORIENTATION_TAG = 0x0112

_PIL_FORMATS = {"jpeg": ["JPEG"], "png": ["PNG"], "tiff": ["TIFF"]}

Converter = Callable[[Image.Image], Image.Image]
Geometry = tuple[float, float, tuple[float, ...]]  # page width, height, drawing matrix


class ImageProblem(Exception):
    """An image that cannot be taken in.

    code is corrupt, odd-shape, too-many-pixels or too-many-pages; numbers fill the
    clerk's message.
    """

    def __init__(self, code: str, **numbers: int) -> None:
        super().__init__(code, numbers)
        self.code = code
        self.numbers = numbers


# ---------------------------------------------------------------- reading frames


@contextmanager
def _opened(fh: BinaryIO, kind: str) -> Iterator[Image.Image]:
    fh.seek(0)
    try:
        im = Image.open(fh, formats=_PIL_FORMATS[kind])
    except Image.DecompressionBombError as exc:  # Pillow's own guard, above 2x its limit
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise ImageProblem("too-many-pixels", pixels=int(found[1]) if found else 0) from exc
    except MemoryError:
        raise
    except Exception as exc:
        raise ImageProblem("corrupt") from exc
    with im:  # leaves our file open (Image.close would close it)
        yield im


def _frames(im: Image.Image, kind: str, max_pixels: int, max_pages: int) -> Iterator[int]:
    """Seek to each frame in turn (all of a TIFF, the first of anything else).

    Each frame's pixel count is checked from its header before anyone decodes it.
    """
    for index in itertools.count():
        if index:
            if kind != "tiff":
                return
            try:
                im.seek(index)
            except EOFError:
                return
            except MemoryError:
                raise
            except Exception as exc:
                raise ImageProblem("corrupt") from exc
        if index >= max_pages:
            try:
                count = int(getattr(im, "n_frames", index + 1))
            except Exception:
                count = index + 1
            raise ImageProblem("too-many-pages", count=count, limit=max_pages)
        width, height = im.size
        if width * height > max_pixels:
            raise ImageProblem("too-many-pixels", pixels=width * height)
        if width < 1 or height < 1:
            raise ImageProblem("corrupt")
        if max(width, height) > MAX_ASPECT * min(width, height):
            raise ImageProblem("odd-shape", width=width, height=height)
        yield index


def _guarded(action: Callable[[], object]) -> None:
    try:
        action()
    except (ImageProblem, MemoryError):
        raise
    except Exception as exc:  # Pillow reports damage as OSError, SyntaxError, ValueError ...
        raise ImageProblem("corrupt") from exc


def inspect(fh: BinaryIO, kind: str, max_pixels: int, max_pages: int) -> int:
    """Prove the image is readable (checksums, then each frame decoded); return its frames."""
    with _opened(fh, kind) as im:
        _guarded(im.verify)
    frames = 0
    with _opened(fh, kind) as im:
        for _ in _frames(im, kind, max_pixels, max_pages):
            _guarded(im.load)
            frames += 1
    return frames


# ---------------------------------------------------------------- page geometry


def _dpi(im: Image.Image) -> tuple[float, float]:
    """The frame's resolution, or 200 dpi where it is missing or absurd."""
    low, high = DPI_RANGE
    try:
        x, y = (float(v) for v in im.info["dpi"])
    except Exception:
        return DEFAULT_DPI, DEFAULT_DPI
    good_x = math.isfinite(x) and low <= x <= high
    good_y = math.isfinite(y) and low <= y <= high
    if good_x and good_y:
        return x, y
    if good_x or good_y:
        return (x, x) if good_x else (y, y)
    return DEFAULT_DPI, DEFAULT_DPI


def _orientation(im: Image.Image, kind: str) -> int:
    try:
        if kind == "tiff":  # the tag of the current frame (getexif is the first IFD's)
            value = im.tag_v2.get(ORIENTATION_TAG, 1)  # type: ignore[attr-defined]
        else:
            value = im.getexif().get(ORIENTATION_TAG, 1)
        value = int(value)
    except Exception:
        return 1
    return value if 1 <= value <= 8 else 1


def placement(size: tuple[int, int], dpi: tuple[float, float], orientation: int) -> Geometry:
    """Page width, height and the drawing matrix that shows the stored image upright on
    an A4 page, centred, scaled down to fit (`pipeline.intake.scan_a4.fit`).

    The matrix maps the image's unit square so that the page shows what
    `ImageOps.exif_transpose` would (all eight EXIF orientations).
    """
    sw, sh = size[0] * 72.0 / dpi[0], size[1] * 72.0 / dpi[1]
    if max(sw, sh) > MAX_ASPECT * min(sw, sh):  # only unequal resolutions get here
        sw, sh = size[0] * 72.0 / dpi[0], size[1] * 72.0 / dpi[0]
    scale = 1.0
    if max(sw, sh) > PAGE_MAX:
        scale = PAGE_MAX / max(sw, sh)
    elif min(sw, sh) < PAGE_MIN:
        scale = min(PAGE_MIN / min(sw, sh), PAGE_MAX / max(sw, sh))
    sw = min(round(sw * scale, 4), PAGE_MAX)
    sh = min(round(sh * scale, 4), PAGE_MAX)
    w, h = (sh, sw) if orientation >= 5 else (sw, sh)
    matrix = {
        1: (sw, 0, 0, sh, 0, 0),
        2: (-sw, 0, 0, sh, sw, 0),
        3: (-sw, 0, 0, -sh, sw, sh),
        4: (sw, 0, 0, -sh, 0, sh),
        5: (0, -sw, -sh, 0, sh, sw),
        6: (0, -sw, sh, 0, 0, sw),
        7: (0, sw, sh, 0, 0, 0),
        8: (0, sw, -sh, 0, sh, 0),
    }[orientation]
    pw, ph, scale, x, y = scan_a4.fit(w, h)
    a, b, c, d, e, f = (v * scale for v in matrix)
    return pw, ph, (a, b, c, d, e + x, f + y)


# ---------------------------------------------------------------- colour


def _flatten(target: str) -> Converter:
    """Alpha composited onto white paper."""

    def convert(strip: Image.Image) -> Image.Image:
        with_alpha = strip.convert("RGBA")
        paper = Image.new(target, strip.size, "white")
        paper.paste(with_alpha.convert(target), mask=with_alpha.getchannel("A"))
        return paper

    return convert


def _gray_palette(im: Image.Image) -> bool:
    palette = im.getpalette() or []
    return all(palette[i] == palette[i + 1] == palette[i + 2] for i in range(0, len(palette), 3))


def _deep_gray(im: Image.Image) -> Converter:
    """16-bit, 32-bit and float gray scaled down to 8 bits."""
    wide = "F" if im.mode == "F" else "I"
    low, high = math.inf, -math.inf
    for piece in _pieces(im):
        extrema = cast(tuple[float, float], piece.convert(wide).getextrema())
        low, high = min(low, float(extrema[0])), max(high, float(extrema[1]))
    if im.mode == "F" and low >= 0 and high <= 1:
        scale, offset = 255.0, 0.0
    elif low >= 0 and high <= 255:
        scale, offset = 1.0, 0.0
    elif low >= 0 and high <= 65535:
        scale, offset = 255 / 65535, 0.0
    else:
        scale = 255 / (high - low) if high > low else 0.0
        offset = -low * scale

    def convert(strip: Image.Image) -> Image.Image:
        return strip.convert(wide).point(lambda v: v * scale + offset).convert("L")

    return convert


def _cmyk(im: Image.Image) -> Converter:
    profile = im.info.get("icc_profile")
    if profile:
        try:
            transform = ImageCms.buildTransform(
                ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                ImageCms.createProfile("sRGB"),
                "CMYK",
                "RGB",
            )
        except Exception:  # an unusable embedded profile: fall back to Pillow's formula
            pass
        else:

            def convert(strip: Image.Image) -> Image.Image:
                out = ImageCms.applyTransform(strip, transform)
                assert out is not None
                return out

            return convert
    return lambda strip: strip.convert("RGB")


def _colour_plan(im: Image.Image) -> tuple[str, Converter]:
    """The output mode ("1", "L" or "RGB") and how to get each strip there."""
    mode = im.mode
    if mode in ("1", "L", "RGB"):
        return mode, lambda strip: strip
    if mode in ("LA", "La"):
        return "L", _flatten("L")
    if mode in ("RGBA", "RGBa", "PA"):
        return "RGB", _flatten("RGB")
    if mode == "P":
        target = "L" if _gray_palette(im) else "RGB"
        if "transparency" in im.info:
            return target, _flatten(target)
        return target, lambda strip: strip.convert(target)
    if mode == "CMYK":
        return "RGB", _cmyk(im)
    if mode.startswith("I") or mode == "F":
        return "L", _deep_gray(im)
    return "RGB", lambda strip: strip.convert("RGB")  # YCbCr, LAB, HSV, RGBX ...


def _pieces(im: Image.Image) -> Iterator[Image.Image]:
    """The frame in horizontal strips of a few MB each."""
    width, height = im.size
    depth = {"I": 4, "F": 4}.get(im.mode, 2 if im.mode.startswith("I;16") else len(im.getbands()))
    rows = max(1, min(height, STRIP_BYTES // max(1, width * depth)))
    for top in range(0, height, rows):
        yield im.crop((0, top, width, min(height, top + rows)))


def _strips(im: Image.Image, convert: Converter) -> Iterator[bytes]:
    for piece in _pieces(im):
        try:
            strip = convert(piece)
        except MemoryError:
            raise
        except Exception as exc:  # a colour model Pillow cannot convert
            raise ImageProblem("corrupt") from exc
        yield strip.tobytes()


# ---------------------------------------------------------------- JPEG passthrough


class _Window:
    """Forward reader over a file through a small buffer."""

    def __init__(self, fh: BinaryIO) -> None:
        fh.seek(0)
        self.fh, self.buf, self.base, self.i = fh, b"", 0, 0

    def fill(self, n: int) -> bool:
        if len(self.buf) - self.i >= n:
            return True
        self.base += self.i
        self.buf = self.buf[self.i :] + self.fh.read(max(n, CHUNK))
        self.i = 0
        return len(self.buf) >= n

    def find_ff(self) -> bool:
        while (j := self.buf.find(b"\xff", self.i)) < 0:
            self.base += len(self.buf)
            self.buf, self.i = self.fh.read(CHUNK), 0
            if not self.buf:
                return False
        self.i = j
        return True


def jpeg_layout(fh: BinaryIO) -> tuple[int, int] | None:
    """(first SOF marker, offset just past the EOI) of the file's primary image.

    Walks the marker segments and the entropy-coded data, so an MPO's second picture
    or bytes appended after the image are left out. None if the structure is unusual.
    """
    r = _Window(fh)
    if not r.fill(2) or r.buf[:2] != b"\xff\xd8":
        return None
    r.i, sof = 2, 0
    while True:
        if not r.fill(2) or r.buf[r.i] != 0xFF:
            return None
        while (marker := r.buf[r.i + 1]) == 0xFF:  # fill bytes
            r.i += 1
            if not r.fill(2):
                return None
        r.i += 2
        if marker == 0xD9:
            return (sof, r.base + r.i) if sof else None
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if not r.fill(2):
            return None
        length = int.from_bytes(r.buf[r.i : r.i + 2], "big")
        if length < 2 or not r.fill(length):
            return None
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC) and not sof:
            sof = marker
        r.i += length
        if marker != 0xDA:
            continue
        while True:  # entropy-coded data: runs to the next real marker
            if not r.find_ff() or not r.fill(2):
                return None
            following = r.buf[r.i + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7:
                r.i += 2
            elif following == 0xFF:
                r.i += 1
            else:
                break


def _passthrough_length(fh: BinaryIO, im: Image.Image) -> int | None:
    """Bytes of the file to embed as they are, if it is a baseline JPEG in gray or RGB."""
    components = {"L": 1, "RGB": 3}.get(im.mode)
    if components is None or getattr(im, "layers", None) != components:
        return None
    layout = jpeg_layout(fh)
    if layout is None or layout[0] not in (0xC0, 0xC1):  # baseline / sequential Huffman
        return None
    return layout[1]


# ---------------------------------------------------------------- the PDF writer


def _num(v: float) -> str:
    text = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class _PdfWriter:
    """A minimal PDF written straight to disk: object 1 the catalog, 2 the page tree."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.offsets: dict[int, int] = {}
        self.kids: list[int] = []
        self.next_num = 3
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def _new(self) -> int:
        self.next_num += 1
        return self.next_num - 1

    def _begin(self, num: int, head: str = "") -> None:
        self.offsets[num] = self.out.tell()
        self.out.write(f"{num} 0 obj\n{head}".encode("ascii"))

    def _object(self, num: int, body: str) -> None:
        self._begin(num, body + "\nendobj\n")

    def _page(self, image: int, geometry: Geometry) -> None:
        width, height, matrix = geometry
        page, content = self._new(), self._new()
        drawing = f"q {' '.join(_num(v) for v in matrix)} cm /Im0 Do Q".encode("ascii")
        self._begin(content, f"<< /Length {len(drawing)} >>\nstream\n")
        self.out.write(drawing + b"\nendstream\nendobj\n")
        self._object(
            page,
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_num(width)} {_num(height)}]"
            f" /Resources << /XObject << /Im0 {image} 0 R >> >> /Contents {content} 0 R >>",
        )
        self.kids.append(page)

    def _image_head(self, size: tuple[int, int], mode: str, extra: str) -> str:
        space = "/DeviceRGB" if mode == "RGB" else "/DeviceGray"
        bits = 1 if mode == "1" else 8
        return (
            f"<< /Type /XObject /Subtype /Image /Width {size[0]} /Height {size[1]}"
            f" /ColorSpace {space} /BitsPerComponent {bits} {extra} >>\nstream\n"
        )

    def add_jpeg(self, src: BinaryIO, length: int, im: Image.Image, geometry: Geometry) -> None:
        image = self._new()
        head = self._image_head(im.size, im.mode, f"/Filter /DCTDecode /Length {length}")
        self._begin(image, head)
        src.seek(0)
        left = length
        while left:
            chunk = src.read(min(CHUNK, left))
            if not chunk:
                raise ImageProblem("corrupt")
            self.out.write(chunk)
            left -= len(chunk)
        self.out.write(b"\nendstream\nendobj\n")
        self._page(image, geometry)

    def add_pixels(self, im: Image.Image, geometry: Geometry) -> None:
        try:
            mode, convert = _colour_plan(im)
        except MemoryError:
            raise
        except Exception as exc:
            raise ImageProblem("corrupt") from exc
        image, length_num = self._new(), self._new()
        head = self._image_head(im.size, mode, f"/Filter /FlateDecode /Length {length_num} 0 R")
        self._begin(image, head)
        packer, length = zlib.compressobj(6), 0
        for raw in _strips(im, convert):
            data = packer.compress(raw)
            self.out.write(data)
            length += len(data)
        data = packer.flush()
        self.out.write(data + b"\nendstream\nendobj\n")
        self._object(length_num, str(length + len(data)))
        self._page(image, geometry)

    def finish(self) -> None:
        kids = " ".join(f"{k} 0 R" for k in self.kids)
        self._object(2, f"<< /Type /Pages /Kids [{kids}] /Count {len(self.kids)} >>")
        self._object(1, "<< /Type /Catalog /Pages 2 0 R >>")
        xref = self.out.tell()
        lines = [f"xref\n0 {self.next_num}\n", "0000000000 65535 f \n"]
        lines += [f"{self.offsets[n]:010d} 00000 n \n" for n in range(1, self.next_num)]
        lines.append(f"trailer\n<< /Size {self.next_num} /Root 1 0 R >>\n")
        lines.append(f"startxref\n{xref}\n%%EOF\n")
        self.out.write("".join(lines).encode("ascii"))


def write_pdf(fh: BinaryIO, kind: str, dest: Path, max_pixels: int, max_pages: int) -> int:
    """Write the image at *fh* as a PDF at *dest*, one upright page per frame; return pages."""
    with _opened(fh, kind) as im, open(dest, "wb") as out:
        writer = _PdfWriter(out)
        for index in _frames(im, kind, max_pixels, max_pages):
            _guarded(im.load)
            orientation = _orientation(im, kind)
            geometry = placement(im.size, _dpi(im), orientation)
            length = _passthrough_length(fh, im) if kind == "jpeg" and index == 0 else None
            if length:
                writer.add_jpeg(fh, length, im, geometry)
            else:
                writer.add_pixels(im, geometry)
        writer.finish()
        return len(writer.kids)
