"""The bundle as a printed bundle: every scan on an A4 page, upright, centred, scaled down
to fit within the printable area and never enlarged (a card stays card-sized, as a
photocopy of it would).

A scan wider than tall goes on an A4 *landscape* page rather than being turned on a
portrait one: on screen it reads without turning one's head, and a printer turns a
landscape page onto the same A4 sheet. The scans themselves are untouched: an image is
only placed by its page's drawing matrix (`placement`, used by `pipeline.intake.scan_images`,
no re-encoding), a PDF page that is not A4 is drawn as a form XObject of itself on a new
A4 page (`to_a4`). The originals are kept as files beside the bundle (the case's scans/).
"""

from __future__ import annotations

import pikepdf

from pipeline.render.layout import PAGE_SIZES

A4 = PAGE_SIZES["A4"]  # points, portrait
MARGIN = 5 * 72 / 25.4  # what office printers cannot print on: 5 mm each side
TOLERANCE = 1.0  # a page within a point of A4 already is A4

Fit = tuple[float, float, float, float, float]  # page width, height, scale, x, y


def fit(width: float, height: float) -> Fit:
    """Where a scan *width* x *height* points (upright) goes: the A4 page's width and
    height (landscape for a wide scan), the scale (<= 1) and its lower-left corner."""
    pw, ph = A4 if height >= width else (A4[1], A4[0])
    scale = min(1.0, (pw - 2 * MARGIN) / width, (ph - 2 * MARGIN) / height)
    return pw, ph, scale, (pw - width * scale) / 2, (ph - height * scale) / 2


def is_a4(width: float, height: float) -> bool:
    small, large = sorted((width, height))
    return abs(small - A4[0]) <= TOLERANCE and abs(large - A4[1]) <= TOLERANCE


def _shown_size(page: pikepdf.Page) -> tuple[float, float]:
    box = page.cropbox
    w, h = abs(float(box[2]) - float(box[0])), abs(float(box[3]) - float(box[1]))
    unit = float(page.obj.get("/UserUnit", 1))
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    return (h * unit, w * unit) if rotate in (90, 270) else (w * unit, h * unit)


def to_a4(pdf: pikepdf.Pdf) -> int:
    """Put every page of *pdf* that is not A4 on an A4 page, upright, as `fit` says;
    return how many were moved. Annotations are drawn into the page first (the bundle
    is the printed view; a form in it has been flattened already)."""
    moved = 0
    for index, page in enumerate(pdf.pages):
        shown = _shown_size(page)
        if is_a4(*shown) and int(page.obj.get("/Rotate", 0)) % 360 == 0:
            continue
        if moved == 0 and any("/Annots" in p.obj for p in pdf.pages):
            pdf.flatten_annotations("print")
        # a new page: the form XObject's content is read from the old page when written
        formx = pdf.make_indirect(page.as_form_xobject(handle_transformations=True))
        pw, ph, scale, x, y = fit(*shown)
        printed = pikepdf.Page(pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=pikepdf.Array([0, 0, pw, ph]),
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fx0=formx)))))
        rect = pikepdf.Rectangle(x, y, x + shown[0] * scale, y + shown[1] * scale)
        drawing = printed.calc_form_xobject_placement(formx, pikepdf.Name.Fx0, rect,
                                                      allow_shrink=True, allow_expand=True)
        printed.obj.Contents = pdf.make_stream(b"q " + drawing + b" Q")
        pdf.pages[index] = printed
        moved += 1
    return moved
