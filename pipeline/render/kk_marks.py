"""The draft KK of a change (Perubahan Data): the ordinary draft with what changed marked.

The draft is `kk.render_kk`'s page unchanged underneath (so the card's geometry is one
code's); over it each changed cell (`family_changes.marked_cells`) gets a heavier frame
and an asterisk in its corner, and a second page lists every change, the old value beside
the new. Only drafts carry the marks: step 7 draws the card to be signed with `kk_final`
from the family data alone, a normal KK.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pikepdf
from reportlab.pdfgen.canvas import Canvas

from pipeline.domain import family
from pipeline.domain.family_changes import Change, marked_cells
from pipeline.render import fonts, kk, kk_cells
from pipeline.render.pdfa import save_pdfa

MARK = "*"
MARK_COLOUR = (0.75, 0.1, 0.1)  # the draft is read on screen and printed in colour or grey
NOTE = ("Tanda * dan bingkai tebal pada konsep menunjukkan elemen data yang berubah "
        "dibandingkan KK yang diubah. Tanda ini hanya ada pada konsep: KK yang "
        "ditandatangani tidak memuatnya.")
# the list's columns: (title, share of the width)
COLUMNS = (("No", 0.05), ("Elemen data", 0.35), ("Data lama (KK yang diubah)", 0.3),
           ("Data baru (konsep ini)", 0.3))
SIZE = 8.5
LINE = SIZE * 1.3
TOP_MARGIN = 40.0
BOTTOM_MARGIN = 36.0


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """*text* broken at spaces (or anywhere, for a word longer than *width*)."""
    lines: list[str] = []
    current = ""
    for word in text.split() or [""]:
        trial = f"{current} {word}".strip()
        if fonts.text_width(trial, font, size) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        while fonts.text_width(word, font, size) > width and len(word) > 1:
            cut = len(word)
            while cut > 1 and fonts.text_width(word[:cut], font, size) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    lines.append(current)
    return lines


def _marks(c: Canvas, cells: Sequence[kk_cells.Cell], marked: set[str]) -> None:
    c.setStrokeColorRGB(*MARK_COLOUR)
    c.setFillColorRGB(*MARK_COLOUR)
    c.setLineWidth(1.3)
    for cell in cells:
        if cell.key not in marked:
            continue
        c.rect(cell.x0 + 0.6, cell.y0 + 0.6, cell.x1 - cell.x0 - 1.2, cell.y1 - cell.y0 - 1.2,
               stroke=1, fill=0)
        c.setFont(fonts.BOLD, 7)
        c.drawRightString(cell.x1 - 1.2, cell.y1 - 6.2, MARK)


def _list_page(c: Canvas, changes: Sequence[Change], heading: Sequence[str]) -> None:
    """The second page: the title, *heading* lines, the table of changes, the note."""
    width, height = kk.PAGE
    x0, x1 = kk.MARGIN_X, width - kk.MARGIN_X
    y = height - TOP_MARGIN
    c.setFillGray(0)
    c.setFont(fonts.BOLD, 14)
    c.drawCentredString(width / 2, y, "DAFTAR PERUBAHAN DATA")
    y -= 20
    c.setFont(fonts.REGULAR, 9)
    for text in heading:
        for line in _wrap(text, fonts.REGULAR, 9, x1 - x0):
            c.drawString(x0, y, line)
            y -= 12
    y -= 6
    widths = [share * (x1 - x0) for _, share in COLUMNS]
    rows: list[tuple[str, ...]] = [tuple(t for t, _ in COLUMNS)]
    for n, change in enumerate(changes, start=1):
        cells = change.row()
        rows.append((str(n), cells["elemen"], cells["lama"], cells["baru"]))
    c.setStrokeGray(0)
    c.setLineWidth(0.5)
    for i, row in enumerate(rows):
        font = fonts.BOLD if i == 0 else fonts.REGULAR
        wrapped = [_wrap(text, font, SIZE, w - 6) for text, w in zip(row, widths, strict=True)]
        h = max(len(w) for w in wrapped) * LINE + 4
        if y - h < BOTTOM_MARGIN:  # more changes than a page holds: the rest on the next
            c.showPage()
            y = height - TOP_MARGIN
        x = x0
        for lines, w in zip(wrapped, widths, strict=True):
            c.rect(x, y - h, w, h, stroke=1, fill=0)
            c.setFont(font, SIZE)
            for k, line in enumerate(lines):
                c.drawString(x + 3, y - 2 - (k + 1) * LINE + 2.5, line)
            x += w
        y -= h
    y -= 14
    c.setFont(fonts.ITALIC, 8)
    for line in _wrap(NOTE, fonts.ITALIC, 8, x1 - x0):
        c.drawString(x0, y, line)
        y -= 10


def overlay(data: Mapping[str, Any], changes: Sequence[Change], *, office: Mapping[str, str],
            paraf: kk.Paraf | None, heading: Sequence[str]) -> bytes:
    """The marks over the card's page (page 1) and the list of changes (page 2 on)."""
    norm = family.normalise(data, area=None)
    cells = kk.layout_kk(norm, office=office, issued=None, paraf=paraf)
    buf = io.BytesIO()
    c = fonts.new_canvas(buf, kk.PAGE, "Perubahan")
    _marks(c, cells, marked_cells(changes))
    c.showPage()
    _list_page(c, changes, heading)
    c.showPage()
    c.save()
    return buf.getvalue()


def render_changed_draft(data: Mapping[str, Any], out: Path, *, office: Mapping[str, str],
                         case_id: str, changes: Sequence[Change], old_case: str,
                         paraf: kk.Paraf | None = None, watermark: str = "KONSEP") -> Path:
    """The draft KK of *data* with *changes* marked, into *out* as PDF/A-2b; *old_case*:
    the register number of the issued KK it changes (named on the list page)."""
    out = Path(out)
    plain = out.with_name(f".polos-{out.name}")
    norm = family.normalise(data, area=None)
    heading = [f"Lampiran konsep Kartu Keluarga No. {norm['no_kk']} (register {case_id}): "
               f"perubahan atas KK yang diterbitkan dengan register {old_case}.",
               f"Jumlah perubahan: {len(changes)}."]
    try:
        kk.render_kk(data, plain, office=office, case_id=case_id, issued=None,
                     watermark=watermark, paraf=paraf, archival=False)
        marks = pikepdf.open(io.BytesIO(overlay(data, changes, office=office, paraf=paraf,
                                                heading=heading)))
        with pikepdf.open(plain) as pdf:
            pdf.pages[0].add_overlay(marks.pages[0], pikepdf.Rectangle(0, 0, *kk.PAGE))
            for page in marks.pages[1:]:
                pdf.pages.append(page)
            title = f"{watermark.title()} Kartu Keluarga No. {norm['no_kk']} (perubahan)"
            return save_pdfa(pdf, out, title, subject=case_id,
                             proven=("kk-perubahan", paraf is not None))
    finally:
        plain.unlink(missing_ok=True)
