"""`kkwna report YYYY-MM`: the month's performance evaluation as a PDF/A-2b report and a
CSV beside it, in archive/<YYYY>/. The figures are `report_figures` (pure), the drawing
`report_pdf` and `report_charts`."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.domain import clock
from pipeline.domain.errors import KkwnaError
from pipeline.office.config import Config
from pipeline.office.fsutil import atomic_write_bytes
from pipeline.office.home import Home
from pipeline.reports.report_figures import (
    CaseRow,
    Event,
    Figures,
    csv_text,
    load_month,
    month_figures,
    number,
    percent,
    percentile,
    service_figures,
)
from pipeline.store.register import Register

__all__ = ["CaseRow", "Event", "Figures", "ReportError", "load_month", "month_figures",
           "number", "parse_month", "percent", "percentile", "report_path", "write_report"]


class ReportError(KkwnaError):
    """The report cannot be made as asked (bad month); str() is one Indonesian line."""


def parse_month(text: str) -> tuple[int, int]:
    """``2026-11`` -> (2026, 11), or `ReportError`."""
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
    if not m or not 1 <= int(m[2]) <= 12:
        raise ReportError(f"bulan harus ditulis TTTT-BB, misalnya 2026-11, bukan {text!r}")
    return int(m[1]), int(m[2])


def report_path(home: Home, year: int, month: int) -> Path:
    return home.archive / f"{year}" / f"laporan-kinerja-{year}-{month:02d}.pdf"


def write_report(home: Home, cfg: Config, reg: Register, year: int, month: int) -> Path:
    """Write the month's report (PDF/A-2b) and its CSV beside it; return the PDF's path.

    Raises `ReportError` for a month that does not exist or has not begun."""
    from pipeline.render.pdfa import save_pdfa
    from pipeline.reports import report_pdf  # drawing is the slow import; keep figures light

    if not 1 <= month <= 12 or not 2000 <= year <= 9999:
        raise ReportError(f"bulan {year}-{month:02d} tidak ada")
    made = clock.now(cfg.tz)
    if clock.month_bounds(cfg, year, month)[0] > made:
        raise ReportError(f"bulan {clock.month_year(year, month)} belum dimulai")
    cases, events = load_month(reg, cfg, year, month)
    fig = month_figures(cases, events, cfg, year, month)
    before = month_figures(cases, events, cfg, *clock.previous_month(year, month))
    parts = service_figures(cases, events, cfg, year, month)  # (): KK WNA's cases only
    out = report_path(home, year, month)
    title = f"Laporan Kinerja Pelayanan KK WNA {fig.label}"
    pdf = report_pdf.build(fig, before, cfg, made, title, parts)
    save_pdfa(pdf, out, title, subject=f"{cfg.office.dinas} {cfg.office.wilayah}")
    atomic_write_bytes(out.with_suffix(".csv"),
                       csv_text(fig, before, parts).encode("utf-8-sig"))
    return out
