"""The monthly report's charts, drawn as vectors with reportlab's own chart widgets.

Every string names the embedded font explicitly: a chart label left on its default
(Helvetica, Times) would put an unembedded font in the PDF and fail PDF/A.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors

from pipeline.domain import sop
from pipeline.render.fonts import BOLD, REGULAR
from pipeline.reports.report_figures import Figures, average, number

STANDARD = colors.HexColor("#9aa3ad")
MEDIAN = colors.HexColor("#1f5fa8")
P90 = colors.HexColor("#e08a1e")
WITHIN = colors.HexColor("#2e8b57")
OVER = colors.HexColor("#c0392b")
BARS = colors.HexColor("#3d7cc9")
GRID = colors.HexColor("#d5d9de")


def _fonts(chart: VerticalBarChart | HorizontalBarChart, size: float = 7) -> None:
    for labels in (chart.categoryAxis.labels, chart.valueAxis.labels, chart.barLabels):
        labels.fontName = REGULAR
        labels.fontSize = size


def _drawing(width: float, height: float) -> Drawing:
    d = Drawing(width, height)
    d.initialFontName, d.initialFontSize = REGULAR, 7  # else the renderer selects Helvetica
    return d


def _title(d: Drawing, text: str, width: float) -> None:
    d.add(String(width / 2, d.height - 12, text, fontName=BOLD, fontSize=9,
                 textAnchor="middle"))


def _legend(d: Drawing, x: float, y: float, pairs: Sequence[tuple[colors.Color, str]]) -> None:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = REGULAR, 7
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 95
    legend.dx = legend.dy = 7
    legend.colorNamePairs = list(pairs)
    d.add(legend)


def _short(role: str) -> str:
    """A role's name short enough for a chart's axis."""
    return role.replace(" Identitas Penduduk", "").replace("Jf. Analis Kebijakan", "Analis")


def _axis_max(values: Sequence[float], floor: float = 1.0) -> float:
    top = max([floor, *values])
    for tick in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 2000, 5000):
        if top <= tick * 6:
            return float(tick * math.ceil(top / tick))
    return float(top)


def step_times(fig: Figures, width: float) -> Drawing:
    """Median and 90th percentile per step against the standard; bars longer than the axis
    are cut at its end and carry their real value."""
    steps = list(fig.steps.items())
    standards: list[float | None] = [t.standard for _, t in steps]
    medians = [t.median for _, t in steps]  # None: no case decided the step this month
    p90s = [t.p90 for _, t in steps]
    known = [v for v in standards + medians + p90s if v is not None]
    cap = max(3 * max(t.standard for _, t in steps), 1.0)
    top = _axis_max([min(cap, v) for v in known])
    stub = top / 250  # a zero is a value: a sliver of its colour beside its "0" label
    groups = len(steps)
    height = 52 + groups * 27
    d = _drawing(width, height)
    _title(d, "Waktu per langkah terhadap mutu baku (menit, jam layanan)", width)
    chart = HorizontalBarChart()
    chart.x, chart.y = 118, 30
    chart.width, chart.height = width - 118 - 34, height - 30 - 24
    # the first data row is drawn at the bottom: list the steps in reverse to read top-down
    order = list(reversed(range(groups)))
    # and the series in reverse too, so each group reads standard, median, P90 downwards
    series = (p90s, medians, standards)
    chart.data = [[0.0 if row[i] is None else min(top, max(stub, row[i] or 0.0))
                   for i in order] for row in series]
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[number(row[i]) for i in order] for row in series]  # None: "-"
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    chart.categoryAxis.categoryNames = [
        f"{steps[i][0]} {_short(sop.step(steps[i][0]).role.name)}" for i in order]
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    chart.barWidth, chart.groupSpacing, chart.barSpacing = 6, 6, 0.5
    for i, colour in enumerate((P90, MEDIAN, STANDARD)):
        chart.bars[i].fillColor = colour
        chart.bars[i].strokeColor = None
    _fonts(chart, 6.5)
    d.add(chart)
    _legend(d, 118, 10, [(STANDARD, "Mutu baku"), (MEDIAN, "Median"), (P90, "Persentil 90")])
    return d


def case_totals(fig: Figures, width: float) -> Drawing:
    """How the cases handed over this month spread by total time; green within the standard."""
    bins = fig.histogram()
    d = _drawing(width, 205)
    _title(d, f"Sebaran waktu total per kasus (menit; mutu baku {number(fig.total.standard)})",
           width)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 42, width - 60, 120
    chart.data = [[n for _, n, _ in bins]]
    chart.categoryAxis.categoryNames = [label for label, _, _ in bins]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _axis_max([n for _, n, _ in bins], 4)
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    chart.barLabelFormat = "%d"
    chart.barLabels.nudge = 6
    chart.bars[0].strokeColor = None
    for i, (_, _, within) in enumerate(bins):
        chart.bars[(0, i)].fillColor = WITHIN if within else OVER
    _fonts(chart)
    d.add(chart)
    d.add(String(40 + (width - 60) / 2, 10, "jumlah kasus per rentang waktu total (menit)",
                 fontName=REGULAR, fontSize=7, textAnchor="middle"))
    _legend(d, width - 200, 182, [(WITHIN, "dalam mutu baku"), (OVER, "melebihi")])
    return d


def per_working_day(days: Sequence[tuple[date, int]], width: float) -> Drawing:
    """Applications per working day (by the day their SOP clock started), with the mean."""
    d = _drawing(width, 170)
    _title(d, "Permohonan per hari kerja", width)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, width - 60, 110
    counts = [n for _, n in days] or [0]
    chart.data = [counts]
    chart.categoryAxis.categoryNames = [str(day.day) for day, _ in days] or ["-"]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _axis_max(counts, 4)
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    chart.bars[0].fillColor = BARS
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.nudge = 5
    _fonts(chart)
    d.add(chart)
    if days:
        mean = sum(counts) / len(counts)
        y = chart.y + chart.height * mean / chart.valueAxis.valueMax
        d.add(Line(chart.x, y, chart.x + chart.width, y, strokeColor=OVER, strokeWidth=0.8,
                   strokeDashArray=[3, 2]))
        d.add(String(chart.x + chart.width, chart.y + chart.height + 6,
                     f"- - rata-rata {average(mean)} per hari kerja", fontName=REGULAR,
                     fontSize=7, fillColor=OVER, textAnchor="end"))
    d.add(String(40 + (width - 60) / 2, 8, "tanggal (hari kerja)", fontName=REGULAR,
                 fontSize=7, textAnchor="middle"))
    return d
