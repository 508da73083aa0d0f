"""One drawing pass of a layout: the page furniture (letterhead, the case-id QR on every
page, footer), the text helpers and the field primitives, shared by `render` (the entry
point) and `render_blocks` (one function per block type). A field primitive is the only
place where the two modes differ: in ``form`` mode it makes an AcroForm widget, in
``filed`` mode it draws the value as text in the same box, so both copies share one
geometry.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from pipeline.render import fonts, qr
from pipeline.render.acroform import BORDER, FORM_FILL
from pipeline.render.fonts import BOLD, ITALIC, REGULAR, fit_size, text_width
from pipeline.render.layout import (
    Layout,
    capped,
    condition,
    display,
    fill,
    lookup,
)
from pipeline.render.letterhead import contact_line
from pipeline.render.qr import draw_qr

Mode = Literal["form", "filed"]

EMBLEM_SIZE = 54.0  # the emblem at the letterhead's left
FIELD_FONT = "Helvetica"  # live-form appearances only; never archived
MIN_SIZE = 6.0  # shrink text to this before wrapping it
TINY = 4.0  # below this a value is cut rather than drawn unreadably
GREY = 0.38
OFFICE_ZONE = "Asia/Makassar"


class RenderError(Exception):
    """A document could not be drawn (for instance the PDF to attach is unreadable)."""


# --------------------------------------------------------------------------- text


@cache
def _charset(font: str) -> frozenset[int]:
    fonts.register()
    face = getattr(pdfmetrics.getFont(font), "face", None)
    glyphs = getattr(face, "charToGlyph", None)
    if glyphs is None:  # a standard-14 font: what Latin-1 can show
        return frozenset(range(32, 127)) | frozenset(range(160, 256))
    return frozenset(glyphs)


def clean(text: str, font: str) -> str:
    """*text* reduced to what *font* can show (so no .notdef glyph reaches the page):
    control characters become spaces, unknown letters lose their accents (ễ -> e),
    anything else becomes '?'."""
    chars = _charset(font)
    out = []
    for ch in text.replace("\r\n", "\n"):
        if ch == "\n":
            out.append(ch)
        elif ord(ch) < 32 or ch == "\x7f":
            out.append(" ")
        elif ord(ch) in chars:
            out.append(ch)
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if ord(c) in chars
                           and not unicodedata.combining(c))
            out.append(base or "?")
    return "".join(out)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap; explicit newlines start new lines; over-long words are cut.

    Linear in the length of *text*: each word is measured once and a line's width is
    kept as a running sum (widths add up: reportlab applies no kerning), and a word too
    long for a line is cut on the running sum of its characters' widths."""
    lines: list[str] = []
    space = text_width(" ", font, size)
    for para in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for word in para.split():
            wide = text_width(word, font, size)
            if line and used + space + wide <= width:
                line.append(word)
                used += space + wide
                continue
            if line:
                lines.append(" ".join(line))
            if wide > width and len(word) > 1:
                *full, word = _cut_word(word, font, size, width)
                lines.extend(full)
                wide = text_width(word, font, size)
            line, used = [word], wide
        lines.append(" ".join(line))
    return lines


def _cut_word(word: str, font: str, size: float, width: float) -> list[str]:
    """*word* cut into pieces no wider than *width* (at least one character each)."""
    char_width: dict[str, float] = {}
    pieces: list[str] = []
    start, used = 0, 0.0
    for i, ch in enumerate(word):
        w = char_width.get(ch)
        if w is None:
            w = char_width[ch] = text_width(ch, font, size)
        if used + w > width and i > start:
            pieces.append(word[start:i])
            start, used = i, 0.0
        used += w
    pieces.append(word[start:])
    return pieces


def balanced(text: str, font: str, size: float, width: float) -> list[str]:
    """Wrapped like ``wrap`` but with lines of even length (for centred titles)."""
    lines = wrap(text, font, size, width)
    if len(lines) < 2 or "\n" in text:
        return lines
    lo, hi = width / len(lines), width
    while hi - lo > 2:
        mid = (lo + hi) / 2
        if len(wrap(text, font, size, mid)) <= len(lines):
            hi = mid
        else:
            lo = mid
    return wrap(text, font, size, hi)


def fit_box(text: str, font: str, size: float, width: float, height: float
            ) -> tuple[float, list[str]]:
    """The size and lines at which *text* fits a box: one line shrunk down to
    MIN_SIZE, else wrapped lines as large as the height allows, else cut."""
    text = " ".join(text.split())
    one = fit_size(text, font, size, width, MIN_SIZE)
    if text_width(text, font, one) <= width and one * 1.15 <= height + 0.01:
        return one, [text]
    s = min(size, height / 1.15)
    while s >= TINY:
        lines = wrap(text, font, s, width)
        if len(lines) * s * 1.15 <= height:
            return s, lines
        s -= 0.25
    lines = wrap(text, font, TINY, width)
    keep = max(1, int(height // (TINY * 1.15)))
    if len(lines) > keep:
        lines = lines[:keep]
        lines[-1] = lines[-1][:-1] + "…"
    return TINY, lines


def is_checked(value: Any) -> bool:
    """A checkbox value from data or a read form: True, "ya", "/Yes", "1" ..."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    s = str(value).strip().lower().lstrip("/")
    return s not in ("", "off", "tidak", "no", "false", "0", "n")


# --------------------------------------------------------------------------- context


class Ctx:
    """The state of one drawing pass: canvas, cursor, page furniture, field primitives."""

    def __init__(self, c: Canvas, layout: Layout, data: Mapping[str, Any], mode: Mode,
                 case_id: str, step: int, total_pages: int,
                 emblem: ImageReader | None = None) -> None:
        self.c = c
        self.layout = layout
        self.data = data
        self.mode = mode
        self.form = mode == "form"
        self.case_id = case_id
        self.step = step
        self.total_pages = total_pages
        self.fields: Mapping[str, Any] = data.get("fields") or {}
        self.fix_values: dict[str, str] = {}
        self.W, self.H = layout.pagesize
        landscape = self.W > self.H
        self.x0: float = (15 if landscape else 22) * mm
        self.x1: float = self.W - (15 if landscape else 18) * mm
        self.top: float = self.H - 10 * mm
        self.bottom: float = 15 * mm
        self.page = 0
        self.y = self.content_top = self.top
        self.block_index: int | None = None
        # (page, y) where the block being drawn and the one before it started: a
        # paragraph with ``beside`` is drawn level with the top of the block before it
        self.block_start: tuple[int, float] | None = None
        self.prev_start: tuple[int, float] | None = None
        self.next_block: Mapping[str, Any] | None = None
        self.title = self.document_title()
        self.emblem = emblem  # drawn at the left of the letterhead

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    # ---- text and values

    def where(self, extra: str = "") -> str:
        return self.layout.where(self.block_index, extra)

    def tpl(self, template: str, extra: Mapping[str, Any] | None = None) -> str:
        data = {**self.data, **extra} if extra else self.data
        return fill(template, data, self.where())

    def shown(self, item: Mapping[str, Any]) -> bool:
        return condition(self.data, item, self.mode)

    def value(self, name: str) -> str:
        v = self.fields.get(name)
        return "" if v is None or isinstance(v, bool) else display(v).strip()

    def drawn_value(self, name: str) -> str:
        """A field's value as drawn: cut at FREE_TEXT_LIMIT characters (see ``capped``)."""
        return capped(self.value(name))

    def document_title(self) -> str:
        if self.layout.document:
            return fill(self.layout.document, self.data, self.layout.where(None, "document"))
        for i, block in enumerate(self.layout.blocks):
            if block["type"] == "title" and condition(self.data, block, self.mode):
                return fill(block["text"], self.data, self.layout.where(i)).upper()
        return self.layout.name

    def draw_text(self, x: float, y: float, text: str, font: str = REGULAR, size: float = 10,
                  align: str = "left", grey: float = 0.0) -> None:
        c = self.c
        c.setFont(font, size)
        c.setFillGray(grey)
        text = clean(text, font)
        if align == "center":
            c.drawCentredString(x, y, text)
        elif align == "right":
            c.drawRightString(x, y, text)
        else:
            c.drawString(x, y, text)
        c.setFillGray(0)

    def justify(self, x: float, y: float, line: str, font: str, size: float, width: float
                ) -> None:
        words = clean(line, font).split()
        if len(words) < 2:
            self.draw_text(x, y, line, font, size)
            return
        gap = (width - sum(text_width(w, font, size) for w in words)) / (len(words) - 1)
        for word in words:
            self.draw_text(x, y, word, font, size)
            x += text_width(word, font, size) + gap

    # ---- pages

    def ensure(self, height: float) -> None:
        """Start a new page unless *height* points still fit on this one."""
        if self.y - height < self.bottom and self.y < self.content_top - 0.5:
            self.new_page()

    def new_page(self) -> None:
        self.end_page()
        self.start_page()

    def start_page(self) -> None:
        self.page += 1
        c = self.c
        # modules of qr.MODULE_MM, so that a phone reads the case id; the quiet zone lies
        # in the page's white margin, only the symbol takes room from the letterhead
        size = qr.side(self.case_id)
        quiet = size / qr.modules(self.case_id) * qr.QUIET_ZONE
        symbol = size - 2 * quiet
        qx, qy = self.x1 - symbol, self.top - symbol
        draw_qr(c, self.case_id, qx - quiet, qy - quiet, size)
        self.draw_text(qx + symbol / 2, qy - 7, self.case_id, REGULAR, 6.5, "center")
        band_bottom = qy - 10
        if self.page == 1:
            if self.form:
                self.hidden_fields(qx, qy - 22, symbol)
            if self.layout.kop is not None:
                band_bottom = min(band_bottom, self.kop(symbol + 16))
            y = band_bottom - 3
            c.setLineWidth(1.8)
            c.line(self.x0, y, self.x1, y)
            c.setLineWidth(0.6)
            c.line(self.x0, y - 2.6, self.x1, y - 2.6)
            self.y = y - 16
        else:
            self.draw_text(self.x0, self.top - 10, self.title, ITALIC, 7.5, grey=GREY)
            self.draw_text(self.x0, self.top - 20, "(lanjutan)", ITALIC, 7.5, grey=GREY)
            self.y = band_bottom - 6
        self.content_top = self.y

    def kop(self, reserve: float) -> float:
        """The letterhead, centred between the page margins, clear of the QR; returns
        its lowest point."""
        kop = self.layout.kop or {}
        where = self.layout.where(None, "kop")
        width = self.width - 2 * reserve
        cx = (self.x0 + self.x1) / 2
        y = self.top - 2
        if self.emblem is not None:
            self.c.drawImage(self.emblem, self.x0, self.top - EMBLEM_SIZE, EMBLEM_SIZE,
                             EMBLEM_SIZE,
                             preserveAspectRatio=True, anchor="c", mask="auto")
        for i, line in enumerate(kop["lines"]):
            size = (13.0, 14.5)[i] if i < 2 else 11.0
            text = clean(fill(line, self.data, where).upper(), BOLD)
            size = fit_size(text, BOLD, size, width, 8)
            y -= size * 1.1
            self.draw_text(cx, y, text, BOLD, size, "center")
            y -= 2
        alamat = clean(fill(kop["alamat"], self.data, where), REGULAR)
        contact = clean(contact_line(lookup(self.data, "office", None) or {}), REGULAR)
        for line in balanced(alamat, REGULAR, 8, width) + (
                balanced(contact, REGULAR, 8, width) if contact else []):
            y -= 9.5
            self.draw_text(cx, y, line, REGULAR, 8, "center")
        return y - 4

    def end_page(self) -> None:
        c = self.c
        y = self.bottom - 20
        c.setStrokeGray(0.6)
        c.setLineWidth(0.4)
        c.line(self.x0, y + 9, self.x1, y + 9)
        c.setStrokeGray(0)
        if self.layout.footer:
            left = self.tpl(self.layout.footer)
        else:
            left = self.title if self.case_id in self.title else f"{self.case_id} · {self.title}"
        right = f"Halaman {self.page} dari {max(self.total_pages, self.page)}"
        room = self.width - text_width(right, REGULAR, 7) - 20
        size = fit_size(clean(left, REGULAR), REGULAR, 7, room, 5)
        self.draw_text(self.x0, y, left, REGULAR, size, grey=GREY)
        self.draw_text(self.x1, y, right, REGULAR, 7, "right", grey=GREY)
        c.showPage()

    # ---- field primitives

    def hidden_fields(self, x: float, y: float, width: float) -> None:
        hidden = [("kasus", self.case_id), ("langkah", str(self.step))]
        if self.data.get("token"):  # binds the form to what was placed (pipeline.desks.placing)
            hidden.append(("token", str(self.data["token"])))
        for i, (name, value) in enumerate(hidden):
            self.c.acroForm.textfield(
                name=name, value=value, x=x + i % 2 * width / 2, y=y - i // 2 * 10,
                width=width / 2,
                height=8, fontName=FIELD_FONT, fontSize=6, borderWidth=0, fillColor=None,
                borderColor=None, textColor=None, fieldFlags="readOnly",
                annotationFlags="hidden print", maxlen=None,
                tooltip={"kasus": "Nomor register", "langkah": "Langkah SOP"}.get(
                    name, "Kode formulir"),
            )

    def box_height(self, name: str, width: float, height: float, multiline: bool) -> float:
        """A box's height: fixed, except a filed multi-line box grows to show its text."""
        value = self.drawn_value(name)
        if self.form or not multiline or not value:
            return height
        lines = wrap(clean(value, REGULAR), REGULAR, 9, width - 6)
        return max(height, len(lines) * 11.5 + 6)

    def text_field(self, name: str, x: float, y: float, w: float, h: float, *,
                   multiline: bool = False, tooltip: str = "", maxlen: int | None = None,
                   value: str | None = None) -> None:
        """A text box with its lower-left corner at (x, y)."""
        full = self.value(name) if value is None else value
        text = capped(full)
        c = self.c
        if self.form:
            safe = clean(text, FIELD_FONT)
            if safe != full:  # the widget shows what it can; the field keeps the real text
                self.fix_values[name] = full
            size = 9 if multiline else int(fit_size(safe, FIELD_FONT, min(9, h * 0.6), w - 4, 6))
            c.acroForm.textfield(
                name=name, value=safe, x=x, y=y, width=w, height=h, fontName=FIELD_FONT,
                fontSize=size,
                borderColor=_rgb(BORDER), fillColor=_rgb(FORM_FILL), textColor=_rgb((0, 0, 0)),
                borderWidth=0.6, fieldFlags="multiline" if multiline else "",
                tooltip=tooltip or None, maxlen=maxlen,
            )
            self.outline(x, y, w, h)
            return
        c.setStrokeColorRGB(*BORDER)
        c.setLineWidth(0.6)
        c.rect(x, y, w, h, stroke=1, fill=0)
        c.setStrokeGray(0)
        if not text:
            return
        text = clean(text, REGULAR)
        if multiline:
            fsize, lines = 9.0, wrap(text, REGULAR, 9, w - 6)
            if len(lines) * 11.5 > h - 4:
                fsize, lines = fit_box(text, REGULAR, 9, w - 6, h - 4)
        else:
            fsize, lines = fit_box(text, REGULAR, 9, w - 6, h - 2)
        lead = fsize * 1.15 if not multiline or fsize < 9 else 11.5
        if len(lines) == 1 and not multiline:
            ty = y + (h - fsize * 0.7) / 2
        else:
            ty = y + h - 3 - fsize * 0.85
        for line in lines:
            self.draw_text(x + 3, ty, line, REGULAR, fsize)
            ty -= lead

    def outline(self, x: float, y: float, w: float, h: float) -> None:
        """A border just outside a widget, so it shows in viewers that paint the
        widget's background over its own border."""
        c = self.c
        c.setStrokeColorRGB(*BORDER)
        c.setLineWidth(0.6)
        c.rect(x - 0.3, y - 0.3, w + 0.6, h + 0.6, stroke=1, fill=0)
        c.setStrokeGray(0)

    def checkbox(self, name: str, x: float, y: float, size: float, tooltip: str = "") -> None:
        checked = is_checked(self.fields.get(name))
        if self.form:
            self.c.acroForm.checkbox(
                name=name, checked=checked, buttonStyle="check", x=x, y=y, size=size,
                borderColor=_rgb(BORDER), fillColor=_rgb(FORM_FILL), textColor=_rgb((0, 0, 0)),
                borderWidth=0.8, fieldFlags="", tooltip=tooltip or None,
            )
            self.outline(x, y, size, size)
        else:
            self.tick_box(x, y, size, checked)

    def tick_box(self, x: float, y: float, size: float, checked: bool) -> None:
        c = self.c
        c.setStrokeColorRGB(*BORDER)
        c.setLineWidth(0.8)
        c.rect(x, y, size, size, stroke=1, fill=0)
        c.setStrokeGray(0)
        if checked:
            c.setLineWidth(size * 0.14)
            c.setLineCap(1)
            c.setLineJoin(1)
            path = c.beginPath()
            path.moveTo(x + size * 0.2, y + size * 0.52)
            path.lineTo(x + size * 0.42, y + size * 0.25)
            path.lineTo(x + size * 0.82, y + size * 0.8)
            c.drawPath(path, stroke=1, fill=0)
            c.setLineWidth(1)
            c.setLineCap(0)
            c.setLineJoin(0)

    def radio_mark(self, x: float, y: float, size: float) -> None:
        """A chosen radio button as the filed copy draws it: a ring with a dot."""
        c = self.c
        r = size / 2
        c.setStrokeColorRGB(*BORDER)
        c.setLineWidth(0.8)
        c.circle(x + r, y + r, r - 0.4, stroke=1, fill=0)
        c.setStrokeGray(0)
        c.circle(x + r, y + r, r * 0.45, stroke=0, fill=1)

    def radio(self, name: str, value: str, x: float, y: float, size: float,
              tooltip: str = "") -> None:
        chosen = self.value(name).lstrip("/") == value
        self.c.acroForm.radio(
            name=name, value=value, selected=chosen, buttonStyle="circle", shape="circle",
            x=x, y=y, size=size, borderColor=_rgb(BORDER), fillColor=_rgb(FORM_FILL),
            textColor=_rgb((0, 0, 0)), borderWidth=0.8, fieldFlags="noToggleToOff radio",
            tooltip=tooltip or None, forceBorder=True,
        )


def _rgb(rgb: tuple[float, float, float]) -> Any:
    from reportlab.lib.colors import Color

    return Color(*rgb)


# --------------------------------------------------------------------------- render


