"""Desk items that are not drawn from a layout: a PDF made elsewhere (the final KK of
step 8) given the hidden `kasus`/`langkah` fields every desk item carries, and a plain
placeholder for a step whose form is not built yet.

The two fields are read-only text fields whose widget has a zero-size rectangle and the
Print flag: no viewer shows them, nothing needs an appearance stream, and PDF/A-2 allows
such a widget (its Hidden flag would not be allowed), so the signed card stays PDF/A.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from reportlab.lib.pagesizes import A4

from pipeline import fonts, qr
from pipeline.fsutil import atomic_write_bytes

READ_ONLY = 1  # field flag: nobody types into kasus/langkah
PRINT = 4  # annotation flag PDF/A wants on every widget


def add_case_fields(pdf: pikepdf.Pdf, case_id: str, step: int) -> None:
    """Give *pdf* (open with pikepdf, not yet signed) the hidden fields `kasus` and
    `langkah` on its first page, keeping every field it already has."""
    page = pdf.pages[0]
    acro = pdf.Root.get("/AcroForm")
    if not isinstance(acro, pikepdf.Dictionary):
        acro = pdf.Root.AcroForm = pdf.make_indirect(pikepdf.Dictionary(Fields=pikepdf.Array()))
    if "/Fields" not in acro:
        acro.Fields = pikepdf.Array()
    # a text field names its font (readers complain otherwise); nothing is ever drawn
    # with it: the widgets have no area
    resources = acro.get("/DR")
    if not isinstance(resources, pikepdf.Dictionary):
        resources = acro.DR = pikepdf.Dictionary()
    if "/Font" not in resources:
        resources.Font = pikepdf.Dictionary()
    if "/Helv" not in resources.Font:
        resources.Font.Helv = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding))
    annots = page.obj.get("/Annots")
    if not isinstance(annots, pikepdf.Array):
        annots = page.obj.Annots = pdf.make_indirect(pikepdf.Array())
    for name, value, tip in (("kasus", case_id, "Nomor register"),
                             ("langkah", str(step), "Langkah SOP")):
        widget = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Tx,
            T=pikepdf.String(name), TU=pikepdf.String(tip), V=pikepdf.String(value),
            DV=pikepdf.String(value), DA=pikepdf.String("/Helv 0 Tf 0 g"), Ff=READ_ONLY,
            F=PRINT, Rect=[0, 0, 0, 0], P=page.obj,
        ))
        annots.append(widget)
        acro.Fields.append(widget)


def with_case_fields(src: Path, out: Path, case_id: str, step: int) -> Path:
    """A copy of *src* at *out* (atomically) with the hidden case fields added."""
    with pikepdf.open(src) as pdf:
        add_case_fields(pdf, case_id, step)
        buf = io.BytesIO()
        pdf.save(buf)
    atomic_write_bytes(Path(out), buf.getvalue())
    return Path(out)


def placeholder_form(out: Path, *, case_id: str, title: str, step: int, form: str,
                     lines: list[str]) -> Path:
    """A one-page desk item saying the step's form is not built yet: the case's QR code,
    *lines* of explanation and the hidden case fields, so the case is listed on its desk
    and a saved copy is still recognised as this case's."""
    buf = io.BytesIO()
    width, height = A4
    c = fonts.new_canvas(buf, A4, f"{case_id} - {form}")
    c.setFont(fonts.BOLD, 14)
    c.drawString(56, height - 80, f"{form.upper()} - LANGKAH {step}")
    y = height - 110
    room = width - 2 * 56 - 110  # left of the QR code
    for text in [f"Kasus: {case_id} {title}", "", *lines]:
        c.setFont(fonts.REGULAR, fonts.fit_size(text, fonts.REGULAR, 11, room))
        c.drawString(56, y, text)
        y -= 16
    qr.draw_qr(c, case_id, width - 56 - 96, height - 56 - 96, 96)
    c.showPage()
    c.save()
    with pikepdf.open(io.BytesIO(buf.getvalue())) as pdf:
        add_case_fields(pdf, case_id, step)
        result = io.BytesIO()
        pdf.save(result)
    atomic_write_bytes(Path(out), result.getvalue())
    return Path(out)
