"""Untrusted scan files: judge each one, then bundle them into one archival PDF.

`check` decides whether a file from `inbox/` can be taken in, by its content (never its
name), within size, page and pixel limits, and by proving it can actually be read.
`bundle` puts the accepted files, in order, into one PDF/A-2b: images one page per frame
(upright, at their own resolution, JPEGs not recompressed; see `pipeline.intake.scan_images`),
PDF pages copied in and cleaned of anything active (JavaScript, automatic and launch
actions, embedded files, forms). A PDF page that cannot be archival as it is (a word
processor's form in unembedded standard fonts, a scanner's OCR layer in an unembedded
font) goes in as a picture of itself at 300 dpi (`pipeline.intake.scan_raster`); `bundle`
returns a `BundleReport` naming those pages for the case history. Every input is first
staged as a PDF in a temporary folder beside the output and the pages are merged by a
qpdf job, so page data is read from disk as the bundle is written and never held in
memory all at once.

Whatever cannot be taken raises `ScanRejected`, whose words a clerk can read in
Indonesian (`reason_id`) and English (`reason_en`, also `str(exc)`); `code` is a stable
slug for programs (`CODES`).
"""

from __future__ import annotations

import base64
import binascii
import os
import shutil
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pikepdf
import pikepdf.pdfa
import pypdfium2 as pdfium

from pipeline.intake import scan_a4, scan_images, scan_raster
from pipeline.intake.scan_raster import BundleReport  # re-exported: what bundle() returns
from pipeline.office.fsutil import UntrustedFile, open_untrusted
from pipeline.render import pdf_clean
from pipeline.render.pdfa import FLAVOUR, ArchiveFormatError, save_pdfa

KINDS = ("pdf", "jpeg", "png", "tiff")
CHUNK = 1 << 20
CONTENT_BUDGET = 100 << 20  # decoded bytes of drawing instructions allowed per PDF page
_MESSAGES: dict[str, tuple[str, str]] = {  # (Indonesian, English)
    "symlink": ("Berkas ini hanya tautan (pintasan) ke berkas lain, bukan berkas asli.",
                "The file is only a link (shortcut) to another file, not the file itself."),
    "not-a-file": ("Ini bukan berkas biasa (misalnya folder atau perangkat).",
                   "This is not an ordinary file (for example a folder or a device)."),
    "empty": ("File kosong (0 byte).", "The file is empty (0 bytes)."),
    "too-large": ("Berkas terlalu besar ({size}, batas {limit}).",
                  "The file is too large ({size}, limit {limit})."),
    "unsupported-type": ("Jenis berkas tidak didukung (hanya PDF, JPEG, PNG, TIFF).",
                         "This type of file is not supported (only PDF, JPEG, PNG, TIFF)."),
    "corrupt-pdf": ("Berkas PDF rusak atau tidak lengkap sehingga tidak dapat dibaca.",
                    "The PDF is damaged or incomplete and cannot be read."),
    "corrupt-image": ("Gambar rusak atau tidak lengkap sehingga tidak dapat dibaca.",
                      "The image is damaged or incomplete and cannot be read."),
    "encrypted": ("Berkas PDF dikunci dengan kata sandi.", "The PDF is locked with a password."),
    "no-pages": ("Berkas PDF tidak berisi halaman.", "The PDF has no pages."),
    "too-many-pages": ("Terlalu banyak halaman ({count}, batas {limit}).",
                       "Too many pages ({count}, limit {limit})."),
    "too-many-pixels": ("Gambar terlalu besar ({mp} megapiksel, batas {limit}): kemungkinan "
                        "berkas rusak atau berbahaya.",
                        "The image is too large ({mp} megapixels, limit {limit}): the file may "
                        "be damaged or harmful."),
    "odd-shape": ("Bentuk gambar tidak wajar ({width} x {height} piksel): kemungkinan berkas "
                  "rusak.",
                  "The image has an impossible shape ({width} x {height} pixels): the file may "
                  "be damaged."),
    "not-archivable": ("Berkas {name} tidak dapat disimpan sebagai arsip. Pindai ulang sebagai "
                       "gambar atau simpan sebagai PDF/A, lalu kirim lagi.",
                       "The file {name} cannot be stored in the archive. Scan it again as an "
                       "image or save it as PDF/A, then drop it in again."),
}


def _code(key: str) -> str:
    return "corrupt" if key.startswith("corrupt-") else key


CODES = tuple(sorted({_code(key) for key in _MESSAGES}))


class ScanRejected(Exception):
    """A file that cannot be taken in. str(exc) is the English reason.

    Attributes: reason_id (Indonesian) and reason_en (English), plain words for the
    clerk; code, one of CODES, for programs; path, the file at fault when `bundle`
    knows it (None otherwise).
    """

    def __init__(self, reason_id: str, reason_en: str, *, code: str = "") -> None:
        super().__init__(reason_en)
        self.reason_id = reason_id
        self.reason_en = reason_en
        self.code = code
        self.path: Path | None = None

    def __str__(self) -> str:
        return self.reason_en


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 300 * 1024 * 1024  # per file
    max_pixels: int = 120_000_000  # per image frame (decompression-bomb guard)
    max_pages: int = 1000  # per PDF / multi-page TIFF


def _size_text(n: int) -> str:
    for unit, size in (("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.0f} {unit}"
    return f"{n} byte"


def _mp_text(pixels: int) -> str:
    return f"{pixels / 1e6:.3g}"


def _rejected(key: str, **words: object) -> ScanRejected:
    text_id, text_en = _MESSAGES[key]
    id_words = {k: str(v).replace(".", ",") if k == "mp" or k == "limit" else v
                for k, v in words.items()}  # Indonesian writes a decimal comma
    return ScanRejected(text_id.format(**id_words), text_en.format(**words), code=_code(key))


def _from_image_problem(problem: scan_images.ImageProblem, limits: Limits) -> ScanRejected:
    if problem.code == "too-many-pixels":
        mp = _mp_text(problem.numbers.get("pixels", 0))
        return _rejected(problem.code, mp=mp, limit=_mp_text(limits.max_pixels))
    if problem.code in ("odd-shape", "too-many-pages"):
        return _rejected(problem.code, **problem.numbers)
    return _rejected("corrupt-image")


# ---------------------------------------------------------------- opening and sniffing


def _sniff_head(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):  # classic and BigTIFF
        return "tiff"
    if b"%PDF-" in head[:1024]:  # readers accept a header anywhere in the first 1 KB
        return "pdf"
    return None


def sniff(path: Path) -> str | None:
    """The file's kind (one of KINDS) by its first bytes, never by its name; None if other."""
    try:
        fh = open_untrusted(path, None, follow_links=True)
    except UntrustedFile:
        return None
    with fh:
        return _sniff_head(fh.read(1024))


def _open_regular(path: Path, limits: Limits) -> BinaryIO:
    """Open a regular file without following links, after the size checks."""
    try:
        fh = open_untrusted(path, limits.max_bytes)
    except UntrustedFile as exc:
        if exc.code == "too-large":
            size, limit = _size_text(exc.size), _size_text(limits.max_bytes)
            raise _rejected("too-large", size=size, limit=limit) from exc
        raise _rejected(exc.code) from exc  # "symlink" or "not-a-file"
    if os.fstat(fh.fileno()).st_size == 0:
        fh.close()
        raise _rejected("empty")
    return fh


# ---------------------------------------------------------------- PDF reading


class _Discard(pikepdf.StreamParser):
    def handle_object(self, obj: object, offset: int, length: int) -> None:
        pass

    def handle_eof(self) -> None:
        pass


def _open_pdf(source: BinaryIO | Path, limits: Limits) -> pikepdf.Pdf:
    if not isinstance(source, Path):
        source.seek(0)
    try:
        pdf = pikepdf.open(source)
    except pikepdf.PasswordError:
        raise _rejected("encrypted") from None
    except MemoryError:
        raise
    except Exception as exc:
        raise _rejected("corrupt-pdf") from exc
    try:
        count = len(pdf.pages)
    except Exception:
        count = -1
    if 0 < count <= limits.max_pages:
        return pdf
    pdf.close()
    if count > 0:
        raise _rejected("too-many-pages", count=count, limit=limits.max_pages)
    raise _rejected("no-pages" if count == 0 else "corrupt-pdf")


def _filters(stream: pikepdf.Stream) -> list[str]:
    value = stream.get("/Filter")
    return [str(v) for v in value] if isinstance(value, pikepdf.Array) else [str(value or "")]


def _inflated_size(data: bytes, budget: int) -> int:
    """How big Flate data is once decoded, stopping (and saying so) past the budget."""
    inflater, size = zlib.decompressobj(), 0
    while data and not inflater.eof:
        size += len(inflater.decompress(data, budget + 1 - size))
        if size > budget:
            return size
        data = inflater.unconsumed_tail
    return size


def _ascii_decoded(name: str, data: bytes) -> bytes:
    data = bytes(b for b in data if b not in b" \t\r\n\f\x00")
    if name in ("/ASCIIHexDecode", "/AHx"):
        data = data.split(b">", 1)[0]
        return binascii.unhexlify(data + b"0" * (len(data) % 2))
    data = data.removeprefix(b"<~").split(b"~>", 1)[0]
    return base64.a85decode(data)


_GROWTH = {  # how many times larger a filter's output can be than its input, at most
    **dict.fromkeys(("/ASCIIHexDecode", "/AHx", "/ASCII85Decode", "/A85"), 1),
    **dict.fromkeys(("/RunLengthDecode", "/RL"), 64),
    **dict.fromkeys(("/FlateDecode", "/Fl"), 1100),
}


def _content_size(stream: pikepdf.Stream, budget: int) -> int:
    """Decoded size of a content stream, without ever decoding past *budget* bytes.

    A small stream compressed a thousand-fold would otherwise fill the memory.
    """
    raw = stream.read_raw_bytes()
    names = [name for name in _filters(stream) if name]
    bound = len(raw)
    for name in names:
        bound *= _GROWTH.get(name, 3000)  # LZW and the unknown: assume the worst
    if bound <= budget:
        return len(stream.read_bytes())
    if (
        names
        and names[-1] in ("/FlateDecode", "/Fl")
        and all(n in _GROWTH and _GROWTH[n] == 1 for n in names[:-1])
    ):
        data = raw
        for name in names[:-1]:
            data = _ascii_decoded(name, data)
        return _inflated_size(data, budget)
    return budget + 1  # cannot be measured safely


# What qpdf says when it repaired a file but some of it was missing (truncated copies):
# a PDF that merely had to have its index rebuilt is taken.
_DATA_LOST = (
    "unable to find trailer dictionary",
    "unable to recover stream data",
    "treating stream as empty",
    "unexpected EOF",
    "EOF while reading",
)


def _check_pdf(pdf: pikepdf.Pdf, deep: bool) -> None:
    """Every page's drawing instructions readable (and, if deep, its images' data)."""
    try:
        for page in pdf.pages:
            contents = page.obj.get("/Contents")
            streams = contents if isinstance(contents, pikepdf.Array) else [contents]
            budget = CONTENT_BUDGET
            for stream in streams:
                if stream is None:
                    continue
                if not isinstance(stream, pikepdf.Stream):
                    raise _rejected("corrupt-pdf")
                budget -= _content_size(stream, budget)
                if budget < 0:
                    raise _rejected("corrupt-pdf")
            page.parse_contents(_Discard())
            if deep:
                for image in page.get_images().values():
                    image.read_raw_bytes()
        if any(sign in w for w in pdf.get_warnings() for sign in _DATA_LOST):
            raise _rejected("corrupt-pdf")
    except (ScanRejected, MemoryError):
        raise
    except Exception as exc:
        raise _rejected("corrupt-pdf") from exc


# ---------------------------------------------------------------- check


def check(path: Path, limits: Limits = Limits()) -> str:  # noqa: B008 (frozen, immutable)
    """The file's kind (one of KINDS) if it can be taken in; else raise ScanRejected."""
    with _open_regular(path, limits) as fh:
        kind = _sniff_head(fh.read(1024))
        if kind is None:
            raise _rejected("unsupported-type")
        if kind == "pdf":
            with _open_pdf(fh, limits) as pdf:
                _check_pdf(pdf, deep=True)
        else:
            try:
                scan_images.inspect(fh, kind, limits.max_pixels, limits.max_pages)
            except scan_images.ImageProblem as problem:
                raise _from_image_problem(problem, limits) from problem
        return kind


# ---------------------------------------------------------------- archival or not


def _passes(pdf: pikepdf.Pdf) -> bool:
    """Whether *pdf*, cleaned, would pass as PDF/A (a dry run: it is changed, not written)."""
    try:
        pdf_clean.sanitise(pdf)
        pikepdf.pdfa.prepare(pdf, FLAVOUR)
        return pikepdf.pdfa.check(pdf, FLAVOUR).passed
    except Exception:
        return False


def _archivable(part: Path) -> bool:
    """Whether this PDF alone, cleaned, would pass as PDF/A (nothing written)."""
    try:
        with pikepdf.open(part) as pdf:
            return _passes(pdf)
    except Exception:
        return False


def _pages_to_render(part: Path) -> list[int]:
    """The pages (0-based) of this PDF that can only go into the archive as pictures.

    Pages naming an unembedded font are found directly; if the rest still fails, each
    remaining page is tried alone (rare: a page broken in some other way).
    """
    if _archivable(part):
        return []
    with pikepdf.open(part) as pdf:
        pdf.remove_unreferenced_resources()
        pdf_clean.drop_idle_fonts(pdf)
        bad = [i for i, page in enumerate(pdf.pages) if scan_raster.has_unembedded_font(page)]
        count = len(pdf.pages)
    with pikepdf.open(part) as pdf:
        for index in reversed(bad):
            del pdf.pages[index]
        if not pdf.pages or _passes(pdf):
            return bad
    for index in sorted(set(range(count)) - set(bad)):
        with pikepdf.open(part) as pdf, pikepdf.new() as alone:
            alone.pages.append(pdf.pages[index])
            if not _passes(alone):
                bad.append(index)
    return sorted(bad)


# ---------------------------------------------------------------- bundle


def _stage(path: Path, part: Path, limits: Limits) -> str:
    """Judge *path* again and leave it at *part* as a PDF; return its kind.

    A PDF is copied byte for byte from the descriptor that was judged, so a file
    replaced in the meantime (or by a link) cannot slip in.
    """
    with _open_regular(path, limits) as fh:
        kind = _sniff_head(fh.read(1024))
        if kind is None:
            raise _rejected("unsupported-type")
        if kind != "pdf":
            try:
                scan_images.write_pdf(fh, kind, part, limits.max_pixels, limits.max_pages)
            except scan_images.ImageProblem as problem:
                raise _from_image_problem(problem, limits) from problem
            return kind
        fh.seek(0)
        with open(part, "wb") as copy:
            shutil.copyfileobj(fh, copy, CHUNK)
    with _open_pdf(part, limits) as pdf:
        _check_pdf(pdf, deep=False)
    return kind


Segment = tuple[Path, str]  # a staged PDF and the qpdf page range taken from it ("" = all)


def _merge(segments: list[Segment], merged: Path) -> None:
    """The pages of *segments*, in order, into *merged*: only pages (and what they use).

    qpdf's own job reads each page's data from its file while writing, so memory stays
    small whatever the size of the inputs (copying pages with pikepdf would load them).
    """
    args = ["qpdf", "--empty", "--no-warn", "--warning-exit-0", "--decode-level=none",
            "--force-version=1.7"]  # PDF/A-2 is PDF 1.7; a scanner's "2.0" header must not bar it
    pages: list[str] = []
    for path, page_range in segments:
        pages += [str(path), page_range] if page_range else [str(path)]
    args += ["--pages", *pages, "--", str(merged)]
    job = pikepdf.Job(args)
    job.run()
    if job.exit_code not in (0, pikepdf.Job.EXIT_WARNING):
        raise pikepdf.PdfError(f"merging the pages failed ({job.exit_code})")


def _render_segments(
    part: Path, bad: list[int], folder: Path, limits: Limits
) -> tuple[list[Segment], float]:
    """The segments that take *part* with its *bad* pages (0-based) replaced by pictures.

    Each picture page is rendered and written to its own file before the next one, so
    only one bitmap is in memory at a time. Returns the segments and the lowest dpi.
    """
    segments: list[Segment] = []
    lowest = scan_raster.DPI
    next_page = 0
    try:
        document = pdfium.PdfDocument(str(part))
    except pdfium.PdfiumError as exc:
        raise _rejected("corrupt-pdf") from exc
    try:
        for index in bad:
            if index > next_page:
                segments.append((part, f"{next_page + 1}-{index}"))
            picture = folder / f"{part.stem}-p{index + 1}.pdf"
            try:
                lowest = min(lowest, scan_raster.render_page(document, index, picture,
                                                             limits.max_pixels))
            except pdfium.PdfiumError as exc:
                raise _rejected("corrupt-pdf") from exc
            segments.append((picture, ""))
            next_page = index + 1
    finally:
        document.close()
    if next_page < _page_count(part):
        segments.append((part, f"{next_page + 1}-z"))
    return segments, lowest


def _page_count(part: Path) -> int:
    with pikepdf.open(part) as pdf:
        return len(pdf.pages)


def bundle(
    files: Sequence[Path],
    out: Path,
    title: str,
    limits: Limits = Limits(),  # noqa: B008 (frozen, immutable)
) -> BundleReport:
    """All *files*, in order, as one PDF/A-2b at *out*; return what was done.

    PDF pages that cannot be archival as they are go in as pictures (see BundleReport).
    Raises ScanRejected (with .path set when one file is at fault) if a file cannot be
    taken; nothing is written at *out* then.
    """
    if not files:
        raise ValueError("bundle() needs at least one file")
    out.parent.mkdir(parents=True, exist_ok=True)
    rasterised: list[tuple[str, list[int]]] = []
    pictured: list[Path] = []
    lowest = scan_raster.DPI
    with tempfile.TemporaryDirectory(prefix=".scans-", dir=out.parent) as tmp:
        segments: list[Segment] = []
        pdfs: list[tuple[Path, Path]] = []
        for number, path in enumerate(files):
            part = Path(tmp) / f"{number}.pdf"
            try:
                if _stage(path, part, limits) != "pdf":
                    segments.append((part, ""))
                    continue
                pdfs.append((path, part))
                bad = _pages_to_render(part)
                if not bad:
                    segments.append((part, ""))
                    continue
                taken, dpi = _render_segments(part, bad, Path(tmp), limits)
            except ScanRejected as exc:
                exc.path = path
                raise
            segments += taken
            lowest = min(lowest, dpi)
            rasterised.append((path.name, [i + 1 for i in bad]))
            pictured.append(path)
        merged = Path(tmp) / "merged.pdf"
        try:
            _merge(segments, merged)
            with pikepdf.open(merged) as doc:
                pdf_clean.sanitise(doc)
                scan_a4.to_a4(doc)  # the images' pages are A4 already
                pages = len(doc.pages)
                save_pdfa(doc, out, title)
        except ArchiveFormatError as exc:
            # a file that fails alone is at fault; else one whose pages were pictured
            culprits = [path for path, part in pdfs
                        if path not in pictured and not _archivable(part)]
            suspects = culprits or pictured or [path for path, _ in pdfs] or list(files)
            rejected = _rejected("not-archivable", name=", ".join(p.name for p in suspects))
            rejected.path = suspects[0]
            raise rejected from exc
        except pikepdf.PdfError as exc:  # judged readable, yet its pages could not be copied
            raise _rejected("corrupt-pdf" if pdfs else "corrupt-image") from exc
    return BundleReport(pages, rasterised, lowest)
