"""The monthly performance report as a document: letterhead, tables, charts, page numbers.

Drawn with reportlab's platypus on the embedded fonts; `report.write_report` makes the
bytes PDF/A-2b. The layout engine (layouts/*.toml) is for case documents: it puts the
case-id QR on every page and has no charts, so the report draws its own page furniture
in the same style (letterhead with a double rule, "Halaman N dari M").
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from pipeline import services
from pipeline.domain import clock, sop
from pipeline.office.config import Config, title_case
from pipeline.render import fonts
from pipeline.render.fonts import BOLD, ITALIC, REGULAR
from pipeline.reports import report_charts
from pipeline.reports.report_figures import (
    EMAIL_OUTCOMES,
    Figures,
    ServiceFigures,
    comparison,
    number,
    percent,
    sop_cited,
    summary,
)

PAGE = A4
MARGIN = 18 * mm
WIDTH = PAGE[0] - 2 * MARGIN
GREY = colors.HexColor("#5f6b78")
HEAD_FILL = colors.HexColor("#e6ebf1")
ZEBRA = colors.HexColor("#f6f8fa")
LINE = colors.HexColor("#b8c0c9")
OVER_FILL = colors.HexColor("#fbe9e7")


# words Indonesian titles keep in small letters inside a name (PUEBI: "Dinas Kependudukan
# dan Pencatatan Sipil"); str.title() would write "Dan"
def _styles() -> dict[str, ParagraphStyle]:
    fonts.register()
    registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD)
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=9, leading=12)
    return {
        "body": base,
        "small": ParagraphStyle("small", base, fontSize=7.5, leading=9.5, textColor=GREY),
        "cell": ParagraphStyle("cell", base, fontSize=8, leading=10),
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=13, leading=16,
                                alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=10.5, leading=14,
                                   alignment=TA_CENTER),
        "h": ParagraphStyle("h", base, fontName=BOLD, fontSize=10.5, leading=14,
                            spaceBefore=10, spaceAfter=4),
        "note": ParagraphStyle("note", base, fontSize=10, leading=14, borderColor=LINE,
                               borderWidth=0.8, borderPadding=8, backColor=ZEBRA,
                               spaceBefore=8, spaceAfter=14),
    }


class _NumberedCanvas(Canvas):  # type: ignore[misc,unused-ignore]  # untyped base
    """Keeps each page until the end so the footer can say "Halaman N dari M"."""

    footer = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number_, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._footer(number_, total)
            super().showPage()
        super().save()

    def _footer(self, page: int, total: int) -> None:
        y = MARGIN - 8 * mm
        self.setStrokeColor(LINE)
        self.setLineWidth(0.4)
        self.line(MARGIN, y + 9, PAGE[0] - MARGIN, y + 9)
        self.setFillColor(GREY)
        self.setFont(REGULAR, 7)
        self.drawString(MARGIN, y, self.footer)
        self.drawRightString(PAGE[0] - MARGIN, y, f"Halaman {page} dari {total}")
        self.setFillColor(colors.black)


def _letterhead(cfg: Config) -> Any:
    office = cfg.office_data()

    def draw(c: Canvas, _doc: Any) -> None:
        cx, y = PAGE[0] / 2, PAGE[1] - 14 * mm
        for text, size in ((office["pemerintah"], 13.0), (office["dinas"], 14.5)):
            size = fonts.fit_size(text.upper(), BOLD, size, WIDTH, 8)
            y -= size * 1.1
            c.setFont(BOLD, size)
            c.drawCentredString(cx, y, text.upper())
            y -= 2
        c.setFont(REGULAR, 8)
        y -= 9.5
        c.drawCentredString(cx, y, office["alamat"])
        y -= 7
        c.setLineWidth(1.8)
        c.line(MARGIN, y, PAGE[0] - MARGIN, y)
        c.setLineWidth(0.6)
        c.line(MARGIN, y - 2.6, PAGE[0] - MARGIN, y - 2.6)

    return draw


def _header(text: Any, align: str) -> Any:
    """A header cell that wraps inside its column: reportlab never wraps a plain string, so
    a wide one ran into its neighbour ("Kembali Median (mnt)")."""
    if not isinstance(text, str):
        return text
    style = ParagraphStyle("header", fontName=BOLD, fontSize=8, leading=9.5,
                           alignment={"LEFT": TA_LEFT, "CENTER": TA_CENTER,
                                      "RIGHT": TA_RIGHT}[align])
    return Paragraph(escape(text), style)


def _table(rows: Sequence[Sequence[Any]], widths: Sequence[float], *, numeric_from: int = 1,
           highlight: Sequence[int] = (), bold_rows: Sequence[int] = (),
           align: Mapping[int, str] | None = None) -> Table:
    """A table with a shaded header row that repeats across pages; columns from
    *numeric_from* on are right-aligned, unless *align* says otherwise for a column."""
    aligns = {i: "RIGHT" if i >= numeric_from else "LEFT" for i in range(len(widths))}
    aligns.update(align or {})
    head = [_header(cell, aligns[i]) for i, cell in enumerate(rows[0])]
    table = Table([head, *(list(r) for r in rows[1:])], colWidths=list(widths), repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTNAME", (0, 0), (-1, 0), BOLD),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("LEADING", (0, 0), (-1, -1), 10),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, LINE),
        ("LINEBELOW", (0, -1), (-1, -1), 0.6, LINE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    style += [("ALIGN", (i, 0), (i, -1), a) for i, a in (align or {}).items()]
    for i in range(2, len(rows), 2):
        style.append(("BACKGROUND", (0, i), (-1, i), ZEBRA))
    for i in highlight:
        style.append(("BACKGROUND", (0, i), (-1, i), OVER_FILL))
    for i in bold_rows:
        style.append(("FONTNAME", (0, i), (-1, i), BOLD))
    table.setStyle(TableStyle(style))
    table.hAlign = "LEFT"
    return table


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _summary(fig: Figures, before: Figures, s: dict[str, ParagraphStyle],
             together: bool = False) -> list[Flowable]:
    head = "Semua layanan" if together else "Uraian"
    rows = [[head, "Jumlah"], *[[what, value] for what, value in summary(fig)]]
    sent = [["Pengiriman KK lewat e-mail", "Jumlah"],
            *[[{"terkirim": "Terkirim", "gagal": "Gagal terkirim",
                "tidak ada": "Tanpa alamat e-mail"}.get(o, o), str(fig.email.get(o, 0))]
              for o in EMAIL_OUTCOMES]]
    side = Table([[_table(rows, [WIDTH * 0.42, WIDTH * 0.12]),
                   _table(sent, [WIDTH * 0.3, WIDTH * 0.1])]],
                 colWidths=[WIDTH * 0.57, WIDTH * 0.43])
    side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    side.hAlign = "LEFT"
    compare = [["Perbandingan", f"{before.label}", f"{fig.label}", "Perubahan"],
               *[list(r) for r in comparison(fig, before)]]
    return [_p("1. Ringkasan", s["h"]), side, Spacer(1, 8),
            _table(compare, [WIDTH * 0.42, WIDTH * 0.19, WIDTH * 0.19, WIDTH * 0.2])]


def _per_service(parts: Sequence[ServiceFigures], s: dict[str, ParagraphStyle]
                 ) -> list[Flowable]:
    """Each service's summary in a table of its own, two side by side, under its title and
    SOP; the tables above count all services together."""
    out: list[Flowable] = [
        CondPageBreak(120),
        _p("Menurut layanan", s["h"]),
        _p("Ringkasan di atas menjumlahkan semua layanan; di bawah ini tiap layanan menurut "
           "SOP-nya sendiri.", s["small"]), Spacer(1, 4)]
    tables = []
    for part in parts:
        rows = [[part.title, "Jumlah"], *[[what, value] for what, value in summary(part.figures)]]
        cited = part.sop or "SOP tidak dikenal (layanan tidak lagi dijalankan)"
        tables.append([_p(cited, s["small"]), Spacer(1, 2),
                       _table(rows, [WIDTH * 0.36, WIDTH * 0.1])])
    grid = [tables[i:i + 2] + [[]] * (2 - len(tables[i:i + 2]))
            for i in range(0, len(tables), 2)]
    table = Table(grid, colWidths=[WIDTH * 0.5, WIDTH * 0.5])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
    table.hAlign = "LEFT"
    return [*out, table]


def _times(fig: Figures, hours: str, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    header = ["Langkah", "Pelaksana", "Mutu baku", "Jumlah", "Median", "Persentil 90",
              "Dalam mutu baku"]
    first = sop.FIRST
    rows: list[list[str]] = [header, [str(first.number), first.role.name,
                                      number(first.minutes), str(fig.received), "-", "-", "-"]]
    late_rows = []
    for n, t in fig.steps.items():
        if t.median is not None and t.median > t.standard:
            late_rows.append(len(rows))
        rows.append([str(n), sop.step(n).role.name, number(t.standard), str(t.count),
                     number(t.median), number(t.p90), percent(t.within)])
    t = fig.total
    rows.append(["1-11", "Total per kasus (diserahkan)", number(t.standard), str(t.count),
                 number(t.median), number(t.p90), percent(t.within)])
    table = _table(rows, [WIDTH * x for x in (0.1, 0.3, 0.1, 0.09, 0.1, 0.13, 0.18)],
                   numeric_from=2, highlight=late_rows, bold_rows=[len(rows) - 1],
                   align={0: "CENTER"})
    return [
        CondPageBreak(150),  # the heading never alone at a page's foot
        _p("2. Waktu pelayanan terhadap mutu baku", s["h"]),
        _p("Menit dihitung dengan jam SOP: hanya jam layanan "
           f"({hours}) pada hari kerja. Waktu sebuah langkah dihitung dari saat "
           "berkas sampai di langkah itu hingga langkah itu diputuskan, dan masuk ke bulan "
           "keputusannya; langkah 1 (pemohon menyerahkan berkas) adalah saat berkas diterima "
           "dan tidak berdurasi. Total per kasus dihitung dari mulainya jam SOP hingga KK "
           "diserahkan (termasuk menunggu pemohon datang mengambil). Baris berwarna: median "
           "melebihi mutu baku.", s["small"]),
        Spacer(1, 4), table, Spacer(1, 10),
        KeepTogether([report_charts.step_times(fig, WIDTH)]),
        Spacer(1, 8),
        KeepTogether([report_charts.case_totals(fig, WIDTH)]),
    ]


def _per_day(fig: Figures, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    off = "; ".join(f"{clock.long_date(d)} ({name})" for d, name in fig.days_off.items())
    text = (f"{len(fig.working_days)} hari kerja. Permohonan yang diterima di luar jam "
            "layanan dihitung pada hari kerja berikutnya, saat jam SOP-nya mulai.")
    if off:
        text += f" Hari libur pada hari kerja: {off}."
    return [CondPageBreak(230), _p("3. Permohonan per hari kerja", s["h"]),
            _p(text, s["small"]), Spacer(1, 4),
            report_charts.per_working_day(fig.per_day, WIDTH)]


def _returns(fig: Figures, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    out: list[Flowable] = [_p("4. Berkas dikembalikan, menurut langkah dan alasan", s["h"])]
    if not fig.returns:
        return [*out, _p("Tidak ada berkas yang dikembalikan.", s["body"])]
    rows: list[list[Any]] = [["Langkah", "Ke", "Alasan (catatan petugas)", "Jumlah"]]
    for r in fig.returns:
        target = sop.step(r.step).returns_to
        to = "pemohon" if r.to_applicant else f"langkah {target}"
        rows.append([f"{r.step} {sop.step(r.step).role.name}", to, _p(r.reason, s["cell"]),
                     str(r.count)])
    return [*out, _table(rows, [WIDTH * 0.27, WIDTH * 0.12, WIDTH * 0.49, WIDTH * 0.12],
                         numeric_from=3)]


def _workload(fig: Figures, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    out: list[Flowable] = [_p("5. Beban kerja per petugas dan peran", s["h"])]
    if not fig.workload:
        return [*out, _p("Tidak ada keputusan petugas pada bulan ini.", s["body"])]
    rows: list[list[Any]] = [["Peran", "Petugas", "NIP", "Keputusan", "Kembali",
                              "Median (mnt)"]]
    bold = []
    by_role: dict[str, list[Any]] = {}
    for w in fig.workload:
        by_role.setdefault(w.role, []).append(w)
    for role, people in by_role.items():
        for w in people:
            rows.append([_p(role, s["cell"]), _p(w.name, s["cell"]), _nip(w.nip), str(w.decisions),
                         str(w.returns), number(w.median)])
        if len(people) > 1:
            bold.append(len(rows))
            rows.append([f"Jumlah {role}", "", "", str(sum(w.decisions for w in people)),
                         str(sum(w.returns for w in people)), ""])
    return [*out, _table(rows, [WIDTH * x for x in (0.21, 0.24, 0.19, 0.12, 0.11, 0.13)],
                         numeric_from=3, bold_rows=bold)]


def _nip(nip: str) -> str:
    from pipeline.office.config import format_nip
    return format_nip(nip) if nip else "-"


def _late(fig: Figures, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    out: list[Flowable] = [_p(f"6. Kasus melebihi mutu baku ({number(fig.total.standard)} "
                              "menit per kasus)", s["h"])]
    if not fig.late:
        return [*out, _p("Tidak ada kasus yang diserahkan melebihi mutu baku.", s["body"])]
    rows: list[list[Any]] = [["No.", "Kasus", "Pemohon", "Total (menit)",
                              "Tertahan di langkah", "Menit / mutu baku"]]
    for i, x in enumerate(fig.late, start=1):
        rows.append([str(i), x.case_id, _p(x.title, s["cell"]), number(x.total),
                     f"{x.step} {sop.step(x.step).role.name}",
                     f"{number(x.step_minutes)} / {number(x.step_standard)}"])
    table = _table(rows, [WIDTH * x for x in (0.06, 0.19, 0.25, 0.11, 0.25, 0.14)],
                   numeric_from=3, align={4: "LEFT"})
    held: dict[int, int] = {}
    for x in fig.late:
        held[x.step] = held.get(x.step, 0) + 1
    by_step = _table([["Tertahan di langkah", "Kasus"],
                      *[[f"{n} {sop.step(n).role.name}", str(k)] for n, k in sorted(held.items())]],
                     [WIDTH * 0.4, WIDTH * 0.12])
    return [*out, _p("Langkah penahan: langkah dengan menit terbanyak di atas mutu bakunya "
                     "(semua putaran langkah itu dijumlahkan).", s["small"]), Spacer(1, 4),
            by_step, Spacer(1, 8), table]


def _signature(cfg: Config, made: datetime, s: dict[str, ParagraphStyle]) -> Flowable:
    head = cfg.officers_for("kepala_bidang")[0]
    lines = [f"{cfg.office.kota}, {clock.long_date(made.astimezone(cfg.tz).date())}",
             head.jabatan, "", "", "", f"<b>{escape(head.nama)}</b>",
             f"NIP {escape(head.nip_display)}"]
    block = Paragraph("<br/>".join(x if x.startswith("<b>") or x.startswith("NIP")
                                   else escape(x) for x in lines), s["body"])
    table = Table([["", block]], colWidths=[WIDTH * 0.55, WIDTH * 0.45])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR)]))
    return KeepTogether([Spacer(1, 18), table])


def _what(parts: Sequence[ServiceFigures], cfg: Config) -> tuple[str, str]:
    """The report's second title line and the SOP it cites: KK WNA's alone (as before
    services), or every service the month's cases are of."""
    if not parts:
        return "PENERBITAN KARTU KELUARGA WARGA NEGARA ASING", sop_cited(services.default(), cfg)
    return (" DAN ".join(p.title.upper() for p in parts),
            ", ".join(p.sop for p in parts if p.sop))


def story(fig: Figures, before: Figures, cfg: Config, made: datetime,
          parts: Sequence[ServiceFigures] = ()) -> list[Flowable]:
    """What the report's pages hold, in order (the page furniture is `build`'s). *parts*:
    each service's figures apart (`report_figures.service_figures`), when there are two."""
    s = _styles()
    hours = f"{cfg.open_at:%H.%M}-{cfg.close_at:%H.%M} {clock.zone_name(made)}"
    what, cited = _what(parts, cfg)
    story: list[Flowable] = [
        Spacer(1, 30 * mm),
        _p("LAPORAN EVALUASI KINERJA PELAYANAN", s["title"]),
        _p(what, s["title"]),
        _p(f"Bulan {fig.label}", s["subtitle"]),
        Spacer(1, 4),
        _p(f"{title_case(cfg.office.bidang)} · {cited} · "
           f"{len(fig.working_days)} hari kerja · jam layanan {hours} · "
           f"disusun {clock.long_datetime(made, cfg.tz)}", s["small"]),
    ]
    if fig.empty:
        story.append(_p(f"Tidak ada permohonan KK WNA yang diterima dan tidak ada kegiatan "
                        f"pelayanan yang tercatat pada bulan {fig.label}.", s["note"]))
        story += _summary(fig, before, s, bool(parts))
        story += _per_service(parts, s) if parts else []
    else:
        story += _summary(fig, before, s, bool(parts))
        story += _per_service(parts, s) if parts else []
        story += _times(fig, hours, s)
        story += _per_day(fig, s)
        story += _returns(fig, s)
        story += _workload(fig, s)
        story += _late(fig, s)
    story.append(_signature(cfg, made, s))
    return story


def build(fig: Figures, before: Figures, cfg: Config, made: datetime, title: str,
          parts: Sequence[ServiceFigures] = ()) -> bytes:
    """The report's PDF bytes (not yet PDF/A: `pdfa.save_pdfa` does that)."""
    buf = io.BytesIO()
    # the initial font is the embedded one: reportlab's default Helvetica would not be
    doc = SimpleDocTemplate(buf, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=14 * mm, bottomMargin=MARGIN, title=title,
                            author=cfg.office.dinas, creator="kkwna",
                            initialFontName=REGULAR, initialFontSize=9)

    class Pages(_NumberedCanvas):
        footer = f"{title} · {cfg.office.nama}"

    doc.build(story(fig, before, cfg, made, parts), onFirstPage=_letterhead(cfg), canvasmaker=Pages)
    return buf.getvalue()
