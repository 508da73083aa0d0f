"""The text blocks of a layout (title, paragraph, rows, bullets, table, QR, spacing) and the
two text primitives every drawer uses; see ``layouts/README.md`` for the schema.

A drawer works on the cursor ``ctx.y``, asks ``ctx.ensure(h)`` before drawing something *h*
points tall that must not be split, and moves the cursor down past what it drew.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.render.fonts import BOLD, ITALIC, REGULAR, text_width
from pipeline.render.layout import display, lookup
from pipeline.render.page import Ctx, balanced, clean, wrap
from pipeline.render.qr import draw_qr
from pipeline.render.qr import side as qr_side

FONTS = {"regular": REGULAR, "bold": BOLD, "italic": ITALIC}
BOX_FILLS = {
    "plain": ((1, 1, 1), (0.3, 0.3, 0.3)),
    "note": ((1.0, 0.97, 0.86), (0.8, 0.62, 0.15)),
    "warning": ((1.0, 0.92, 0.92), (0.78, 0.16, 0.16)),
}


def text_line(ctx: Ctx, text: str, font: str, size: float, x: float, lead: float,
              align: str = "left", grey: float = 0.0) -> None:
    """One line of text at the cursor, the cursor moved down by *lead*."""
    ctx.draw_text(x, ctx.y - size, text, font, size, align, grey)
    ctx.y -= lead


def text_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """*text* wrapped to *width* in *font*, cleaned of what the font cannot draw."""
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
        text_line(ctx, line, BOLD, size, cx, size * 1.3, "center")
    if nomor:
        text_line(ctx, nomor, REGULAR, 10, cx, 13, "center")
    ctx.y -= 12




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
    paras = [text_lines(p, font, size, width) for p in text.split("\n")]
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
                text_line(ctx, line, font, size, ax, lead, align)
            else:
                text_line(ctx, line, font, size, x + pad, lead)
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
        llines = text_lines(label, REGULAR, size, lw - 4)
        vlines = text_lines(value, REGULAR, size, right - vx) if value else [""]
        ctx.ensure(max(len(llines), len(vlines)) * lead)
        top = ctx.y
        for line in llines:
            text_line(ctx, line, REGULAR, size, ctx.x0, lead)
        low = ctx.y
        ctx.y = top
        ctx.draw_text(ctx.x0 + lw, top - size, ":", REGULAR, size)
        for line in vlines:
            text_line(ctx, line, REGULAR, size, vx, lead)
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
        lines = text_lines(item, REGULAR, size, ctx.x1 - x - 16)
        ctx.ensure(len(lines) * lead)
        ctx.draw_text(x, ctx.y - size, marker, REGULAR, size)
        for line in lines:
            text_line(ctx, line, REGULAR, size, x + 16, lead)
        ctx.y -= 1.5
    ctx.y -= 5


def qr(ctx: Ctx, b: Mapping[str, Any]) -> None:
    text = ctx.tpl(b["text"])
    # the layout's size, or more: a longer text needs a higher version, and modules
    # smaller than qr.MODULE_MM are lost to a phone camera at 100 dpi
    size = max(float(b.get("size", 90)), qr_side(text))
    caption = text_lines(ctx.tpl(b["caption"]), REGULAR, 8, ctx.width) if "caption" in b else []
    ctx.ensure(size + len(caption) * 10 + 8)
    align = b.get("align", "center")
    x = {"left": ctx.x0, "right": ctx.x1 - size}.get(align, (ctx.x0 + ctx.x1 - size) / 2)
    draw_qr(ctx.c, text, x, ctx.y - size, size)
    ctx.y -= size + 2
    for line in caption:
        text_line(ctx, line, REGULAR, 8, x + size / 2, 10, "center")
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
