"""The drawing of each layout block type (see ``layouts/README.md`` for the schema): the
table of drawers, the text blocks (`render_text`), the form parts (`render_form`), and the
heading and the blocks that open with one (checklist, table): a heading keeps what follows
it on its page (`render_form.keep_height`).

Every drawer works on the cursor ``ctx.y`` (the top of the free space on the page),
asks ``ctx.ensure(h)`` before drawing something *h* points tall that must not be split,
and moves the cursor down past what it drew.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pipeline.render.fonts import BOLD, ITALIC, REGULAR, fit_size, text_width
from pipeline.render.layout import MissingValueError, display, lookup
from pipeline.render.page import GREY, Ctx, clean, is_checked, wrap
from pipeline.render.render_form import decision, inputs, keep_height, members, signature
from pipeline.render.render_text import (
    bullets,
    pagebreak,
    paragraph,
    qr,
    rows,
    rule,
    spacer,
    text_line,
    text_lines,
    title,
)


def draw_block(ctx: Ctx, block: Mapping[str, Any]) -> None:
    DRAWERS[block["type"]](ctx, block)


def heading(ctx: Ctx, b: Mapping[str, Any]) -> None:
    size = float(b.get("size", 10.5))
    lines = text_lines(ctx.tpl(b["text"]), BOLD, size, ctx.width)
    ctx.ensure(len(lines) * size * 1.3 + 7 + keep_height(ctx, ctx.next_block))
    ctx.y -= 4
    for line in lines:
        text_line(ctx, line, BOLD, size, ctx.x0, size * 1.3)
    ctx.y -= 3




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
        lines = text_lines(label, REGULAR, size, ctx.x1 - tx - answer)
        hint = text_lines(ctx.tpl(item["hint"]), ITALIC, 8, ctx.x1 - tx) if "hint" in item else []
        ctx.ensure(len(lines) * lead + len(hint) * 10.5 + 4)
        ctx.checkbox(item["field"], ctx.x0 + 2, ctx.y - size - 1.5, box,
                     tooltip=clean(label, "Helvetica"))
        top = ctx.y
        for line in lines:
            text_line(ctx, line, REGULAR, size, tx, lead)
        if answer:  # drawn after the label, so the text reads "label YA"
            ctx.draw_text(ctx.x1, top - size, display(is_checked(ctx.fields.get(
                item["field"]))), BOLD, size, "right")
        for line in hint:
            text_line(ctx, line, ITALIC, 8, tx, 10.5, grey=GREY)
        ctx.y -= 5
    ctx.y -= 4


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
        lines = text_lines(text, ITALIC, size, ctx.width - 6)
        h = len(lines) * lead + 5
        ctx.c.setStrokeGray(0.45)
        ctx.c.setLineWidth(0.5)
        ctx.c.rect(ctx.x0, ctx.y - h, ctx.width, h, stroke=1, fill=0)
        ctx.c.setStrokeGray(0)
        ctx.y -= 2.5
        for line in lines:
            text_line(ctx, line, ITALIC, size, ctx.x0 + 3, lead)
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


DRAWERS: dict[str, Callable[[Ctx, Mapping[str, Any]], None]] = {
    "title": title, "heading": heading, "paragraph": paragraph, "rows": rows,
    "checklist": checklist, "inputs": inputs, "members": members, "table": table,
    "bullets": bullets, "decision": decision, "signature": signature, "qr": qr,
    "spacer": spacer, "rule": rule, "pagebreak": pagebreak,
}
