"""Untrusted scan files: judge each one, then bundle them into one archival PDF.

`check` decides whether a file from `inbox/` can be taken in, by its content (never its
name), within size, page and pixel limits, and by proving it can actually be read.
`bundle` puts the accepted files, in order, into one PDF/A-2b: images one page per frame
(upright, at their own resolution, JPEGs not recompressed; see `pipeline.scan_images`),
PDF pages copied in and cleaned of anything active (JavaScript, automatic and launch
actions, embedded files, forms). Every input is first staged as a PDF in a temporary
folder beside the output and the pages are merged by a qpdf job, so page data is read
from disk as the bundle is written and never held in memory all at once.

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

from pipeline import scan_images
from pipeline.fsutil import UntrustedFile, open_untrusted
from pipeline.pdfa import FLAVOUR, ArchiveFormatError, save_pdfa

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


# ---------------------------------------------------------------- cleaning copied PDFs

_PAGE_DROP = ("/AA", "/Trans", "/Dur", "/PresSteps", "/Thumb", "/PieceInfo", "/Metadata")
_GOTO = pikepdf.Name.GoTo
_ANNOT_DROP = {"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D", "/Widget"}
_KEY_DROP = ("/AA", "/OpenAction", "/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/AF", "/XFA",
             "/AcroForm")


def _sanitise(pdf: pikepdf.Pdf) -> None:
    """Leave nothing active: no actions but going to a page, no attachments, no forms.

    Resources the pages never use go too (PDF writers often list an unembedded font
    that draws nothing, which would fail the archive format for no reason).
    """
    pdf.remove_unreferenced_resources()
    _drop_idle_fonts(pdf)
    for page in pdf.pages:
        obj = page.obj
        for key in _PAGE_DROP:
            if key in obj:
                del obj[key]
        annots = obj.get("/Annots")
        if annots is not None:
            kept = [
                a
                for a in (annots if isinstance(annots, pikepdf.Array) else [])
                if isinstance(a, pikepdf.Dictionary) and str(a.get("/Subtype")) not in _ANNOT_DROP
            ]
            if kept:
                obj.Annots = pikepdf.Array(kept)
            else:
                del obj["/Annots"]
    _scrub(pdf.Root)


def _scrub(root: pikepdf.Object) -> None:
    """Drop active and attached things from everything reachable from *root*."""
    containers = pikepdf.Array | pikepdf.Dictionary | pikepdf.Stream
    seen: set[tuple[int, int]] = set()
    todo: list[pikepdf.Object] = [root]
    while todo:
        node = todo.pop()
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        if isinstance(node, pikepdf.Array):
            todo.extend(item for item in node if isinstance(item, containers))
            continue
        if not isinstance(node, pikepdf.Dictionary | pikepdf.Stream):
            continue
        for key in _KEY_DROP:
            if key in node:
                del node[key]
        action = node.get("/A")
        if isinstance(action, pikepdf.Dictionary) and action.get("/S", _GOTO) != _GOTO:
            del node["/A"]  # an action other than going to a page
        if node.get("/S") == _GOTO and "/Next" in node:
            del node["/Next"]
        for key in node.keys():  # noqa: SIM118 (pikepdf objects iterate differently)
            value = node.get(key)
            if isinstance(value, containers):
                todo.append(value)


_TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
_TEXT_ONLY = {"BT", "ET", "Tf", "Tc", "Tw", "Tz", "TL", "Ts", "Tr", "Td", "TD", "Tm", "T*"}


def _shows_text(holder: pikepdf.Object | pikepdf.Page, depth: int = 0) -> bool:
    """Whether this page or form, or a form it draws, shows any text."""
    if depth > 8:
        return True  # too deep to tell: assume it does
    ops = {str(instruction.operator) for instruction in pikepdf.parse_content_stream(holder)}
    if ops & _TEXT_SHOWING:
        return True
    resources = holder.get("/Resources")
    xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    if not isinstance(xobjects, pikepdf.Dictionary):
        return False
    forms = [x for x in xobjects.values() if x.get("/Subtype") == pikepdf.Name.Form]
    return any(_shows_text(form, depth + 1) for form in forms)


def _drop_idle_fonts(pdf: pikepdf.Pdf) -> None:
    """On pages that show no text, remove the font set-up and the fonts.

    Some PDF writers (reportlab among them) choose an unembedded font on every page
    even when they only draw an image; the archive format would refuse the font. The
    text-only operators have no visible effect without text, so nothing seen changes.
    """
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        if not isinstance(resources, pikepdf.Dictionary) or "/Font" not in resources:
            continue
        if _shows_text(page):
            continue
        kept = [i for i in pikepdf.parse_content_stream(page) if str(i.operator) not in _TEXT_ONLY]
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
        page.obj.Resources = pikepdf.Dictionary(
            {key: resources[key] for key in resources.keys() if key != "/Font"}  # noqa: SIM118
        )


def _archivable(part: Path) -> bool:
    """Whether this PDF alone, cleaned, would pass as PDF/A (a dry run, nothing written)."""
    try:
        with pikepdf.open(part) as pdf:
            _sanitise(pdf)
            pikepdf.pdfa.prepare(pdf, FLAVOUR)
            return pikepdf.pdfa.check(pdf, FLAVOUR).passed
    except Exception:
        return False


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


def _merge(parts: list[Path], merged: Path) -> None:
    """All pages of *parts*, in order, into *merged*: only pages (and what they use).

    qpdf's own job reads each page's data from its file while writing, so memory stays
    small whatever the size of the inputs (copying pages with pikepdf would load them).
    """
    args = ["qpdf", "--empty", "--no-warn", "--warning-exit-0", "--decode-level=none",
            "--force-version=1.7"]  # PDF/A-2 is PDF 1.7; a scanner's "2.0" header must not bar it
    args += ["--pages", *(str(p) for p in parts), "--", str(merged)]
    job = pikepdf.Job(args)
    job.run()
    if job.exit_code not in (0, pikepdf.Job.EXIT_WARNING):
        raise pikepdf.PdfError(f"merging the pages failed ({job.exit_code})")


def bundle(
    files: Sequence[Path],
    out: Path,
    title: str,
    limits: Limits = Limits(),  # noqa: B008 (frozen, immutable)
) -> int:
    """All *files*, in order, as one PDF/A-2b at *out*; return its page count.

    Raises ScanRejected (with .path set when one file is at fault) if a file cannot be
    taken; nothing is written at *out* then.
    """
    if not files:
        raise ValueError("bundle() needs at least one file")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".scans-", dir=out.parent) as tmp:
        parts: list[Path] = []
        pdfs: list[tuple[Path, Path]] = []
        for number, path in enumerate(files):
            part = Path(tmp) / f"{number}.pdf"
            try:
                if _stage(path, part, limits) == "pdf":
                    pdfs.append((path, part))
            except ScanRejected as exc:
                exc.path = path
                raise
            parts.append(part)
        merged = Path(tmp) / "merged.pdf"
        try:
            _merge(parts, merged)
            with pikepdf.open(merged) as doc:
                _sanitise(doc)
                pages = len(doc.pages)
                save_pdfa(doc, out, title)
        except ArchiveFormatError as exc:
            culprits = [path for path, part in pdfs if not _archivable(part)]
            suspects = culprits or [path for path, _ in pdfs] or list(files)
            rejected = _rejected("not-archivable", name=", ".join(p.name for p in suspects))
            rejected.path = suspects[0]
            raise rejected from exc
        except pikepdf.PdfError as exc:  # judged readable, yet its pages could not be copied
            raise _rejected("corrupt-pdf" if pdfs else "corrupt-image") from exc
    return pages
