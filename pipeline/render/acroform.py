"""The last touches on a live desk form, made on the finished PDF with pikepdf.

reportlab writes the fields; this module makes them behave in every reader: viewers
rebuild the appearances (NeedAppearances), the ZapfDingbats font they tick with is in
the form's resources, radio buttons are drawn round, and a value the appearance font
could not show is put back whole into the field.
"""

from __future__ import annotations

from collections.abc import Mapping

import pikepdf

#: Colours of a field (as the renderer draws them): border and background.
BORDER = (0.42, 0.47, 0.56)
FORM_FILL = (0.92, 0.95, 1.0)
RADIO_FLAG = 1 << 15


def finish_form(pdf: pikepdf.Pdf, fix: Mapping[str, str]) -> None:
    acro = pdf.Root.get("/AcroForm")
    if not isinstance(acro, pikepdf.Dictionary):
        return
    acro["/NeedAppearances"] = True
    _button_font(pdf, acro)
    for fld in acro.get("/Fields", []):
        if fld.get("/FT") == "/Btn" and int(fld.get("/Ff", 0)) & RADIO_FLAG:
            for kid in fld.get("/Kids", []):
                if isinstance(kid, pikepdf.Dictionary):
                    _round_widget(pdf, kid)
    if fix:  # values the Helvetica appearance could not show: the field keeps the real text
        for fld in acro.get("/Fields", []):
            name = str(fld.get("/T", ""))
            if name in fix:
                fld["/V"] = pikepdf.String(fix[name])
                fld["/DV"] = pikepdf.String(fix[name])


def _button_font(pdf: pikepdf.Pdf, acro: pikepdf.Dictionary) -> None:
    """ZapfDingbats in the form's resources as /ZaDb, the font a viewer draws a tick or
    a dot with when it rebuilds a checkbox or radio (NeedAppearances); without it
    poppler warns "Unknown font tag 'ZaDb'" and some readers draw no tick. The button
    widgets' /DA name it too."""
    dr = acro.get("/DR")
    if dr is None:
        dr = acro["/DR"] = pikepdf.Dictionary()
    if "/Font" not in dr:
        dr["/Font"] = pikepdf.Dictionary()
    dr["/Font"]["/ZaDb"] = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
        BaseFont=pikepdf.Name.ZapfDingbats))
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            field = annot if "/FT" in annot else annot.get("/Parent")
            if field is not None and field.get("/FT") == "/Btn":
                annot["/DA"] = pikepdf.String("/ZaDb 0 Tf 0 g")


def _circle(cx: float, cy: float, r: float) -> str:
    k = 0.5523 * r  # the Bezier control distance of a quarter circle
    return (f"{cx + r:.3f} {cy:.3f} m "
            f"{cx + r:.3f} {cy + k:.3f} {cx + k:.3f} {cy + r:.3f} {cx:.3f} {cy + r:.3f} c "
            f"{cx - k:.3f} {cy + r:.3f} {cx - r:.3f} {cy + k:.3f} {cx - r:.3f} {cy:.3f} c "
            f"{cx - r:.3f} {cy - k:.3f} {cx - k:.3f} {cy - r:.3f} {cx:.3f} {cy - r:.3f} c "
            f"{cx + k:.3f} {cy - r:.3f} {cx + r:.3f} {cy - k:.3f} {cx + r:.3f} {cy:.3f} c ")


def _round_widget(pdf: pikepdf.Pdf, kid: pikepdf.Dictionary) -> None:
    """A radio button drawn round in every viewer: its own appearance streams (a
    filled, bordered circle; a dot when chosen) in place of reportlab's, which are
    off-centre, and no square background or border colour in /MK for a viewer that
    rebuilds the appearance to paint as a square."""
    ap = kid.get("/AP")
    if ap is None or "/N" not in ap:
        return
    x0, y0, x1, y1 = (float(v) for v in kid["/Rect"])
    size = min(x1 - x0, y1 - y0)
    c, r = size / 2, size / 2 - 0.5
    ring = (f"q {' '.join(f'{v:g}' for v in FORM_FILL)} rg {_circle(c, c, r)}f Q "
            f"q {' '.join(f'{v:g}' for v in BORDER)} RG 0.8 w {_circle(c, c, r)}S Q ")
    dot = f"q 0 g {_circle(c, c, r * 0.45)}f Q"
    states = [str(k) for k in ap["/N"]]

    def stream(content: str) -> pikepdf.Stream:
        return pikepdf.Stream(pdf, content.encode("ascii"), Type=pikepdf.Name.XObject,
                              Subtype=pikepdf.Name.Form, BBox=[0, 0, size, size],
                              Resources=pikepdf.Dictionary())

    normal = pikepdf.Dictionary({s: stream(ring if s == "/Off" else ring + dot)
                                 for s in states})
    kid["/AP"] = pikepdf.Dictionary(N=normal)
    mk = kid.get("/MK")
    if mk is not None:
        for key in ("/BG", "/BC"):
            if key in mk:
                del mk[key]
