"""The drawing of each layout block type (see ``layouts/README.md`` for the schema).

Every drawer works on the cursor ``ctx.y`` (the top of the free space on the page),
asks ``ctx.ensure(h)`` before drawing something *h* points tall that must not be split,
and moves the cursor down past what it drew.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import Color

from pipeline.acroform import BORDER, FORM_FILL
from pipeline.fonts import BOLD, ITALIC, REGULAR, fit_size, text_width
from pipeline.layout import DECISION_VALUES, MissingValueError, choice_options, display, lookup
from pipeline.page import FIELD_FONT, GREY, Ctx, balanced, clean, is_checked, wrap
from pipeline.qr import draw_qr
from pipeline.qr import side as qr_side

FONTS = {"regular": REGULAR, "bold": BOLD, "italic": ITALIC}
BOX_FILLS = {
    "plain": ((1, 1, 1), (0.3, 0.3, 0.3)),
    "note": ((1.0, 0.97, 0.86), (0.8, 0.62, 0.15)),
    "warning": ((1.0, 0.92, 0.92), (0.78, 0.16, 0.16)),
}
FIELD_H = 17.0
LINE_H = 11.5  # one line of a multi-line box
DATE_HINT = "DD-MM-YYYY"


def draw_block(ctx: Ctx, block: Mapping[str, Any]) -> None:
    DRAWERS[block["type"]](ctx, block)


def _line(ctx: Ctx, text: str, font: str, size: float, x: float, lead: float,
          align: str = "left", grey: float = 0.0) -> None:
    ctx.draw_text(x, ctx.y - size, text, font, size, align, grey)
    ctx.y -= lead


def _lines(text: str, font: str, size: float, width: float) -> list[str]:
    return wrap(clean(text, font), font, size, width)


# --------------------------------------------------------------------------- text blocks


def title(ctx: Ctx, b: Mapping[str, Any]) -> None:
    size = float(b.get("size", 12.5))
    lines = balanced(clean(ctx.tpl(b["text"]).upper(), BOLD), BOLD, size, ctx.width * 0.86)
    nomor = ctx.tpl(b["nomor"]) if "nomor" in b else ""
    ctx.ensure(len(lines) * size * 1.3 + (14 if nomor else 0) + 60)
    ctx.y -= 2
    cx = (ctx.x0 + ctx.x1) / 2
    for line in lines:
        _line(ctx, line, BOLD, size, cx, size * 1.3, "center")
    if nomor:
        _line(ctx, nomor, REGULAR, 10, cx, 13, "center")
    ctx.y -= 12


def heading(ctx: Ctx, b: Mapping[str, Any]) -> None:
    size = float(b.get("size", 10.5))
    lines = _lines(ctx.tpl(b["text"]), BOLD, size, ctx.width)
    ctx.ensure(len(lines) * size * 1.3 + 7 + keep_height(ctx, ctx.next_block))
    ctx.y -= 4
    for line in lines:
        _line(ctx, line, BOLD, size, ctx.x0, size * 1.3)
    ctx.y -= 3


def paragraph(ctx: Ctx, b: Mapping[str, Any], text: str | None = None) -> None:
    size = float(b.get("size", 10))
    font = FONTS[b.get("style", "regular")]
    align = b.get("align", "left")
    box = b.get("box", "none")
    pad = 6.0 if box != "none" else 0.0
    span = float(b.get("width", 1)) * ctx.width
    x = ctx.x0 + float(b.get("indent", 0))
    lead = size * 1.35
    text = ctx.tpl(b["text"]) if text is None else text
    after = ctx.y  # where the block before ended
    beside = bool(b.get("beside")) and ctx.prev_start is not None \
        and ctx.prev_start[0] == ctx.page
    if beside and ctx.prev_start is not None:
        x = ctx.x1 - span  # at the right, level with the top of the block before
        ctx.y = ctx.prev_start[1]
    else:
        span = min(span, ctx.x1 - x)
    width = span - 2 * pad
    paras = [_lines(p, font, size, width) for p in text.split("\n")]
    if "max_lines" in b:
        paras = _at_most(paras, int(b["max_lines"]), font, size, width)
    count = sum(len(p) for p in paras)
    if box != "none":
        height = count * lead + 2 * pad - (lead - size) + 2
        if beside and ctx.y - height < ctx.bottom:  # no room beside: below instead
            beside, ctx.y, x = False, after, ctx.x0
        ctx.ensure(height)
        fill_rgb, stroke_rgb = BOX_FILLS[box]
        c = ctx.c
        c.setFillColorRGB(*fill_rgb)
        c.setStrokeColorRGB(*stroke_rgb)
        c.setLineWidth(0.8)
        c.rect(x, ctx.y - height, span, height, stroke=1, fill=1)
        c.setFillGray(0)
        c.setStrokeGray(0)
        ctx.y -= pad
    for para in paras:
        for i, line in enumerate(para):
            if box == "none":
                ctx.ensure(lead)
            last = i == len(para) - 1
            if align == "justify" and not last:
                ctx.justify(x + pad, ctx.y - size, line, font, size, width)
                ctx.y -= lead
            elif align in ("center", "right"):
                ax = x + pad + (width / 2 if align == "center" else width)
                _line(ctx, line, font, size, ax, lead, align)
            else:
                _line(ctx, line, font, size, x + pad, lead)
    ctx.y -= pad + (lead - size if box != "none" else 0) + 5
    if beside:  # what follows starts below both
        ctx.y = min(ctx.y, after)


def _at_most(paras: list[list[str]], limit: int, font: str, size: float, width: float
             ) -> list[list[str]]:
    """The wrapped paragraphs cut to *limit* lines in all, the last one ending in "…"."""
    if sum(len(p) for p in paras) <= limit:
        return paras
    kept: list[list[str]] = []
    left = limit
    for para in paras:
        if left == 0:
            break
        kept.append(para[:left])
        left -= len(kept[-1])
    last = kept[-1][-1].rstrip()
    while last and text_width(last + " …", font, size) > width:
        last = last[:-1].rstrip()
    kept[-1][-1] = f"{last} …" if last else "…"
    return kept


def rows(ctx: Ctx, b: Mapping[str, Any]) -> None:
    size = float(b.get("size", 10))
    lead = size * 1.35
    pairs: list[tuple[str, str]] = []
    for row in b.get("rows", []):
        if isinstance(row, list):
            pairs.append((ctx.tpl(row[0]), ctx.tpl(row[1])))
        elif ctx.shown(row):
            pairs.append((ctx.tpl(row["label"]), ctx.tpl(row["value"])))
    if "source" in b:
        src = lookup(ctx.data, b["source"], None) or []
        items = src.items() if isinstance(src, Mapping) else src
        for item in items:
            if isinstance(item, Mapping):  # {"label": .., "value": ..} or any two values
                values = list(item.values())
                item = (item.get("label", values[0] if values else ""),
                        item.get("value", values[1] if len(values) > 1 else ""))
            label, value = item
            pairs.append((display(label), display(value)))
    lw = float(b.get("label_width", 150 if ctx.W < ctx.H else 200))
    vx = ctx.x0 + lw + 10
    right = ctx.x0 + float(b.get("width", 1)) * ctx.width
    for label, value in pairs:
        llines = _lines(label, REGULAR, size, lw - 4)
        vlines = _lines(value, REGULAR, size, right - vx) if value else [""]
        ctx.ensure(max(len(llines), len(vlines)) * lead)
        top = ctx.y
        for line in llines:
            _line(ctx, line, REGULAR, size, ctx.x0, lead)
        low = ctx.y
        ctx.y = top
        ctx.draw_text(ctx.x0 + lw, top - size, ":", REGULAR, size)
        for line in vlines:
            _line(ctx, line, REGULAR, size, vx, lead)
        ctx.y = min(low, ctx.y)
    ctx.y -= 6


def bullets(ctx: Ctx, b: Mapping[str, Any]) -> None:
    items = [display(x) for x in (lookup(ctx.data, b["source"], None) or [])]
    if not items and "empty" not in b:
        return
    size = float(b.get("size", 10))
    if "intro" in b:
        paragraph(ctx, {"size": size}, ctx.tpl(b["intro"]))
        ctx.y += 3
    if not items:
        paragraph(ctx, {"size": size, "style": "italic"}, ctx.tpl(b["empty"]))
        return
    style = b.get("list_style", "bullet")
    x = ctx.x0 + float(b.get("indent", 14))
    lead = size * 1.35
    for n, item in enumerate(items, 1):
        marker = {"bullet": "•", "number": f"{n}.", "letter": f"{chr(96 + (n - 1) % 26 + 1)}."}[
            style]
        lines = _lines(item, REGULAR, size, ctx.x1 - x - 16)
        ctx.ensure(len(lines) * lead)
        ctx.draw_text(x, ctx.y - size, marker, REGULAR, size)
        for line in lines:
            _line(ctx, line, REGULAR, size, x + 16, lead)
        ctx.y -= 1.5
    ctx.y -= 5


# --------------------------------------------------------------------------- form parts


def checklist(ctx: Ctx, b: Mapping[str, Any]) -> None:
    if "title" in b:
        heading(ctx, {"text": b["title"]})
    size = float(b.get("size", 10))
    lead = size * 1.35
    box = 11.0
    tx = ctx.x0 + box + 9
    # the filed copy also says the answer in words, as its other yes/no values print: a tick
    # alone is no text to search, and a faint one is lost on a photocopy
    answer = 0.0 if ctx.form else text_width("TIDAK", BOLD, size) + 12
    items = b["items"] if "items" in b else lookup(ctx.data, b.get("source", ""), None) or []
    for item in items:
        label = ctx.tpl(item["label"])
        lines = _lines(label, REGULAR, size, ctx.x1 - tx - answer)
        hint = _lines(ctx.tpl(item["hint"]), ITALIC, 8, ctx.x1 - tx) if "hint" in item else []
        ctx.ensure(len(lines) * lead + len(hint) * 10.5 + 4)
        ctx.checkbox(item["field"], ctx.x0 + 2, ctx.y - size - 1.5, box,
                     tooltip=clean(label, "Helvetica"))
        top = ctx.y
        for line in lines:
            _line(ctx, line, REGULAR, size, tx, lead)
        if answer:  # drawn after the label, so the text reads "label YA"
            ctx.draw_text(ctx.x1, top - size, display(is_checked(ctx.fields.get(
                item["field"]))), BOLD, size, "right")
        for line in hint:
            _line(ctx, line, ITALIC, 8, tx, 10.5, grey=GREY)
        ctx.y -= 5
    ctx.y -= 4


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
    return False, _lines(cell.hint, ITALIC, HINT_SIZE, field_w)


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
                labels = _lines(cell.label, REGULAR, 9, label_w - 6)
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
                for line in _lines(cell.label, REGULAR, 9, label_w - 6):
                    _line(ctx, line, REGULAR, 9, x, 11.5)
                bw = w - label_w
                bh = _cell_box(ctx, cell, bw)
                beside, hint = _left_hint(cell, label_w, bw)
                if not beside:
                    ctx.y = top - bh - 4
                for line in hint:
                    _line(ctx, line, ITALIC, HINT_SIZE, x if beside else x + label_w, HINT_LEAD,
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


def table(ctx: Ctx, b: Mapping[str, Any]) -> None:
    try:
        data_rows = lookup(ctx.data, b["source"])
    except KeyError:
        raise MissingValueError(
            f"{ctx.where()}: the data has no list '{b['source']}' for the table", b["source"]
        ) from None
    data_rows = list(data_rows or [])
    if "title" in b:
        heading(ctx, {"text": b["title"]})
    size = float(b.get("size", 9))
    lead = size * 1.3
    cols = b["columns"]
    given = sum(float(c.get("width", 0)) for c in cols)
    free = [c for c in cols if "width" not in c]
    share = max(0.0, 1 - given) / len(free) if free else 0
    total = given + share * len(free)
    widths = [ctx.width * float(c.get("width", share)) / total for c in cols]
    xs = [ctx.x0 + sum(widths[:i]) for i in range(len(cols))]

    def fitted(text: str, font: str, width: float) -> tuple[float, list[str]]:
        """A cell's size and lines: shrunk (to 6 pt) so no single word is cut."""
        text = clean(text, font)
        longest = max(text.split(), key=lambda w: text_width(w, font, size), default="")
        s = fit_size(longest, font, size, width, 6) if longest else size
        return s, wrap(text, font, s, width)

    def height_of(cells: list[str], font: str) -> float:
        fits = [fitted(t, font, w - 6) for t, w in zip(cells, widths, strict=True)]
        return max(len(lines) * sz * 1.3 for sz, lines in fits) + 5

    def draw_row(cells: list[str], font: str, shade: bool) -> None:
        fits = [fitted(t, font, w - 6) for t, w in zip(cells, widths, strict=True)]
        h = height_of(cells, font)
        c = ctx.c
        if shade:
            c.setFillGray(0.9)
            c.rect(ctx.x0, ctx.y - h, ctx.width, h, stroke=0, fill=1)
            c.setFillGray(0)
        c.setStrokeGray(0.45)
        c.setLineWidth(0.5)
        for x, w in zip(xs, widths, strict=True):
            c.rect(x, ctx.y - h, w, h, stroke=1, fill=0)
        c.setStrokeGray(0)
        for x, w, col, (sz, cl) in zip(xs, widths, cols, fits, strict=True):
            align = col.get("align", "left")
            ax = {"left": x + 3, "center": x + w / 2, "right": x + w - 3}.get(align, x + 3)
            y = ctx.y - 2.5
            for line in cl:
                ctx.draw_text(ax, y - sz, line, font, sz,
                              align if align in ("center", "right") else "left")
                y -= sz * 1.3
        ctx.y -= h

    header = [ctx.tpl(c["title"]) for c in cols]
    ctx.ensure(height_of(header, BOLD) + lead + 9)
    draw_row(header, BOLD, True)
    if not data_rows:
        text = ctx.tpl(b.get("empty", "Tidak ada data."))
        lines = _lines(text, ITALIC, size, ctx.width - 6)
        h = len(lines) * lead + 5
        ctx.c.setStrokeGray(0.45)
        ctx.c.setLineWidth(0.5)
        ctx.c.rect(ctx.x0, ctx.y - h, ctx.width, h, stroke=1, fill=0)
        ctx.c.setStrokeGray(0)
        ctx.y -= 2.5
        for line in lines:
            _line(ctx, line, ITALIC, size, ctx.x0 + 3, lead)
        ctx.y -= 2.5
    for n, row in enumerate(data_rows, 1):
        cells = []
        for i, col in enumerate(cols):
            if col["key"] == "#":
                cells.append(str(n))
            elif isinstance(row, Mapping):
                cells.append(display(row.get(col["key"])) or "-")
            elif isinstance(row, list | tuple):
                cells.append((display(row[i]) if i < len(row) else "") or "-")
            else:
                cells.append(display(row) if i == 0 else "-")
        page = ctx.page
        ctx.ensure(height_of(cells, REGULAR))
        if ctx.page != page:
            draw_row(header, BOLD, True)
        draw_row(cells, REGULAR, False)
    ctx.y -= 8


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
                head += _lines(ctx.tpl(p[key]), REGULAR, SIG_SIZE, colw - 10)
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
            _line(ctx, line, REGULAR, size, cx, lead, "center")
        ctx.y = top - head_n * lead
        if "mark" in p:
            mark_lines = _lines(ctx.tpl(p["mark"]), ITALIC, 7.5, colw - 20)
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
            _line(ctx, f"NIP. {ctx.tpl(p['nip'])}", REGULAR, size, cx, lead, "center")
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


def qr(ctx: Ctx, b: Mapping[str, Any]) -> None:
    text = ctx.tpl(b["text"])
    # the layout's size, or more: a longer text needs a higher version, and modules
    # smaller than qr.MODULE_MM are lost to a phone camera at 100 dpi
    size = max(float(b.get("size", 90)), qr_side(text))
    caption = _lines(ctx.tpl(b["caption"]), REGULAR, 8, ctx.width) if "caption" in b else []
    ctx.ensure(size + len(caption) * 10 + 8)
    align = b.get("align", "center")
    x = {"left": ctx.x0, "right": ctx.x1 - size}.get(align, (ctx.x0 + ctx.x1 - size) / 2)
    draw_qr(ctx.c, text, x, ctx.y - size, size)
    ctx.y -= size + 2
    for line in caption:
        _line(ctx, line, REGULAR, 8, x + size / 2, 10, "center")
    ctx.y -= 10


def spacer(ctx: Ctx, b: Mapping[str, Any]) -> None:
    ctx.y -= float(b.get("height", 10))


def rule(ctx: Ctx, b: Mapping[str, Any]) -> None:
    ctx.ensure(10)
    ctx.c.setLineWidth(0.5)
    ctx.c.line(ctx.x0, ctx.y - 4, ctx.x1, ctx.y - 4)
    ctx.y -= 10


def pagebreak(ctx: Ctx, b: Mapping[str, Any]) -> None:
    if ctx.y < ctx.content_top - 0.5:
        ctx.new_page()


DRAWERS: dict[str, Callable[[Ctx, Mapping[str, Any]], None]] = {
    "title": title, "heading": heading, "paragraph": paragraph, "rows": rows,
    "checklist": checklist, "inputs": inputs, "members": members, "table": table,
    "bullets": bullets, "decision": decision, "signature": signature, "qr": qr,
    "spacer": spacer, "rule": rule, "pagebreak": pagebreak,
}
