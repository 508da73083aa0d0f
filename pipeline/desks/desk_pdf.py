"""Desk items that are not drawn from a layout: a PDF made elsewhere (the final KK of
step 8) given the hidden `kasus`/`langkah` fields every desk item carries.

The two fields are read-only text fields whose widget has a zero-size rectangle and the
Print flag: no viewer shows them, nothing needs an appearance stream, and PDF/A-2 allows
such a widget (its Hidden flag would not be allowed), so the signed card stays PDF/A.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf

from pipeline.office.fsutil import atomic_write_bytes

READ_ONLY = 1  # field flag: nobody types into kasus/langkah
PRINT = 4  # annotation flag PDF/A wants on every widget


def _embedded_font(page: pikepdf.Page) -> pikepdf.Object:
    """A font the page embeds (the KK is drawn in embedded TrueType fonts only)."""
    resources = page.obj.get("/Resources")
    fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
    for _, font in fonts.items() if isinstance(fonts, pikepdf.Dictionary) else []:
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None and any(k in descriptor for k in
                                          ("/FontFile", "/FontFile2", "/FontFile3")):
            return font
    raise ValueError("the page embeds no font the hidden fields could name")


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
    # with it (the widgets have no area), yet an archived card must hold no unembedded
    # font: the field names a font the page already embeds
    resources = acro.get("/DR")
    if not isinstance(resources, pikepdf.Dictionary):
        resources = acro.DR = pikepdf.Dictionary()
    if "/Font" not in resources:
        resources.Font = pikepdf.Dictionary()
    if "/KKF" not in resources.Font:
        resources.Font.KKF = _embedded_font(page)
    annots = page.obj.get("/Annots")
    if not isinstance(annots, pikepdf.Array):
        annots = page.obj.Annots = pdf.make_indirect(pikepdf.Array())
    for name, value, tip in (("kasus", case_id, "Nomor register"),
                             ("langkah", str(step), "Langkah SOP")):
        widget = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Tx,
            T=pikepdf.String(name), TU=pikepdf.String(tip), V=pikepdf.String(value),
            DV=pikepdf.String(value), DA=pikepdf.String("/KKF 0 Tf 0 g"), Ff=READ_ONLY,
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
