"""A PDF attached behind a rendered document (the draft KK behind the review sheet).

Its pages are appended with their annotations flattened (so the result has exactly one
set of form fields: the rendered form's), and each gets the footer the rendered pages
have (case id, "Halaman X dari Y") wherever that footer would not cover what the page
already shows: the bottom strip is rendered and the footer is placed only on blank paper.
"""

from __future__ import annotations

import contextlib
import io
import logging
from typing import TYPE_CHECKING

import pikepdf
from PIL import Image
from reportlab.lib.units import mm

from pipeline.render.fonts import REGULAR, new_canvas, text_width

if TYPE_CHECKING:  # pdfium (5 MB) is loaded when a page is rasterised, not by every import
    import pypdfium2 as pdfium

log = logging.getLogger(__name__)

FOOTER_SIZE = 7.0
FOOTER_GREY = 0.38
#: Baselines tried for an attached page's footer, points above the paper's lower edge:
#: where the rendered pages have theirs, then lower down in the margin.
FOOTER_BASELINES = (15 * mm - 20, 9.0)
BLANK = 245  # a pixel at least this light (0-255) counts as blank paper


def append_pages(pdf: pikepdf.Pdf, other: pikepdf.Pdf) -> None:
    """Append *other*'s pages, their annotations flattened into the page content."""
    other.flatten_annotations("all")
    for page in other.pages:
        for key in ("/Annots", "/Trans"):
            if key in page.obj:
                del page.obj[key]
    pdf.pages.extend(other.pages)


def footer_lines(case_id: str, number: int, total: int) -> tuple[str, str]:
    """The left and right footer text of an attached page."""
    return f"{case_id} · lampiran", f"Halaman {number} dari {total}"


def stamp_footers(pdf: pikepdf.Pdf, first: int, case_id: str,
                  stack: contextlib.ExitStack) -> list[int]:
    """Give every page from index *first* on a footer where it fits on blank paper;
    returns the (1-based) numbers of the pages that got none. The footers' own PDF is
    entered in *stack*: it must stay open until *pdf* is saved (pikepdf copies lazily)."""
    total = len(pdf.pages)
    raster = _rasterise(pdf, first)
    spots: list[tuple[int, float]] = []
    skipped = []
    for index in range(first, total):
        left, right = footer_lines(case_id, index + 1, total)
        spot = _free_spot(pdf.pages[index], raster[index - first], left, right)
        if spot is None:
            skipped.append(index + 1)
        else:
            spots.append((index, spot))
    if skipped:
        log.info("no room for a footer on attached page(s) %s of %s", skipped, case_id)
    if not spots:
        return skipped
    buf = io.BytesIO()
    c = new_canvas(buf, (595, 842), "")
    for index, base in spots:
        box = [float(v) for v in pdf.pages[index].mediabox]
        width, height = box[2] - box[0], box[3] - box[1]
        x0, x1 = _margins(width, height)
        left, right = footer_lines(case_id, index + 1, total)
        c.setPageSize((width, height))
        c.setFont(REGULAR, FOOTER_SIZE)
        c.setFillGray(FOOTER_GREY)
        c.drawString(x0, base, left)
        c.drawRightString(x1, base, right)
        c.showPage()
    c.save()
    stamps = stack.enter_context(pikepdf.open(io.BytesIO(buf.getvalue())))
    for (index, _), stamp in zip(spots, stamps.pages, strict=True):
        page = pdf.pages[index]
        page.add_overlay(stamp, pikepdf.Rectangle(page.mediabox))
    return skipped


def _margins(width: float, height: float) -> tuple[float, float]:
    """The left and right text edges, as the rendered pages have them."""
    landscape = width > height
    return (15 if landscape else 22) * mm, width - (15 if landscape else 18) * mm


def _rasterise(pdf: pikepdf.Pdf, first: int) -> list[pdfium.PdfBitmap | None]:
    """The pages from *first* on, rendered at one pixel per point (grey); None for a
    rotated page (its footer would need turning: it gets none)."""
    import pypdfium2 as pdfium

    buf = io.BytesIO()
    pdf.save(buf)
    doc = pdfium.PdfDocument(buf.getvalue())
    try:
        out: list[pdfium.PdfBitmap | None] = []
        for index in range(first, len(pdf.pages)):
            if int(pdf.pages[index].obj.get("/Rotate", 0)) % 360:
                out.append(None)
                continue
            out.append(doc[index].render(scale=1, grayscale=True))
        return out
    finally:
        doc.close()


def _free_spot(page: pikepdf.Page, bitmap: pdfium.PdfBitmap | None, left: str,
               right: str) -> float | None:
    """The first footer baseline at which both footer texts sit on blank paper."""
    if bitmap is None:
        return None
    box = [float(v) for v in page.mediabox]
    width, height = box[2] - box[0], box[3] - box[1]
    x0, x1 = _margins(width, height)
    image = bitmap.to_pil().convert("L")
    spans = ((x0, x0 + text_width(left, REGULAR, FOOTER_SIZE)),
             (x1 - text_width(right, REGULAR, FOOTER_SIZE), x1))
    for base in FOOTER_BASELINES:
        top, bottom = height - (base + FOOTER_SIZE + 2), height - (base - 3)
        if all(_blank(image, a - 2, top, b + 2, bottom) for a, b in spans):
            return base
    return None


def _blank(image: Image.Image, x0: float, y0: float, x1: float, y1: float) -> bool:
    region = image.crop((int(x0), int(y0), int(x1) + 1, int(y1) + 1))
    low, _ = region.getextrema()  # a one-band ("L") image: (darkest, lightest)
    return isinstance(low, int | float) and low >= BLANK
