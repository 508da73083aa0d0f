"""Drawing the archive's office sheets (books, binder contents, spine label) with reportlab.

These are lists, not case documents: no case-id QR code, no desk fields, so they are drawn
directly rather than through the layout engine. Every row has a fixed height (text shrunk,
then wrapped to at most `MAX_LINES` lines, then cut), so a page always holds the same
number of rows: page N of a book depends only on its own rows, which lets the books be
rebuilt a few pages at a time.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from pipeline.render import pdfa
from pipeline.render.fonts import BOLD, ITALIC, REGULAR, new_canvas, text_width
from pipeline.render.render import clean, wrap

PORTRAIT = A4
LANDSCAPE = landscape(A4)
MARGIN = 12 * mm
SIZE = 6.5
MIN_SIZE = 5.5
MAX_LINES = 3
ROW_HEIGHT = MAX_LINES * (MIN_SIZE + 1.6) + 5
HEADER_HEIGHT = 22.0
GRID = 0.55
PAD = 3.5  # paper between a cell's rule and its text: letters never touch the rules
V_PAD = 2.5  # the same above and below: three lines leave less room there
CAP, DESCENT = 0.73, 0.24  # the fonts' capitals above and descenders below the baseline, em


@dataclass(frozen=True)
class Column:
    title: str
    key: str
    width: float  # fraction of the table's width
    align: str = "left"  # left | center | right


@dataclass(frozen=True)
class Sheet:
    """What is printed above and below each page's table."""

    lines: tuple[str, ...]  # letterhead lines, first one bold
    title: str
    subtitle: str
    pagesize: tuple[float, float]


def rows_per_page(pagesize: tuple[float, float]) -> int:
    _, height = pagesize
    usable = height - 2 * MARGIN - _top_height() - HEADER_HEIGHT - 26
    return int(usable // ROW_HEIGHT)


def _top_height() -> float:
    return 62.0


def _fit(text: str, width: float, font: str = REGULAR) -> tuple[float, list[str]]:
    """The font size and lines that fit *text*, drawn in *font*, in a cell *width* wide,
    within MAX_LINES. Measured in the font it is drawn in: a bold header measured as
    regular ran into its rules."""
    text = clean(text, font)
    size = SIZE
    longest = max(text.split(), key=lambda w: text_width(w, font, size), default="")
    while size > MIN_SIZE - 1 and text_width(longest, font, size) > width:
        size -= 0.25  # a register number or No. KK is never broken across lines
    while True:
        lines = wrap(text, font, size, width) if text else [""]
        if len(lines) <= MAX_LINES or size <= MIN_SIZE - 1:
            break
        size -= 0.5
    if len(lines) > MAX_LINES:
        last = lines[MAX_LINES - 1]
        while last and text_width(last + "...", font, size) > width:
            last = last[:-1]
        lines = [*lines[:MAX_LINES - 1], last + "..."]
    return size, lines


def _cell(c: Canvas, text: str, x: float, top: float, width: float, align: str,
          font: str = REGULAR, height: float = ROW_HEIGHT) -> None:
    size, lines = _fit(text, width - 2 * PAD, font)
    # the letters (capitals to descenders) are centred in the row, the lines drawn closer
    # when three would reach the rules ("Penerbitan / Kartu / Keluarga WNA": the g did)
    ink = (CAP + DESCENT) * size
    lead = size + 1.6
    if len(lines) > 1:
        lead = min(lead, (height - 2 * V_PAD - ink) / (len(lines) - 1))
    y = top - (height - (len(lines) - 1) * lead - ink) / 2 - CAP * size
    c.setFont(font, size)
    for line in lines:
        if align == "center":
            c.drawCentredString(x + width / 2, y, line)
        elif align == "right":
            c.drawRightString(x + width - PAD, y, line)
        else:
            c.drawString(x + PAD, y, line)
        y -= lead


def _page_top(c: Canvas, sheet: Sheet) -> float:
    width, height = sheet.pagesize
    y = height - MARGIN - 8
    for i, line in enumerate(sheet.lines):
        c.setFont(BOLD if i == 0 else REGULAR, 8 if i == 0 else 7)
        c.drawString(MARGIN, y, clean(line, REGULAR))
        y -= 9.5
    c.setFont(BOLD, 11)
    c.drawCentredString(width / 2, y - 8, clean(sheet.title, BOLD))
    c.setFont(REGULAR, 8)
    c.drawCentredString(width / 2, y - 19, clean(sheet.subtitle, REGULAR))
    return float(height - MARGIN - _top_height())


def _footer(c: Canvas, sheet: Sheet, left: str, right: str) -> None:
    width, _ = sheet.pagesize
    c.setLineWidth(0.4)
    c.line(MARGIN, MARGIN + 10, width - MARGIN, MARGIN + 10)
    c.setFont(ITALIC, 6)
    c.drawString(MARGIN, MARGIN + 2, clean(left, ITALIC))
    c.drawRightString(width - MARGIN, MARGIN + 2, clean(right, ITALIC))


def draw_table_pages(c: Canvas, sheet: Sheet, columns: Sequence[Column],
                     rows: Sequence[Mapping[str, Any]], *, first_page: int, footer: str,
                     empty: str = "Belum ada catatan.") -> int:
    """Draw *rows* as fixed-height table rows, `rows_per_page` to a page; returns pages."""
    width, _ = sheet.pagesize
    table_width = width - 2 * MARGIN
    per_page = rows_per_page(sheet.pagesize)
    chunks = [rows[i:i + per_page] for i in range(0, len(rows), per_page)] or [[]]
    for n, chunk in enumerate(chunks):
        top = _page_top(c, sheet)
        x = MARGIN
        c.setFillGray(0.88)
        c.rect(MARGIN, top - HEADER_HEIGHT, table_width, HEADER_HEIGHT, stroke=0, fill=1)
        c.setFillGray(0)
        for col in columns:
            w = col.width * table_width
            _cell(c, col.title, x, top, w, "center", BOLD, HEADER_HEIGHT)
            x += w
        y = top - HEADER_HEIGHT
        for row in chunk:
            x = MARGIN
            for col in columns:
                w = col.width * table_width
                _cell(c, str(row.get(col.key, "") or ""), x, y, w, col.align)
                x += w
            y -= ROW_HEIGHT
        if not chunk:
            c.setFont(ITALIC, 8)
            c.drawString(MARGIN + 4, y - 14, empty)
            y -= ROW_HEIGHT
        _grid(c, columns, top, y, table_width, len(chunk))
        _footer(c, sheet, footer, f"Halaman {first_page + n}")
        c.showPage()
    return len(chunks)


def _grid(c: Canvas, columns: Sequence[Column], top: float, bottom: float,
          table_width: float, count: int) -> None:
    c.setLineWidth(GRID)
    c.rect(MARGIN, bottom, table_width, top - bottom, stroke=1, fill=0)
    c.setLineWidth(0.3)
    y = top - HEADER_HEIGHT
    for _ in range(count):
        c.line(MARGIN, y, MARGIN + table_width, y)
        y -= ROW_HEIGHT
    x = MARGIN
    for col in columns[:-1]:
        x += col.width * table_width
        c.line(x, top, x, bottom)


def new_sheet_canvas(buf: io.BytesIO, sheet: Sheet) -> Canvas:
    return new_canvas(buf, sheet.pagesize, sheet.title)


def save(buf: io.BytesIO, out: Path, title: str) -> Path:
    """Write the canvas's bytes as validated PDF/A-2b."""
    return pdfa.save_pdfa(buf.getvalue(), out, title)


def office_lines(office: Mapping[str, str]) -> tuple[str, ...]:
    return (f"{office['pemerintah']} - {office['dinas']}",
            f"{office['bidang']} - {office['alamat']}")
