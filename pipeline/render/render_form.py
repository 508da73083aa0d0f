"""The form parts of a layout: field grids (inputs, members), the decision and the
signature blocks, and `keep_height`: how much of a block must follow on the page of what
precedes it (a heading kept with its grid, a decision with its signature), measured by the
same plans that draw them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import Color

from pipeline.render.acroform import BORDER, FORM_FILL
from pipeline.render.fonts import BOLD, ITALIC, REGULAR, fit_size, text_width
from pipeline.render.layout import DECISION_VALUES, choice_options
from pipeline.render.page import FIELD_FONT, GREY, Ctx, clean
from pipeline.render.render_text import text_line, text_lines

FIELD_H = 17.0
LINE_H = 11.5  # one line of a multi-line box
DATE_HINT = "DD-MM-YYYY"


@dataclass
class Cell:
    field: str
    label: str
    kind: str = "text"
    lines: int = 3
    hint: str = ""
    span: int = 1
    maxlen: int | None = None
    options: tuple[str, ...] = ()  # kind "choice": the values offered


def _cells(ctx: Ctx, items: list[Mapping[str, Any]], key: str, prefix: str = "",
           extra: Mapping[str, Any] | None = None) -> list[Cell]:
    """Grid cells for *items*; each field is named *prefix* + item[*key*]."""
    out = []
    for it in items:
        kind = it.get("kind", "text")
        hint = ctx.tpl(it["hint"], extra) if "hint" in it else (DATE_HINT if kind == "date"
                                                                 else "")
        maxlen = it.get("maxlen", 10 if kind == "date" else None)
        out.append(Cell(prefix + it[key], ctx.tpl(it["label"], extra), kind,
                        int(it.get("lines", 3)), hint, int(it.get("span", 1)), maxlen))
        if kind == "choice":
            out[-1].options = choice_options(it["options"])
    return out


def _pack(cells: list[Cell], columns: int) -> list[list[tuple[Cell, int]]]:
    """Cells into rows of *columns*; each cell with the column it starts in."""
    grid: list[list[tuple[Cell, int]]] = [[]]
    col = 0
    for cell in cells:
        span = max(1, min(cell.span, columns))
        if col + span > columns:
            grid.append([])
            col = 0
        grid[-1].append((cell, col))
        col += span
    return [row for row in grid if row]


def _cell_box(ctx: Ctx, cell: Cell, width: float) -> float:
    h = cell.lines * LINE_H + 6 if cell.kind == "multiline" else FIELD_H
    return ctx.box_height(cell.field, width, h, cell.kind == "multiline")


HINT_SIZE, HINT_LEAD = 7.5, 10.0


def _left_hint(cell: Cell, label_w: float, field_w: float) -> tuple[bool, list[str]]:
    """Where a left-labelled cell's hint goes: under the label when one line there holds
    it (True), else wrapped under the field, in the field's column, never beneath it."""
    if not cell.hint:
        return True, []
    one = f"({cell.hint})"
    if text_width(clean(one, ITALIC), ITALIC, HINT_SIZE) <= label_w - 6:
        return True, [one]
    return False, text_lines(cell.hint, ITALIC, HINT_SIZE, field_w)


def _hint_h(lines: list[str]) -> float:
    return 3 + HINT_LEAD * len(lines) if lines else 0.0


def _grid_height(ctx: Ctx, rows_: list[list[tuple[Cell, int]]], columns: int, above: bool,
                 label_w: float) -> list[float]:
    colw = ctx.width / columns
    heights = []
    for row in rows_:
        h = 0.0
        for cell, _ in row:
            w = colw * max(1, min(cell.span, columns)) - 8
            if above:
                h = max(h, 11 + _cell_box(ctx, cell, w))
            else:
                labels = text_lines(cell.label, REGULAR, 9, label_w - 6)
                box = _cell_box(ctx, cell, w - label_w)
                beside, hint = _left_hint(cell, label_w, w - label_w)
                left = len(labels) * 11.5 + (HINT_LEAD * len(hint) if beside else 0)
                h = max(h, left, box + 1 + (0 if beside else _hint_h(hint)))
        heights.append(h + 5)
    return heights


def _grid(ctx: Ctx, cells: list[Cell], columns: int, above: bool, label_frac: float,
          keep: bool = False) -> None:
    rows_ = _pack(cells, columns)
    colw = ctx.width / columns
    label_w = label_frac * colw if label_frac <= 1 else label_frac
    heights = _grid_height(ctx, rows_, columns, above, label_w)
    if keep:
        ctx.ensure(sum(heights))
    for row, h in zip(rows_, heights, strict=True):
        ctx.ensure(h)
        top = ctx.y
        for cell, col in row:
            x = ctx.x0 + col * colw
            w = colw * max(1, min(cell.span, columns)) - 8
            tip = clean(f"{cell.label} ({cell.hint})" if cell.hint else cell.label, "Helvetica")
            multiline = cell.kind == "multiline"
            if above:
                size = fit_size(clean(cell.label, BOLD), BOLD, 7.5, w, 5.5)
                ctx.draw_text(x, top - 7.5, cell.label, BOLD, size)
                used = text_width(clean(cell.label, BOLD), BOLD, size) + 4
                if cell.hint and used + 20 < w:
                    hs = fit_size(clean(cell.hint, ITALIC), ITALIC, 6.5, w - used, 4.5)
                    if text_width(clean(cell.hint, ITALIC), ITALIC, hs) <= w - used:
                        ctx.draw_text(x + used, top - 7.5, cell.hint, ITALIC, hs, grey=GREY)
                bh = _cell_box(ctx, cell, w)
                if cell.kind == "choice":
                    choice_field(ctx, cell, x, top - 11 - bh, w, bh, tip)
                    continue
                ctx.text_field(cell.field, x, top - 11 - bh, w, bh, multiline=multiline,
                               tooltip=tip, maxlen=cell.maxlen)
            else:
                ctx.y = top
                for line in text_lines(cell.label, REGULAR, 9, label_w - 6):
                    text_line(ctx, line, REGULAR, 9, x, 11.5)
                bw = w - label_w
                bh = _cell_box(ctx, cell, bw)
                beside, hint = _left_hint(cell, label_w, bw)
                if not beside:
                    ctx.y = top - bh - 4
                for line in hint:
                    text_line(ctx, line, ITALIC, HINT_SIZE, x if beside else x + label_w, HINT_LEAD,
                          grey=GREY)
                if cell.kind == "choice":
                    choice_field(ctx, cell, x + label_w, top - bh - 1, bw, bh, tip)
                    continue
                ctx.text_field(cell.field, x + label_w, top - bh - 1, bw, bh,
                               multiline=multiline, tooltip=tip, maxlen=cell.maxlen)
        ctx.y = top - h
    ctx.y -= 4


def choice_field(ctx: Ctx, cell: Cell, x: float, y: float, w: float, h: float,
                 tooltip: str) -> None:
    """A drop-down list (combo box, not editable) of *cell*'s options, lower-left at (x, y).

    The first entry is blank, so a member row left unused stays empty. A value that is
    not among the options (data typed before, or by `kkwna enter`) is offered too, so
    the form shows what was recorded rather than losing it; validation names it.
    The filed copy draws the chosen value like a text box.
    """
    if not ctx.form:
        ctx.text_field(cell.field, x, y, w, h, tooltip=tooltip)
        return
    value = ctx.value(cell.field)
    options = ["", *cell.options]
    if value not in options:
        options.append(value)
    longest = max(options, key=lambda o: text_width(o, FIELD_FONT, 9))
    # the viewer draws the drop-down arrow (about a box height wide) inside the box
    size = int(fit_size(longest, FIELD_FONT, min(9, h * 0.6), w - h - 4, 5))
    ctx.c.acroForm.choice(
        # a list: reportlab fails on a plain "" value (and marks index 0 chosen for it)
        name=cell.field, value=[value], options=options, x=x, y=y, width=w, height=h,
        fontName=FIELD_FONT, fontSize=size, borderColor=Color(*BORDER),
        fillColor=Color(*FORM_FILL), textColor=Color(0, 0, 0), borderWidth=0.6,
        fieldFlags="combo", tooltip=tooltip or None,
    )
    ctx.outline(x, y, w, h)


def inputs(ctx: Ctx, b: Mapping[str, Any]) -> None:
    columns = int(b.get("columns", 1))
    above = b.get("labels", "left" if columns == 1 else "above") == "above"
    cells = _cells(ctx, b["items"], "field")
    _grid(ctx, cells, columns, above, float(b.get("label_width", 0.36)))


def members(ctx: Ctx, b: Mapping[str, Any]) -> None:
    prefix = b.get("prefix", "a")
    columns = int(b.get("columns", 4))
    for n in range(1, int(b.get("count", 10)) + 1):
        extra = {"n": n}
        cells = _cells(ctx, b["keys"], "key", f"{prefix}{n}_", extra)
        if (not ctx.form and n > 1 and b.get("skip_empty_filed", True)
                and not any(ctx.value(cell.field) for cell in cells)):
            continue
        ctx.ensure(_member_height(ctx, cells, columns))
        c = ctx.c
        c.setFillGray(0.88)
        c.setStrokeGray(0.55)
        c.setLineWidth(0.5)
        c.rect(ctx.x0, ctx.y - 15, ctx.width, 15, stroke=1, fill=1)
        c.setFillGray(0)
        c.setStrokeGray(0)
        text = ctx.tpl(b.get("title", "ANGGOTA KELUARGA KE-{n}"), extra)
        ctx.draw_text(ctx.x0 + 5, ctx.y - 11, text, BOLD, 9)
        ctx.y -= 21
        _grid(ctx, cells, columns, True, 0)
        ctx.y -= 5


def _member_height(ctx: Ctx, cells: list[Cell], columns: int) -> float:
    return sum(_grid_height(ctx, _pack(cells, columns), columns, True, 0)) + 26


# --------------------------------------------------------------------------- decision


def decision(ctx: Ctx, b: Mapping[str, Any]) -> None:
    labels = {"setuju": b.get("setuju", "Setuju / diteruskan"),
              "kembalikan": b.get("kembalikan", "Dikembalikan")}
    pad = 8.0
    x, w = ctx.x0, ctx.width
    inner = w - 2 * pad
    half = (inner - 10) / 2
    note_h = _note_height(ctx)
    height = _decision_height(ctx)
    nb = ctx.next_block
    ctx.ensure(height + 4 + (keep_height(ctx, nb) + 6 if nb and nb["type"] == "signature" else 0))
    ctx.y -= 4
    c = ctx.c
    top = ctx.y
    c.setFillGray(0.88)
    c.rect(x, top - 16, w, 16, stroke=0, fill=1)
    c.setFillGray(0)
    c.setLineWidth(0.9)
    c.rect(x, top - height, w, height, stroke=1, fill=0)
    ctx.draw_text(x + pad, top - 11.5, ctx.tpl(b.get("title", "KEPUTUSAN PETUGAS")), BOLD, 9.5)
    y = top - 18 - 16
    ix = x + pad
    ctx.draw_text(ix, y + 2, ctx.tpl(b.get("keputusan", "Keputusan:")), BOLD, 9.5)
    rx = ix + 80
    chosen = ctx.value("keputusan").lstrip("/")
    if ctx.form:
        for value in DECISION_VALUES:
            text = ctx.tpl(labels[value])
            ctx.radio("keputusan", value, rx, y, 11, tooltip=clean(text, "Helvetica"))
            ctx.draw_text(rx + 16, y + 2, text, REGULAR, 9.5)
            rx += 16 + text_width(clean(text, REGULAR), REGULAR, 9.5) + 28
    elif chosen in labels:
        ctx.radio_mark(rx, y, 11)
        ctx.draw_text(rx + 16, y + 2, ctx.tpl(labels[chosen]), BOLD, 9.5)
    else:
        ctx.draw_text(rx, y + 2, "-", REGULAR, 9.5)
    y -= 14
    catatan = "Catatan / alasan (wajib diisi bila dikembalikan):"
    ctx.draw_text(ix, y, ctx.tpl(b.get("catatan", catatan)), REGULAR, 8.5)
    y -= 4 + note_h
    ctx.text_field("catatan", ix, y, inner, note_h, multiline=True,
                   tooltip="Catatan atau alasan pengembalian", maxlen=None)
    y -= 12
    ctx.draw_text(ix, y, ctx.tpl(b.get("nama", "Nama petugas")), REGULAR, 8.5)
    ctx.draw_text(ix + half + 10, y, ctx.tpl(b.get("nip", "NIP")), REGULAR, 8.5)
    y -= 4 + FIELD_H
    ctx.text_field("petugas_nama", ix, y, half, FIELD_H, tooltip="Nama petugas")
    ctx.text_field("petugas_nip", ix + half + 10, y, half, FIELD_H,
                   tooltip="NIP petugas (18 angka)", maxlen=30)
    ctx.y = top - height - 6


def _note_height(ctx: Ctx) -> float:
    """The remark box: room for three lines (two on a wide landscape page) to write in;
    on the filed copy as tall as its text."""
    lines = (3 if ctx.W < ctx.H else 2) if ctx.form else 1
    return ctx.box_height("catatan", ctx.width - 16, lines * LINE_H + 6, True)


def _decision_height(ctx: Ctx) -> float:
    return 18 + 22 + 14 + _note_height(ctx) + 8 + 12 + FIELD_H + 8


# --------------------------------------------------------------------------- signature, QR


SIG_SIZE, SIG_LEAD = 10.0, 13.0


def _signature_plan(ctx: Ctx, b: Mapping[str, Any]
                    ) -> tuple[list[tuple[list[str], Mapping[str, Any]]], list[float], float,
                               str, int, float]:
    parties = [p for p in b["parties"] if ctx.shown(p)]
    n = len(parties)
    if n == 1:
        lefts, colw = [ctx.x0 + ctx.width * 0.5], ctx.width * 0.5
    else:
        colw = ctx.width / max(n, 1)
        lefts = [ctx.x0 + i * colw for i in range(n)]
    place = ctx.tpl(b["place_date"]) if "place_date" in b and parties else ""
    cols = []
    for p in parties:
        head = []
        for key in ("label", "role"):
            if key in p:
                head += text_lines(ctx.tpl(p[key]), REGULAR, SIG_SIZE, colw - 10)
        cols.append((head, p))
    head_n = max((len(h) for h, _ in cols), default=0) + (1 if place else 0)
    space = float(b.get("space", 48))
    height = head_n * SIG_LEAD + space + 2 * SIG_LEAD + 6 if parties else 0
    return cols, lefts, colw, place, head_n, height


def signature(ctx: Ctx, b: Mapping[str, Any]) -> None:
    cols, lefts, colw, place, head_n, height = _signature_plan(ctx, b)
    if not cols:
        return
    size, lead = SIG_SIZE, SIG_LEAD
    space = float(b.get("space", 48))
    ctx.ensure(height)
    ctx.y -= 4
    top = ctx.y
    n = len(cols)
    for i, ((head, p), left) in enumerate(zip(cols, lefts, strict=True)):
        cx = left + colw / 2
        ctx.y = top
        lines = ([place] if place and i == n - 1 else [""] * (1 if place else 0)) + head
        for line in lines:
            text_line(ctx, line, REGULAR, size, cx, lead, "center")
        ctx.y = top - head_n * lead
        if "mark" in p:
            mark_lines = text_lines(ctx.tpl(p["mark"]), ITALIC, 7.5, colw - 20)
            my = ctx.y - (space - len(mark_lines) * 9.5) / 2
            for line in mark_lines:
                ctx.draw_text(cx, my - 7.5, line, ITALIC, 7.5, "center", grey=GREY)
                my -= 9.5
        ctx.y -= space
        name = clean(ctx.tpl(p["name"]), BOLD)
        nsize = fit_size(name, BOLD, size, colw - 10, 7)
        ctx.draw_text(cx, ctx.y - size, name, BOLD, nsize, "center")
        nw = text_width(name, BOLD, nsize)
        ctx.c.setLineWidth(0.6)
        ctx.c.line(cx - nw / 2, ctx.y - size - 1.5, cx + nw / 2, ctx.y - size - 1.5)
        ctx.y -= lead
        if "nip" in p:
            text_line(ctx, f"NIP. {ctx.tpl(p['nip'])}", REGULAR, size, cx, lead, "center")
    ctx.y = top - height + 4


def keep_height(ctx: Ctx, b: Mapping[str, Any] | None) -> float:
    """How much of block *b* must follow on the same page as what precedes it
    (a heading is kept with it; a decision with the signature after it)."""
    if b is None:
        return 0.0
    kind = b["type"]
    if kind == "members":
        extra = {"n": 1}
        prefix = b.get("prefix", "a")
        cells = _cells(ctx, b["keys"], "key", f"{prefix}1_", extra)
        return _member_height(ctx, cells, int(b.get("columns", 4)))
    if kind == "decision":
        return _decision_height(ctx) + 4
    if kind == "signature":
        return _signature_plan(ctx, b)[-1]
    if kind in ("table", "inputs", "checklist"):
        return 60.0
    return 30.0
