"""The monthly report counts each service apart and together (issue 17): November's sixty KK
WNA cases (tests/report_month.py) beside three cases of a toy change service registered
here; with KK WNA's cases alone the report has no per-service part at all."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from pipeline import services
from pipeline.domain.actions import Action
from pipeline.office import config
from pipeline.reports import report
from pipeline.reports.report_figures import service_figures, summary
from pipeline.store.register import Register
from tests.report_month import DAY_OFF, OFFICER, WITA, build, through
from tests.test_report import SUMMARY, csv_figures, lines_of

AFTER_NOVEMBER = "2026-12-01T09:00:00+08:00"
TOY = replace(services.default(), code="uji-ubah", prefix="UJIUBAH",
              title="Perubahan Data Uji Coba", sop_number="800/777-SOP/DUKCAPIL/2026",
              sop_date=date(2026, 3, 2), sop_revised=None, inbox="inbox-uji-ubah")
TOY_SOP = "SOP 800/777-SOP/DUKCAPIL/2026 (2 Maret 2026)"
KK_SOP = "SOP 800/003-SOP/DUKCAPIL/2022 (1 Agustus 2022)"


def add_toy_cases(reg: Register) -> list[str]:
    """Three toy cases on Tuesday 10 November at 13:00, 13:30, 14:00: two handed over, the
    last returned to the applicant at step 2."""
    ids = []
    for n in range(3):
        start = datetime(2026, 11, 10, 13, 30 * n % 60, tzinfo=WITA) + timedelta(hours=n // 2)
        moves = through(11) if n < 2 else [(2, 1, Action.RETURNED, "Akta kelahiran kurang")]
        with reg.transaction() as db:
            case = reg.open_case(db, year=2026, title=f"UBAH {n + 1}", received_at=start,
                                 clock_start=start, outside_hours=False,
                                 folder_for=lambda cid: f"cases/{cid}", source_name=f"u{n}",
                                 source_key=f"toy-{n}", service=TOY.code)
            reg.add_event(db, case.id, at=start, step=1, action=Action.RECEIVED)
            t = start
            for step, minutes, action, note in moves:
                t += timedelta(minutes=minutes)
                name, nip = OFFICER.get(step, ("", ""))
                reg.add_event(db, case.id, at=t, step=step, action=action, officer_name=name,
                              officer_nip=nip, detail={"catatan": note} if note else {})
            reg.update(db, case, status="issued" if n < 2 else "returned", step=11 if n < 2
                       else 2)
        ids.append(case.id)
    return ids


@pytest.fixture
def toy():
    services.register(TOY)
    yield TOY
    services.unregister(TOY.code)


@pytest.fixture
def november(office, reg, monkeypatch):
    monkeypatch.setenv("KKWNA_NOW", AFTER_NOVEMBER)
    build(reg)
    return replace(config.load(office.root), holidays=frozenset({DAY_OFF}))


TOY_SUMMARY = dict(SUMMARY) | {
    "Permohonan diterima": "3", "Diterima di luar jam layanan": "0",
    "Dibatalkan (berkas ditarik)": "0", "KK diterbitkan (TTE)": "2",
    "KK diserahkan kepada pemohon": "2", "Dikembalikan kepada pemohon": "1",
    "Dikoreksi di dalam kantor": "0", "Masih dalam proses pada akhir bulan": "0",
    "di antaranya KK menunggu diambil": "0", "Rata-rata permohonan per hari kerja": "0,15"}


def test_each_service_apart_and_all_together_in_the_pdf_and_the_csv(office, reg, november,
                                                                   toy):
    cfg = november
    add_toy_cases(reg)
    out = report.write_report(office, cfg, reg, 2026, 11)
    text = " ".join(lines_of(out))
    assert "PENERBITAN KARTU KELUARGA WNA DAN PERUBAHAN DATA UJI COBA" in text
    assert f"{KK_SOP}, {TOY_SOP}" in text  # the heading cites every service's own SOP
    assert "Menurut layanan" in text and text.count(TOY_SOP) == 2  # and the service's table
    rows = csv_figures(out.with_suffix(".csv"))
    kk, mine = services.default().title, TOY.title
    for what, value in SUMMARY:
        assert rows[("layanan", kk, what)] == value, what
        assert rows[("layanan", mine, what)] == TOY_SUMMARY[what], what
    together = {what: rows[("ringkasan", what, "")] for what, _ in SUMMARY}
    assert together["Permohonan diterima"] == "63"
    assert together["KK diserahkan kepada pemohon"] == "49"
    assert together["Dikembalikan kepada pemohon"] == "10"


def test_the_services_counts_add_up_to_the_whole(office, reg, november, toy):
    cfg = november
    add_toy_cases(reg)
    cases, events = report.load_month(reg, cfg, 2026, 11)
    whole = report.month_figures(cases, events, cfg, 2026, 11)
    parts = service_figures(cases, events, cfg, 2026, 11)
    assert [(p.code, p.sop) for p in parts] == [("kk-wna", KK_SOP), ("uji-ubah", TOY_SOP)]
    for field in ("received", "cancelled", "issued", "handed_over", "returned", "corrections",
                  "still_open", "awaiting_pickup"):
        assert getattr(whole, field) == sum(getattr(p.figures, field) for p in parts), field
    assert dict(summary(parts[1].figures)) == TOY_SUMMARY


def test_with_kk_wna_cases_alone_there_is_no_part_per_service(office, reg, november):
    out = report.write_report(office, november, reg, 2026, 11)
    text = " ".join(lines_of(out))
    assert "Menurut layanan" not in text
    assert "PENERBITAN KARTU KELUARGA WARGA NEGARA ASING" in text and KK_SOP in text
    assert not [k for k in csv_figures(out.with_suffix(".csv")) if k[0] == "layanan"]
    cases, events = report.load_month(reg, november, 2026, 11)
    assert service_figures(cases, events, november, 2026, 11) == ()
