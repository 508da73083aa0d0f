"""Make a PDF archival (PDF/A-2b) and prove it, with pikepdf.pdfa.

Everything filed in a case goes through `save_pdfa`: it cleans what reportlab leaves
behind, sets the document's title and producer in both the Info dictionary and the
XMP, writes atomically and validates the bytes it wrote.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf

if TYPE_CHECKING:
    import pikepdf.pdfa

from pipeline import __version__
from pipeline.fsutil import fsync_dir

PRODUCER = f"kkwna {__version__}"
FLAVOUR = "2b"


class ArchiveFormatError(Exception):
    """A document could not be made PDF/A-2b; the message lists the validator's findings."""


def _clean(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        # reportlab writes an empty /Trans on each page, which validators reject
        if "/Trans" in page.obj:
            del page.obj["/Trans"]


def save_pdfa(source: bytes | pikepdf.Pdf, out: Path, title: str, subject: str = "") -> Path:
    """Write *source* (PDF bytes or an open document) to *out* as validated PDF/A-2b."""
    pdf = source if isinstance(source, pikepdf.Pdf) else pikepdf.open(io.BytesIO(source))
    _clean(pdf)
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = title
        if subject:
            meta["dc:description"] = subject
        meta["pdf:Producer"] = PRODUCER
        meta["xmp:CreatorTool"] = PRODUCER
    pdf.docinfo["/Title"] = title
    pdf.docinfo["/Producer"] = PRODUCER
    out.parent.mkdir(parents=True, exist_ok=True)
    # loaded here, not on import: its validator (jsonschema, fontTools, lxml: ~13 MB) is
    # not needed by a process that files nothing (`kkwna sign --all`)
    from pikepdf import pdfa as pikepdf_pdfa

    try:
        # pikepdf.pdfa.save writes to a temporary file, validates it and renames it
        pikepdf_pdfa.save(pdf, out, flavour=FLAVOUR, output_intent="sRGB")
    except pikepdf_pdfa.PdfaError as exc:
        raise ArchiveFormatError(f"{out.name}: not PDF/A-{FLAVOUR}: {exc}") from exc
    fsync_dir(out.parent)
    return out


def validate(path: Path) -> pikepdf.pdfa.Report:
    """The validator's report on a written file (report.passed is the verdict)."""
    from pikepdf import pdfa as pikepdf_pdfa

    return pikepdf_pdfa.validate_written(path, FLAVOUR)
