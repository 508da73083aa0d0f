"""Draw a layout and its data into a PDF: a live desk form, or the filed (flattened) copy.

``render`` is the one entry point: it draws each block (``render_blocks``) on the pages of
one drawing pass (``page``), appends an attached document and saves the result.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pikepdf
from reportlab.lib.utils import ImageReader

from pipeline import clock
from pipeline.acroform import finish_form
from pipeline.attachment import append_pages, stamp_footers
from pipeline.fonts import new_canvas
from pipeline.fsutil import atomic_write_bytes
from pipeline.layout import (
    BUILTIN_LAYOUTS,
    Layout,
    LayoutError,
    condition,
    load_layout,
    lookup,
)
from pipeline.letterhead import load_emblem
from pipeline.page import OFFICE_ZONE, Ctx, Mode, RenderError, clean, fit_box, is_checked, wrap
from pipeline.pdfa import save_pdfa
from pipeline.render_blocks import draw_block

__all__ = ["LayoutError", "RenderError", "clean", "fit_box", "is_checked", "render", "wrap"]


def _with_defaults(data: Mapping[str, Any], case_id: str, step: int) -> dict[str, Any]:
    out = dict(data)
    out.setdefault("kasus", case_id)
    out.setdefault("langkah", str(step))
    if "judul" in out:  # the applicant as documents name them: the title until known
        out.setdefault("pemohon", out["judul"])
    if "tanggal" not in out:
        out["tanggal"] = clock.now(ZoneInfo(OFFICE_ZONE)).date()
    day = out["tanggal"]
    if "tahun" not in out:
        year = re.search(r"(\d{4})\s*$", day) if isinstance(day, str) else None
        out["tahun"] = (str(day.year) if isinstance(day, dt.date) else year.group(1) if year
                        else str(clock.now(ZoneInfo(OFFICE_ZONE)).year))
    return out


def _draw(layout: Layout, data: Mapping[str, Any], mode: Mode, case_id: str, step: int,
          total_pages: int, emblem: ImageReader | None
          ) -> tuple[bytes, int, dict[str, str], str]:

    buf = io.BytesIO()
    c = new_canvas(buf, layout.pagesize, "")
    ctx = Ctx(c, layout, data, mode, case_id, step, total_pages, emblem)
    c.setTitle(ctx.title)
    c.setSubject(f"{case_id}, langkah {step}")
    shown = [(i, b) for i, b in enumerate(layout.blocks) if condition(data, b, mode)]
    ctx.start_page()
    for k, (i, block) in enumerate(shown):
        ctx.block_index = i
        ctx.next_block = shown[k + 1][1] if k + 1 < len(shown) else None
        ctx.prev_start, ctx.block_start = ctx.block_start, (ctx.page, ctx.y)
        draw_block(ctx, block)
    ctx.block_index = None
    ctx.end_page()
    c.save()
    return buf.getvalue(), ctx.page, ctx.fix_values, ctx.title


def render(layout: str, data: Mapping[str, Any], out: Path, *, mode: Literal["form", "filed"],
           case_id: str, step: int, layout_dirs: Sequence[Path],
           attach: Path | None = None) -> Path:
    """Draw *layout* filled from *data* into *out* and return *out*.

    ``mode="form"``: a fillable AcroForm desk form (fields ``kasus``, ``langkah``, the
    layout's own, and the decision section), written atomically.
    ``mode="filed"``: every value drawn as text, no fields or annotations, saved as
    validated PDF/A-2b. *attach*: a PDF whose pages follow the rendered ones.
    """
    if mode not in ("form", "filed"):
        raise ValueError(f"mode must be 'form' or 'filed', not {mode!r}")
    dirs = [Path(d) for d in layout_dirs]
    if BUILTIN_LAYOUTS not in dirs:
        dirs.append(BUILTIN_LAYOUTS)
    lay = load_layout(layout, dirs)
    full = _with_defaults(data, case_id, step)
    out = Path(out)
    with contextlib.ExitStack() as stack:
        # the source stays open until the result is saved: pikepdf copies lazily
        extra = stack.enter_context(_open_attachment(Path(attach))) if attach else None
        attached = len(extra.pages) if extra is not None else 0
        emblem = _emblem(lay, full)
        _, pages, _, _ = _draw(lay, full, mode, case_id, step, 0, emblem)
        pdf_bytes, _, fix, title = _draw(lay, full, mode, case_id, step, pages + attached,
                                         emblem)
        pdf = stack.enter_context(pikepdf.open(io.BytesIO(pdf_bytes)))
        for page in pdf.pages:
            if "/Trans" in page.obj:
                del page.obj["/Trans"]
        if extra is not None:
            append_pages(pdf, extra)
            stamp_footers(pdf, pages, case_id, stack)
        if mode == "form":
            finish_form(pdf, fix)
            buf = io.BytesIO()
            pdf.save(buf)
            atomic_write_bytes(out, buf.getvalue())
        else:
            if "/AcroForm" in pdf.Root:
                del pdf.Root["/AcroForm"]
            save_pdfa(pdf, out, title, subject=f"{case_id}, langkah {step}")
    return out


def _emblem(layout: Layout, data: Mapping[str, Any]) -> ImageReader | None:
    """The image at the left of the letterhead: the layout's own ``kop.logo``, else
    the office's emblem (``office.lambang``); None without a letterhead or an image."""
    if layout.kop is None:
        return None
    path = layout.kop.get("logo") or lookup(data, "office.lambang", "")
    return load_emblem(path) if path else None


def _open_attachment(path: Path) -> pikepdf.Pdf:
    try:
        return pikepdf.open(path)
    except (OSError, pikepdf.PdfError) as exc:
        raise RenderError(f"cannot attach {path}: {exc}") from exc
