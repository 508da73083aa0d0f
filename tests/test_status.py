"""`kkwna status` as the office reads it: open cases grouped by what they wait for, in SOP
order, SOP minutes against the standard, late ones marked, failed e-mails listed."""

from __future__ import annotations

from datetime import datetime

from pipeline.office import config
from pipeline.reports import status
from pipeline.store.register import Register
from tests.office import jpeg, run_once


def test_cases_at_several_desks_grouped_in_sop_order(office_at, monkeypatch):
    home = office_at(5)
    jpeg(home.inbox / "MARIA GARCIA kitap.jpg", text="maria")
    run_once(home)
    monkeypatch.setenv("KKWNA_NOW", "2026-11-23T09:30:00+08:00")  # half an hour later
    cfg = config.load(home.root)
    reg = Register(home.register_path)
    with reg.transaction() as db:  # step 9 of an earlier case could not e-mail its KK
        reg.add_event(db, "KKWNA-2026-0001", at=datetime.fromisoformat(
            "2026-11-23T09:10:00+08:00"), step=9, action="dicetak",
            detail={"email": "gagal", "email_catatan": "server surel tidak menjawab"})
    text = status.render(cfg, reg)
    front = text.index("desks/02-front-office: langkah 2")
    analyst = text.index("desks/05-analis: langkah 5")
    assert front < analyst
    assert "(1 kasus, 1 TERLAMBAT)" in text[front:analyst]  # 30 of 1 standard minutes
    assert "30.0/1" in text
    assert "KKWNA-2026-0001: server surel tidak menjawab" in text
    reg.close()


def test_status_reads_no_whole_table_of_the_history(office_at, monkeypatch):
    """`kkwna status` of an office with decades of finished cases (never audited): every
    query it makes finds its rows through an index (open cases, their events), none walks
    the whole cases or events table, so its time follows the open cases, not the
    register's size."""
    home = office_at(5)
    monkeypatch.setenv("KKWNA_NOW", "2026-11-23T09:30:00+08:00")
    cfg = config.load(home.root)
    reg = Register(home.register_path)
    statements: list[str] = []
    reg.db.set_trace_callback(statements.append)
    try:
        status.render(cfg, reg)
    finally:
        reg.db.set_trace_callback(None)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert selects
    scans = []
    for sql in selects:
        for row in reg.db.execute("EXPLAIN QUERY PLAN " + sql):
            detail = row[-1]
            words = detail.split()
            if words[:1] == ["SCAN"] and len(words) > 1 and words[1] in ("events", "e",
                                                                         "cases", "c"):
                scans.append((sql, detail))
    reg.close()
    assert scans == []
