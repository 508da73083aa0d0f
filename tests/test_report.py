"""`kkwna report`: the month's figures, the PDF/A report's text, and the CSV beside it.

The month is built by tests/report_month.py; every expected number below is worked out by
hand from that plan (see the comments), not from the report's own code.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pypdf
import pytest
from office import fonts_embedded
from report_month import DAY_OFF, WITA, build

from pipeline.office import config
from pipeline.render import pdfa
from pipeline.reports import report
from pipeline.reports.report import CaseRow, Event, ReportError
from pipeline.store.register import Register

AFTER_NOVEMBER = "2026-12-01T09:00:00+08:00"


def lines_of(pdf: Path) -> list[str]:
    reader = pypdf.PdfReader(pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


def has_row(lines: list[str], *cells: str) -> bool:
    """The cells appear one after another (pypdf gives each table cell its own line, and a
    wrapped cell one line per line of text)."""
    return f" {' '.join(cells)} " in f" {' '.join(lines)} "


def csv_figures(path: Path) -> dict[tuple[str, str, str], str]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0] == ["bagian", "butir", "rincian", "nilai"]
    return {(b, k, r): v for b, k, r, v in rows[1:]}


def assert_charts_are_vectors(pdf: Path) -> None:
    """No raster image anywhere, and the chart colours are on the rendered pages."""
    import pikepdf
    import pypdfium2
    with pikepdf.open(pdf) as doc:
        assert not any(isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"
                       for o in doc.objects)
    from pipeline.reports import report_charts as rc
    wanted = {name: tuple(round(255 * c) for c in colour.rgb())
              for name, colour in (("median", rc.MEDIAN), ("p90", rc.P90),
                                   ("within", rc.WITHIN), ("over", rc.OVER), ("bars", rc.BARS))}
    seen: set[tuple[int, int, int]] = set()
    doc = pypdfium2.PdfDocument(str(pdf))
    for page in doc:
        image = page.render(scale=1).to_pil().convert("RGB")
        seen |= {rgb for _, rgb in image.getcolors(1 << 20) or []}
    doc.close()
    missing = [name for name, rgb in wanted.items()
               if not any(max(abs(a - b) for a, b in zip(rgb, got, strict=True)) <= 2
                          for got in seen)]
    assert not missing, f"chart colours not drawn: {missing}"


@pytest.fixture
def november(office, reg, monkeypatch):
    """The office after November 2026, with its own day off on Friday 20 November."""
    monkeypatch.setenv("KKWNA_NOW", AFTER_NOVEMBER)
    cfg = replace(config.load(office.root), holidays=frozenset({DAY_OFF}))
    ids = build(reg)
    return cfg, ids


# Expected November, by the plan's kinds: A 29 plain (21 minutes), W 1 over a weekend (step 2
# took 15), B 8 slow verifications (step 3 took 30; a second verifier not in kkwna.toml),
# C 4 picked up late (step 11 took 60), D 5 corrected once at step 5 (back to 4), E 6 returned
# at step 3, F 3 returned at step 2, G 2 waiting at step 3, H 1 waiting for pick-up, I 1
# cancelled. 3 of the A cases came in the evening before (outside service hours).
SUMMARY = [
    ("Permohonan diterima", "60"),
    ("Diterima di luar jam layanan", "3"),
    ("Dibatalkan (berkas ditarik)", "1"),
    ("KK diterbitkan (TTE)", "48"),            # A W B C D H
    ("KK diserahkan kepada pemohon", "47"),    # A W B C D
    ("Dikembalikan kepada pemohon", "9"),      # E F
    ("Dikoreksi di dalam kantor", "5"),        # D
    ("Masih dalam proses pada akhir bulan", "3"),  # G H
    ("di antaranya KK menunggu diambil", "1"),     # H
    ("Rata-rata permohonan per hari kerja", "3"),  # 60 / 20
]
# step: (standard, count, median, P90, share within)
STEPS = {
    2: ("1", "59", "1", "1", "93,2%"),     # 55 x 1, F 3 x 2, W 15: 55/59
    3: ("10", "54", "10", "30", "85,2%"),  # E 6 x 8, 40 x 10, B 8 x 30: 46/54
    4: ("5", "53", "5", "5", "100%"),      # 43 + D twice
    5: ("1", "53", "1", "1", "100%"),      # 48 approvals + D's 5 returns
    6: ("1", "48", "1", "1", "100%"),
    7: ("0,5", "48", "0,5", "0,5", "100%"),
    8: ("0,5", "48", "0,5", "0,5", "100%"),
    9: ("0,5", "48", "0,5", "0,5", "100%"),
    10: ("1", "48", "1", "1", "100%"),
    11: ("0,5", "47", "0,5", "0,5", "91,5%"),  # C 4 x 60: 43/47
}
# totals: A 29 x 21, D 5 x 27, W 35, B 8 x 41, C 4 x 80.5 -> median 21, P90 41, 29/47
TOTAL = ("22", "47", "21", "41", "61,7%")
HISTOGRAM = {"≤10": "0", "10–15": "0", "15–22": "29", "22–30": "5", "30–45": "9",
             "45–60": "0", "60–120": "4", ">120": "0"}
RETURNS = [("2", "Formulir F-1.01 belum ditandatangani", "3"),
           ("3", "Paspor tidak terbaca", "4"), ("3", "KITAP sudah habis masa berlaku", "2"),
           ("5", "Nama ayah tidak sesuai paspor", "5")]
# (role, name, NIP, decisions, returns, median minutes)
WORKLOAD = [
    ("Front Office", "DEMO FITRI HANDAYANI", "19900101 201503 2 001", "59", "3", "1"),
    ("Verifikator", "DEMO AHMAD RIDUAN", "19880202 201403 1 002", "46", "6", "10"),
    ("Verifikator", "DEMO BUDI SANTOSO", "19910101 201903 1 009", "8", "0", "30"),
    ("Adm SIAK Identitas Penduduk", "DEMO SITI NURHALIZA", "19920303 201603 2 003", "53", "0",
     "5"),
    ("Jf. Analis Kebijakan", "DEMO MUHAMMAD YUSUF", "19850404 201001 1 004", "53", "5", "1"),
    ("Kepala Bidang", "DEMO HJ. NOOR HIDAYAH, SE", "19800505 200501 2 005", "48", "0", "1"),
    ("Kepala Dinas", "Hj. RINA INDRIANI, ST", "19820311 200501 2 017", "48", "0", "0,5"),
    ("Petugas Penyerahan Dokumen", "DEMO RAHMAT HIDAYAT", "19950606 201903 1 006", "48", "0",
     "1"),
]
# (kind, total, held at step, minutes there / standard)
LATE = {"C": ("80,5", "11", "60 / 0,5"), "B": ("41", "3", "30 / 10"),
        "W": ("35", "2", "15 / 1"), "D": ("27", "4", "10 / 5")}
COMPARISON = [  # October: 10 plain cases
    ("Permohonan diterima", "10", "60", "+50"), ("KK diterbitkan (TTE)", "10", "48", "+38"),
    ("KK diserahkan", "10", "47", "+37"), ("Dikembalikan kepada pemohon", "0", "9", "+9"),
    ("Median waktu per kasus (menit)", "21", "21", "0"),
    ("Kasus dalam mutu baku", "100%", "61,7%", "-38,3 poin"),
]


def test_a_month_of_sixty_cases_in_the_pdf_and_the_csv(office, reg, november):
    cfg, ids = november
    out = report.write_report(office, cfg, reg, 2026, 11)
    assert out == office.archive / "2026" / "laporan-kinerja-2026-11.pdf"
    assert pdfa.validate(out).passed and fonts_embedded(out)

    lines = lines_of(out)
    assert "PEMERINTAH KABUPATEN TAPIN" in lines
    assert "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL" in lines
    assert "Bulan November 2026" in lines
    assert any("20 hari kerja" in x for x in lines)
    assert any("20 November 2026 (libur kantor)" in x for x in lines)
    for what, value in SUMMARY:
        assert has_row(lines, what, value), what
    for outcome, value in (("Terkirim", "40"), ("Gagal terkirim", "3"),
                           ("Tanpa alamat e-mail", "5")):
        assert has_row(lines, outcome, value), outcome
    for row in COMPARISON:
        assert has_row(lines, *row), row
    assert has_row(lines, "1", "Pemohon", "1", "60", "-", "-", "-")
    from pipeline.domain import sop
    for step, figures in STEPS.items():
        assert has_row(lines, str(step), sop.step(step).role.name, *figures), step
    assert has_row(lines, "1-11", "Total per kasus (diserahkan)", *TOTAL)
    for step, reason, count in RETURNS:
        role = sop.step(int(step)).role.name
        to = "langkah 4" if step == "5" else "pemohon"
        assert has_row(lines, f"{step} {role}", to, reason, count), reason
    for role, name, nip, *numbers in WORKLOAD:
        assert has_row(lines, role, name, nip, *numbers), name
    assert has_row(lines, "Jumlah Verifikator", "54", "6")
    late_ids = []
    for kind, (total, step, held) in LATE.items():
        for cid in ids[kind]:
            title = reg.get(cid).title
            assert any(has_row(lines, str(i), cid, title, total,
                               f"{step} {sop.step(int(step)).role.name}", held)
                       for i in range(1, 19)), cid
            late_ids.append(cid)
    assert len(late_ids) == 18
    for step, count in ((2, "1"), (3, "8"), (4, "5"), (11, "4")):  # W, B, D, C
        assert has_row(lines, "Tertahan di langkah", "Kasus") and has_row(
            lines, f"{step} {sop.step(step).role.name}", count), step
    on_time = ids["A"][0]
    assert on_time not in " ".join(lines)
    # the charts are drawn, with their titles and values
    assert "Waktu per langkah terhadap mutu baku (menit, jam layanan)" in lines
    assert any(x.startswith("Sebaran waktu total per kasus") for x in lines)
    assert "Permohonan per hari kerja" in lines and "- - rata-rata 3 per hari kerja" in lines
    assert_charts_are_vectors(out)

    got = csv_figures(out.with_suffix(".csv"))
    assert got[("periode", "hari kerja", "")] == "20"
    assert got[("periode", "hari libur", "20-11-2026")] == "libur kantor"
    for what, value in SUMMARY:
        assert got[("ringkasan", what, "")] == value, what
    assert [got[("email", "pengiriman KK", o)] for o in ("terkirim", "gagal", "tidak ada")] == [
        "40", "3", "5"]
    per_day = {k[1]: v for k, v in got.items() if k[0] == "permohonan per hari kerja"}
    assert len(per_day) == 20 and set(per_day.values()) == {"3"} and "20-11-2026" not in per_day
    parts = ("mutu baku (menit)", "jumlah", "median (menit)", "persentil 90 (menit)",
             "dalam mutu baku")
    for step, figures in STEPS.items():
        assert tuple(got[("waktu langkah", f"langkah {step}", p)] for p in parts) == figures
    assert tuple(got[("waktu per kasus", "total", p)] for p in parts) == TOTAL
    assert {k[1].removesuffix(" menit"): v for k, v in got.items()
            if k[0] == "sebaran waktu per kasus"} == HISTOGRAM
    assert {(k[1].removeprefix("langkah "), k[2], v) for k, v in got.items()
            if k[0] == "pengembalian"} == set(RETURNS)
    for role, name, nip, decisions, returns, median in WORKLOAD:
        who = f"{name} ({nip.replace(' ', '')})"
        assert got[("beban kerja", who, f"{role}: keputusan")] == decisions
        assert got[("beban kerja", who, f"{role}: dikembalikan")] == returns
        assert got[("beban kerja", who, f"{role}: median (menit)")] == median
    for kind, (total, step, held) in LATE.items():
        for cid in ids[kind]:
            assert got[("melebihi mutu baku", cid, "total (menit)")] == total
            assert got[("melebihi mutu baku", cid, f"langkah {step} (menit)")] == \
                held.split(" / ")[0]
    for what, before, _now, change in COMPARISON:
        assert got[("perbandingan", what, "bulan lalu (Oktober 2026)")] == before
        assert got[("perbandingan", what, "perubahan")] == change


def test_a_month_without_cases_says_so(office, reg, november):
    cfg, _ = november
    out = report.write_report(office, cfg, reg, 2026, 9)
    assert pdfa.validate(out).passed and fonts_embedded(out)
    text = " ".join(lines_of(out))
    assert ("Tidak ada permohonan KK WNA yang diterima dan tidak ada kegiatan pelayanan yang "
            "tercatat pada bulan September 2026.") in text
    assert len(pypdf.PdfReader(out).pages) == 1
    got = csv_figures(out.with_suffix(".csv"))
    assert got[("ringkasan", "Permohonan diterima", "")] == "0"
    assert got[("waktu per kasus", "total", "median (menit)")] == "-"


def test_bad_and_future_months_are_refused(office, reg, november):
    cfg, _ = november
    assert report.parse_month("2026-11") == (2026, 11)
    for bad in ("2026-13", "11-2026", "2026/11", ""):
        with pytest.raises(ReportError, match="TTTT-BB"):
            report.parse_month(bad)
    with pytest.raises(ReportError, match="Januari 2027 belum dimulai"):
        report.write_report(office, cfg, reg, 2027, 1)


# --- month_figures on hand-made events --------------------------------------------------------

def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def case(cid: str, received: str, start: str | None = None) -> CaseRow:
    return CaseRow(cid, cid, at(received), at(start or received), start is not None)


def test_steps_count_in_the_month_they_are_decided(cfg):
    # received Monday 30 November 14:50; step 2 decided Tuesday 1 December 08:05
    c = case("K1", "2026-11-30T14:50+08:00")
    events = [Event("K1", at("2026-11-30T14:50+08:00"), 1, "diterima"),
              Event("K1", at("2026-12-01T08:05+08:00"), 2, "disetujui", "X", "1")]
    nov = report.month_figures([c], events, cfg, 2026, 11)
    dec = report.month_figures([c], events, cfg, 2026, 12)
    assert nov.received == 1 and nov.still_open == 1 and nov.steps[2].count == 0
    assert dec.received == 0 and dec.still_open == 1
    assert dec.steps[2].values == (15.0,)  # 10 minutes on Monday, 5 on Tuesday


def test_a_case_taken_outside_hours_starts_its_clock_at_the_opening(cfg):
    # taken Saturday 28 November; the clock starts Monday 08:00; step 2 at 08:02
    c = case("K2", "2026-11-28T10:00+08:00", "2026-11-30T08:00+08:00")
    events = [Event("K2", c.received_at, 1, "diterima"),
              Event("K2", at("2026-11-30T08:02+08:00"), 2, "dikembalikan",
                    detail='{"catatan": "  Paspor\\n tidak  terbaca "}'),
              Event("K2", at("2026-11-30T09:00+08:00"), 3, "catatan")]  # not a decision
    fig = report.month_figures([c], events, cfg, 2026, 11)
    assert fig.outside_hours == 1 and fig.steps[2].values == (2.0,)
    assert fig.returned == 1 and fig.still_open == 0
    assert [(r.step, r.reason, r.count) for r in fig.returns] == [(2, "Paspor tidak terbaca", 1)]
    assert dict(fig.per_day)[at("2026-11-30T08:00+08:00").date()] == 1
    assert not fig.empty and report.month_figures([c], events, cfg, 2026, 10).empty


def test_percentiles_and_numbers_as_a_spreadsheet_shows_them():
    assert report.percentile([], 50) is None
    assert report.percentile([7.0], 90) == 7.0
    assert report.percentile([1, 2, 3, 4], 50) == 2.5
    assert report.percentile(range(1, 11), 90) == pytest.approx(9.1)
    assert report.number(2.5) == "2,5" and report.number(3.0) == "3" and report.number(None) == "-"
    assert report.percent(0.6170) == "61,7%"


def test_the_bulk_query_leaves_out_cases_closed_long_before(office, reg, november):
    cfg, ids = november
    cases, events = report.load_month(reg, cfg, 2026, 12)
    loaded = {c.id for c in cases}
    # December looks back to November: its open cases and everything decided in it
    assert set(ids["G"] + ids["H"]) <= loaded and set(ids["A"]) <= loaded
    assert not any(c.title.startswith("OKTOBER") for c in cases)  # closed in October
    assert {e.case_id for e in events} <= loaded
    fig = report.month_figures(cases, events, cfg, 2026, 12)
    assert fig.still_open == 3 and fig.awaiting_pickup == 1 and fig.received == 0


def test_register_written_in_utc_is_read_in_office_time(tmp_path, cfg):
    """A row stored with another offset still lands in the right office month."""
    reg = Register(tmp_path / "r.sqlite3")
    received = at("2026-10-31T17:30+00:00")  # 1 November 01:30 WITA
    with reg.transaction() as db:
        c = reg.open_case(db, year=2026, title="UTC", received_at=received,
                          clock_start=at("2026-11-02T08:00+08:00"), outside_hours=True,
                          folder_for=lambda cid: cid, source_name="x", source_key="k")
        reg.add_event(db, c.id, at=received, step=1, action="diterima")
    cases, events = report.load_month(reg, cfg, 2026, 11)
    fig = report.month_figures(cases, events, cfg, 2026, 11)
    assert fig.received == 1 and fig.outside_hours == 1
    assert report.month_figures(cases, events, cfg, 2026, 10).received == 0
    assert received.astimezone(WITA).month == 11
    reg.close()


def test_the_sop_cited_is_the_services_own(office, reg, november, monkeypatch):
    """The SOP number and date come from the service (`services.get(code)`), so another
    service's report cites its own SOP, not this one's."""
    from dataclasses import replace
    from datetime import date

    from pipeline import services
    cfg, _ = november
    monkeypatch.setitem(services._SERVICES, services.DEFAULT, replace(
        services.default(), sop_number="470/011-SOP/DUKCAPIL/2024",
        sop_revised=date(2024, 3, 4)))
    text = " ".join(lines_of(report.write_report(office, cfg, reg, 2026, 9)))
    assert "SOP 470/011-SOP/DUKCAPIL/2024 (4 Maret 2024)" in text
    assert "800/003" not in text
# --- what a reader sees on a quiet month -------------------------------------------------------

def quiet_december(cfg, minutes: float = 0.0):
    """December 2026 (22 working days) with one case, every step decided *minutes* after
    the one before (the demo's case takes no time at all)."""
    from datetime import timedelta

    from pipeline.domain import sop
    start = at("2026-12-01T09:00+08:00")
    c = case("K1", "2026-12-01T09:00+08:00")
    events = [Event("K1", start, 1, "diterima")]
    for n, s in enumerate(sop.STEPS[1:], start=1):
        action = {8: "ditandatangani", 11: "diserahkan"}.get(s.number, "disetujui")
        events.append(Event("K1", start + timedelta(minutes=minutes * n), s.number, action,
                            "DEMO PETUGAS", "199001012015032001"))
    fig = report.month_figures([c], events, cfg, 2026, 12)
    before = report.month_figures([c], events, cfg, 2026, 11)
    return fig, before


def report_text(cfg, fig, before) -> list[str]:
    from pipeline.reports import report_pdf
    pdf = report_pdf.build(fig, before, cfg, at("2026-12-31T16:00+08:00"), "Laporan uji")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_an_average_below_one_keeps_its_decimals(cfg):
    fig, before = quiet_december(cfg)
    assert len(fig.working_days) == 22 and fig.received == 1
    from pipeline.reports.report_figures import summary
    assert dict(summary(fig))[
        "Rata-rata permohonan per hari kerja"] == "0,05"  # 1 / 22, not "0"
    lines = report_text(cfg, fig, before)
    assert has_row(lines, "Rata-rata permohonan per hari kerja", "0,05")
    assert "- - rata-rata 0,05 per hari kerja" in lines
    assert report.number(2.5, 2) == "2,5" and report.number(3.0, 2) == "3"


def test_the_footer_names_the_office_as_it_is_written(cfg):
    fig, before = quiet_december(cfg)
    lines = report_text(cfg, fig, before)
    footers = [x for x in lines if x.startswith("Laporan uji ·")]
    assert footers and all(
        x == "Laporan uji · Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tapin"
        for x in footers), footers


def tables_of(flowables) -> list:
    """Every reportlab Table in a story, nested ones too."""
    from reportlab.platypus import KeepTogether, Table
    found = []
    for f in flowables:
        if isinstance(f, Table):
            found.append(f)
            found += tables_of([cell for row in f._cellvalues for cell in row
                                if not isinstance(cell, str)])
        elif isinstance(f, KeepTogether):
            found += tables_of(f._content)
    return found


def test_no_table_header_runs_into_the_next(office, reg, november):
    """Every header cell's text fits its column inside the cell's padding: plain strings are
    never wrapped by reportlab, so a wide one runs into its neighbour ("Kembali Median")."""
    from reportlab.platypus import Paragraph

    from pipeline.render import fonts
    from pipeline.reports import report_pdf
    cfg, _ = november
    cases, events = report.load_month(reg, cfg, 2026, 11)
    fig = report.month_figures(cases, events, cfg, 2026, 11)
    before = report.month_figures(cases, events, cfg, 2026, 10)
    story = report_pdf.story(fig, before, cfg, at(AFTER_NOVEMBER))
    tables = [t for t in tables_of(story) if t._cellvalues and len(t._colWidths) > 1
              and not isinstance(t._cellvalues[0][0], report_pdf.Table)]
    assert len(tables) >= 7
    too_wide = []
    for t in tables:
        for col, (cell, width) in enumerate(zip(t._cellvalues[0], t._colWidths, strict=True)):
            room = width - t._cellStyles[0][col].leftPadding - t._cellStyles[0][col].rightPadding
            if isinstance(cell, Paragraph):
                cell.wrap(room, 1000)
                used = max(cell.getActualLineWidths0())
            else:
                used = fonts.text_width(str(cell), fonts.BOLD, t._cellStyles[0][col].fontsize)
            if used > room + 0.01:
                too_wide.append(f"{cell if isinstance(cell, str) else cell.text!r}: "
                                f"{used:.1f} pt in {room:.1f}")
    assert too_wide == [], "; ".join(too_wide)


def test_a_median_of_zero_still_shows(tmp_path, cfg):
    """The demo's steps take no time: their median and P90 bars are zero long, and a reader
    must still see them, told apart from a step with no cases ('-')."""
    from reportlab.graphics import renderPDF

    from pipeline.render import fonts
    from pipeline.reports import report_charts
    fonts.register()
    fig, _ = quiet_december(cfg)
    assert all(t.median == 0 and t.p90 == 0 for t in fig.steps.values())
    drawing = report_charts.step_times(fig, 480)
    out = tmp_path / "chart.pdf"
    renderPDF.drawToFile(drawing, str(out))
    labels = [line.strip() for line in pypdf.PdfReader(out).pages[0].extract_text().splitlines()]
    assert labels.count("-") == 0, labels  # zero is a value, not "no cases"
    assert labels.count("0") >= 2 * len(fig.steps), labels
    import pypdfium2
    doc = pypdfium2.PdfDocument(str(out))
    image = doc[0].render(scale=2).to_pil().convert("RGB")
    doc.close()
    seen = {rgb for _, rgb in image.getcolors(1 << 20) or []}
    for colour in (report_charts.MEDIAN, report_charts.P90):
        rgb = tuple(round(255 * c) for c in colour.rgb())
        assert any(max(abs(a - b) for a, b in zip(rgb, got, strict=True)) <= 2
                   for got in seen), colour
