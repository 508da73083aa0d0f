"""Draw a layout and its data into a PDF: a live desk form, or the filed (flattened) copy.

``render`` is the one entry point: it draws each block (``render_blocks``) on the pages of
one drawing pass (``page``), appends an attached document and saves the result.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pikepdf
from reportlab.lib.utils import ImageReader

from pipeline.desks.forms import MAX_FORM_BYTES
from pipeline.domain import clock
from pipeline.office.fsutil import UntrustedFile, atomic_write_bytes, read_untrusted
from pipeline.render.acroform import finish_form
from pipeline.render.attachment import append_pages, stamp_footers
from pipeline.render.fonts import new_canvas
from pipeline.render.layout import (
    BUILTIN_LAYOUTS,
    Layout,
    LayoutError,
    condition,
    load_layout,
    lookup,
)
from pipeline.render.letterhead import load_emblem
from pipeline.render.page import (
    OFFICE_ZONE,
    Ctx,
    Mode,
    RenderError,
    clean,
    fit_box,
    is_checked,
    wrap,
)
from pipeline.render.pdfa import PRODUCER, save_pdfa
from pipeline.render.render_blocks import draw_block

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
        pdf_bytes, pages, fix, title = _draw_numbered(lay, full, mode, case_id, step,
                                                      attached, emblem)
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
            _remember_form(out, buf.getvalue(), full, case_id, step)
        else:
            if "/AcroForm" in pdf.Root:
                del pdf.Root["/AcroForm"]
            save_pdfa(pdf, out, title, subject=f"{case_id}, langkah {step}",
                      proven=_kind(lay, full, extra))
    return out


# layout file -> how many pages its last drawing took, in this process: the page count
# a drawing pass is started with ("Halaman 1 dari N" needs N before the first footer)
_PAGES: dict[tuple[str, str], int] = {}


def _draw_numbered(layout: Layout, data: Mapping[str, Any], mode: Mode, case_id: str,
                   step: int, attached: int, emblem: ImageReader | None
                   ) -> tuple[bytes, int, dict[str, str], str]:
    """One drawing pass numbered "Halaman n dari N" with N = its own pages + *attached*.

    N is not known before the drawing: the pass starts with the count the layout's last
    drawing took (1 the first time) and is kept when the guess was right, which is the
    usual case (a desk form's length depends on its layout, seldom on its data); else the
    layout is drawn again with the count the first pass found. The result is the pass
    with the right count either way: the same drawing as two passes always made."""
    key = (str(layout.path), mode)
    guess = _PAGES.get(key, 1)
    pdf_bytes, pages, fix, title = _draw(layout, data, mode, case_id, step, guess + attached,
                                         emblem)
    if pages != guess:
        pdf_bytes, _, fix, title = _draw(layout, data, mode, case_id, step, pages + attached,
                                         emblem)
    if len(_PAGES) > 256:  # bounded: an office has a few dozen layouts
        _PAGES.clear()
    _PAGES[key] = pages
    return pdf_bytes, pages, fix, title


def _kind(layout: Layout, data: Mapping[str, Any], attached: pikepdf.Pdf | None
          ) -> tuple[object, ...] | None:
    """What makes every filed copy of this layout alike for the PDF/A validator
    (`pdfa.save_pdfa`'s *proven*): the layout file as it stands, the emblem, and whether
    a document of ours (an archival one kkwna wrote) is attached. None, validated in full
    every time, when the attachment came from elsewhere."""
    if attached is not None and str(attached.docinfo.get("/Producer", "")) != PRODUCER:
        return None
    try:
        stamp = layout.path.stat().st_mtime_ns
    except OSError:
        return None
    logo = layout.kop.get("logo") if layout.kop is not None else None
    emblem = logo or (lookup(data, "office.lambang", "") if layout.kop is not None else "")
    return ("layout", str(layout.path), stamp, str(emblem), attached is not None)


# desk form path -> the SHA-256 of the bytes `render` wrote there and the hidden fields it
# drew: what `desks.place` needs of the form it just placed, without parsing it back
_FORMS: dict[str, tuple[str, dict[str, str]]] = {}


def _remember_form(out: Path, data: bytes, values: Mapping[str, Any], case_id: str,
                   step: int) -> None:
    hidden = {"kasus": case_id, "langkah": str(step)}
    if values.get("token"):  # drawn as a hidden field too (page.Ctx.hidden_fields)
        hidden["token"] = str(values["token"])
    if len(_FORMS) > 4096:  # bounded: a long-running watcher places many forms
        _FORMS.clear()
    _FORMS[str(out)] = (hashlib.sha256(data).hexdigest(), hidden)


def drawn_form(path: Path) -> tuple[dict[str, str], str] | None:
    """The hidden fields (kasus, langkah, token) and the SHA-256 of the desk form `render`
    wrote at *path* in this process, if the file still holds exactly those bytes (read
    as any desk file is: a link or FIFO put there is not followed); else None."""
    known = _FORMS.get(str(path))
    if known is None:
        return None
    try:
        digest = hashlib.sha256(read_untrusted(Path(path), MAX_FORM_BYTES)).hexdigest()
    except (OSError, UntrustedFile):
        return None
    return (dict(known[1]), digest) if digest == known[0] else None


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
