"""The final Family Card (SOP step 7): the card the head of office signs.

The official layout of `pipeline.render.kk` without the KONSEP mark and without the draft's
initial, and with what only the signed card carries:

- the Garuda Pancasila at the top left (`pipeline.render.kk_garuda`: the office's image, or
  its marked empty place);
- the office's seal as a standard QR code (the text comes from the caller: a signed
  payload of about 130 bytes), as large as the band below the tables allows (its modules
  at least MIN_MODULE) so that a phone reads it from a printout, to the left of the head of
  office's block, down to the paper's lower edge but for a printer's unprintable margin;
- the head of office's block: jabatan above, name and NIP below, and between them an
  empty rectangle (`signature_rect`) where the signature's visible block is drawn when
  the card is signed;
- the line saying the card is signed electronically with a certificate of *ca_name*,
  under the head of office's NIP (the seal takes the middle of the lower edge);
- exactly one empty signature field, `SIGNATURE_FIELD`, over that rectangle.

The page is first written and validated as PDF/A-2b without the field (the validator
cannot judge form fields); the field is then added with pikepdf the way PDF/A-2 allows
(a printable widget with an appearance stream, no actions, no NeedAppearances) and the
file is written once more, atomically. Nothing signs it here.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pikepdf

from pipeline.domain import family
from pipeline.office.fsutil import atomic_write_bytes
from pipeline.render import fonts, kk, kk_cells, kk_garuda, qr
from pipeline.render.pdfa import save_pdfa

SIGNATURE_FIELD = "TTE_KEPALA_DINAS"
SEAL_QR_BOTTOM = 2.5  # points: the quiet zone's lower edge (the modules 4 mm above the
# paper's edge, out of an office printer's unprintable margin)
SEAL_QR_GAP = 0.5  # points between the lowest table line and the quiet zone
MIN_MODULE = qr.MIN_MODULE_MM * qr.MM  # points: below 0.5 mm no phone decoder reads it
SEAL_QR_RIGHT = 556.0  # the seal stands just left of the head of office's block (x 560 on)
SEAL_CAPTION = "Segel elektronik Disdukcapil: pindai kode QR ini untuk memeriksa keaslian kartu"
_SIG_INSET = 6.0  # the signature rectangle keeps clear of the jabatan and name lines


@dataclass(frozen=True)
class Signer:
    """The head of office as the signed card names them."""

    jabatan: str
    nama: str
    nip: str  # as printed, e.g. "19820311 200501 2 017"


Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in points, origin bottom left


def _signature_rect(cells: list[kk_cells.Cell]) -> Rect:
    by_key = {c.key: c for c in cells}
    jabatan, nama = by_key["footer.jabatan_kepala"], by_key["footer.nama_kepala_dinas"]
    return (jabatan.x0 + _SIG_INSET, nama.y1 + 1, jabatan.x1 - _SIG_INSET, jabatan.y0 - 1)


@cache
def signature_rect() -> Rect:
    """Where the signature's visible block goes: the rectangle of SIGNATURE_FIELD.

    The same on every card (the layout's rows are fixed), between the head of office's
    jabatan and name.
    """
    return _signature_rect(kk.layout_kk({"anggota": []}, office={}))


def _seal_box(cells: list[kk_cells.Cell]) -> Rect:
    """The seal QR's square: from just below the tables (the lowest place the card's
    fixed rows reach) down to SEAL_QR_BOTTOM, beside the head of office's block."""
    top = next(c for c in cells if c.key == "label.dikeluarkan").y1 + 4 - SEAL_QR_GAP
    size = top - SEAL_QR_BOTTOM
    return (SEAL_QR_RIGHT - size, SEAL_QR_BOTTOM, SEAL_QR_RIGHT, top)



@cache
def seal_rect() -> Rect:
    """Where the seal QR code is printed (quiet zone included)."""
    return _seal_box(kk.layout_kk({"anggota": []}, office={}))


def check_seal_text(seal_text: str) -> None:
    """Raise ValueError if *seal_text* cannot be printed as a QR code a phone reads."""
    if not seal_text or not seal_text.isascii() or not seal_text.isprintable():
        raise ValueError("the seal text must be printable ASCII and not empty")
    x0, _, x1, _ = seal_rect()
    module = (x1 - x0) / qr.modules(seal_text)
    if module < MIN_MODULE:
        raise ValueError(
            f"the seal text is too long for a QR code a phone can read from print "
            f"({len(seal_text)} characters; modules would be {module * 25.4 / 72:.2f} mm)"
        )


def layout_final_kk(
    keluarga: Mapping[str, Any],
    *,
    office: Mapping[str, str],
    issued: date,
    signer: Signer,
    ca_name: str,
) -> list[kk_cells.Cell]:
    """Every string of the final card in its cell (pure): the draft's cells for the
    signer, the signed line and the seal's caption."""
    named = {
        **office,
        "jabatan_kepala": signer.jabatan,
        "kepala_dinas_nama": signer.nama,
        "kepala_dinas_nip": signer.nip,
    }
    cells = kk.layout_kk(keluarga, office=named, issued=issued, ca_name=ca_name)
    x0, y0, _, _ = _seal_box(cells)
    nip = next(c for c in cells if c.key == "footer.nip_kepala_dinas")
    signed = next(c for c in cells if c.key == "footer.bsre")
    cells = [c for c in cells if c is not signed]
    cells.append(kk_cells.fitted_cell("footer.bsre", signed.text, nip.x0, nip.x1, 4,
                                      nip.y0 - 2, font=fonts.ITALIC, size=6.5,
                                      align="center"))
    # the caption stays clear of the head of the family's name above it
    name_bottom = next(c for c in cells if c.key == "footer.nama_kepala_keluarga").y0
    cells.append(kk_cells.fitted_cell("seal.caption", SEAL_CAPTION, x0 - 104, x0 - 6, y0 + 8,
                                      name_bottom - 4, size=6.5, align="right"))
    return cells


def _add_signature_field(source: Path, rect: Rect) -> bytes:
    """*source* with one empty, printable signature field over *rect*, as PDF bytes."""
    x0, y0, x1, y1 = rect
    with pikepdf.open(source) as pdf:
        page = pdf.pages[0]
        appearance = pdf.make_stream(
            b"",  # nothing drawn: the area stays blank until the card is signed
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Form,
            BBox=[0, 0, x1 - x0, y1 - y0],
            Resources=pikepdf.Dictionary(),
        )
        widget = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Widget,
                FT=pikepdf.Name.Sig,
                T=pikepdf.String(SIGNATURE_FIELD),
                TU=pikepdf.String("Tanda tangan elektronik Kepala Dinas"),
                Rect=[x0, y0, x1, y1],
                F=4,  # Print: PDF/A wants every annotation printed
                P=page.obj,
                AP=pikepdf.Dictionary(N=appearance),
            )
        )
        page.obj.Annots = pdf.make_indirect(pikepdf.Array([widget]))
        pdf.Root.AcroForm = pdf.make_indirect(
            pikepdf.Dictionary(Fields=pikepdf.Array([widget]), SigFlags=1)
        )
        buf = io.BytesIO()
        pdf.save(buf)  # the XMP and Info written by save_pdfa are kept as they are
        return buf.getvalue()


def render_final_kk(
    keluarga: Mapping[str, Any],
    out: Path,
    *,
    office: Mapping[str, str],
    case_id: str,
    issued: date,
    seal_text: str,
    signer: Signer,
    ca_name: str,
) -> Path:
    """Draw the final KK of *keluarga* at *out*: PDF/A-2b with one empty signature field.

    Returns *out* (as `pipeline.render.kk.render_kk` does).

    Raises ValueError for a seal text that cannot be printed readably (see
    `check_seal_text`) or for more members than the card holds; nothing is written then.
    """
    check_seal_text(seal_text)
    norm = family.normalise(keluarga, area=None)  # the address is kk.layout_kk's
    cells = layout_final_kk(norm, office=office, issued=issued, signer=signer, ca_name=ca_name)
    title = f"Kartu Keluarga No. {norm['no_kk']}"
    buf = io.BytesIO()
    c = fonts.new_canvas(buf, kk.PAGE, title)
    c.setSubject(case_id)
    kk._draw(c, cells, None, None)
    kk_garuda.draw(c, str(office.get("lambang_garuda") or ""), kk.HEIGHT)
    x0, y0, x1, _ = _seal_box(cells)
    qr.draw_qr(c, seal_text, x0, y0, x1 - x0)
    c.showPage()
    c.save()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=".tmp-", suffix=".pdf")
    os.close(fd)
    fieldless = Path(name)
    try:
        # every final KK is drawn alike: validated in full once per process
        save_pdfa(buf.getvalue(), fieldless, title, subject=case_id, proven=("kk-final",))
        atomic_write_bytes(out, _add_signature_field(fieldless, _signature_rect(cells)))
    finally:
        fieldless.unlink(missing_ok=True)
    return out
