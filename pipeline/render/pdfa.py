"""Make a PDF archival (PDF/A-2b) and prove it, with pikepdf.pdfa.

Everything filed in a case goes through `save_pdfa`: it cleans what reportlab leaves
behind, sets the document's title and producer in both the Info dictionary and the
XMP, validates the bytes it is about to write and writes them atomically.

The full validator walks every object and content stream (18 % of an intake, most of a
filed copy's writing). A document drawn by our own code from a fixed template (a
layout, the KK) is built the same way every time: the caller names that kind
(*proven*), the first document of a kind in this process gets the full validator, the
later ones a structural check of what varies with the data (fonts embedded, nothing
forbidden). The tests prove every kind with the full validator. A document made of what
came from outside (a scan, an ordinary PDF) names no kind: always the full validator.
"""

from __future__ import annotations

import io
from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pikepdf

if TYPE_CHECKING:
    import pikepdf.pdfa

from pipeline import __version__
from pipeline.office.fsutil import atomic_writer

PRODUCER = f"kkwna {__version__}"
FLAVOUR = "2b"


class ArchiveFormatError(Exception):
    """A document could not be made PDF/A-2b; the message lists the validator's findings."""


def _clean(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        # reportlab writes an empty /Trans on each page, which validators reject
        if "/Trans" in page.obj:
            del page.obj["/Trans"]


# kinds of document that passed the full validator in this process (see the docstring)
PROVEN: set[Hashable] = set()
_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
_FORBIDDEN_ACTIONS = ("/JavaScript", "/Launch", "/Sound", "/Movie", "/ResetForm",
                      "/ImportData", "/Hide", "/SetOCGState", "/Rendition", "/GoTo3DView")
_FORBIDDEN_ANNOTS = ("/Sound", "/Movie", "/FileAttachment", "/3D", "/RichMedia", "/Screen")


def save_pdfa(source: bytes | pikepdf.Pdf, out: Path, title: str, subject: str = "",
              proven: Hashable | None = None) -> Path:
    """Write *source* (PDF bytes or an open document) to *out* as validated PDF/A-2b.

    *proven*: the kind of document it is, when our code draws every one of that kind
    the same way (a layout's filed copy): validated in full once per process, then
    checked structurally (`structural_problems`)."""
    # loaded here, not on import: its validator (jsonschema, fontTools, lxml: ~13 MB) is
    # not needed by a process that files nothing (`kkwna sign --all`)
    from pikepdf import pdfa as pikepdf_pdfa

    pdf = source if isinstance(source, pikepdf.Pdf) else pikepdf.open(io.BytesIO(source))
    _clean(pdf)
    # what pikepdf.pdfa.save does (prepare, save with the pinned settings, validate the
    # bytes), in memory, so that the validation can be the cheap one; prepared first, as
    # preparing names pikepdf the producer
    pikepdf_pdfa.prepare(pdf, FLAVOUR, output_intent="sRGB")
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = title
        if subject:
            meta["dc:description"] = subject
        meta["pdf:Producer"] = PRODUCER
        meta["xmp:CreatorTool"] = PRODUCER
    pdf.docinfo["/Title"] = title
    pdf.docinfo["/Producer"] = PRODUCER
    kw = pikepdf_pdfa.resolve_save_kwargs(FLAVOUR)
    # written to its temporary file and checked there, never whole in memory: a scan
    # bundle can be hundreds of megabytes; a refused file leaves *out* as it was
    with atomic_writer(out) as fh:
        pdf.save(fh, **kw)
        fh.seek(0)
        if proven is not None and proven in PROVEN:
            problems = structural_problems(fh)
            if problems:
                raise ArchiveFormatError(
                    f"{out.name}: not PDF/A-{FLAVOUR}: {'; '.join(problems)}")
        else:
            report = pikepdf_pdfa.validate_written(fh, FLAVOUR, save_kwargs=kw)
            if report.verdict != "pass":
                raise ArchiveFormatError(
                    f"{out.name}: not PDF/A-{FLAVOUR}: {pikepdf_pdfa.PdfaError(report)}")
            if proven is not None:
                PROVEN.add(proven)
    return out


def structural_problems(data: bytes | BinaryIO) -> list[str]:
    """What a document of a proven kind could get wrong from its data, found cheaply in
    the written bytes (or stream) *data*: the PDF/A identification and output intent, every font's
    program embedded, no encryption, no action or annotation PDF/A forbids."""
    problems: list[str] = []
    with pikepdf.open(io.BytesIO(data) if isinstance(data, bytes) else data) as pdf:
        if "/Encrypt" in pdf.trailer:
            problems.append("encrypted")
        if not pdf.Root.get("/OutputIntents"):
            problems.append("no output intent")
        meta = pdf.open_metadata()
        if (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) != ("2", "B"):
            problems.append("no PDF/A-2b identification in the XMP")
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Dictionary):
                continue
            kind = obj.get("/Type")
            if kind == "/Font" or "/BaseFont" in obj:
                font: pikepdf.Object = obj
                if font.get("/Subtype") == "/Type3":
                    continue
                if font.get("/Subtype") == "/Type0":
                    font = font.DescendantFonts[0]
                descriptor = font.get("/FontDescriptor")
                if descriptor is None or not any(k in descriptor for k in _FONT_FILES):
                    problems.append(f"font {obj.get('/BaseFont')} not embedded")
            elif obj.get("/S") in _FORBIDDEN_ACTIONS and "/Subtype" not in obj:
                problems.append(f"action {obj.get('/S')} not allowed")
            elif kind == "/Annot" and obj.get("/Subtype") in _FORBIDDEN_ANNOTS:
                problems.append(f"annotation {obj.get('/Subtype')} not allowed")
    return problems


def validate(path: Path) -> pikepdf.pdfa.Report:
    """The validator's report on a written file (report.passed is the verdict)."""
    from pikepdf import pdfa as pikepdf_pdfa

    return pikepdf_pdfa.validate_written(path, FLAVOUR)
