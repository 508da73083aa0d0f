import sqlite3
from datetime import datetime

from pipeline.register import Register


def open_one(reg, year, when="2026-11-23T09:00+08:00", key="k"):
    moment = datetime.fromisoformat(when)
    with reg.transaction() as db:
        return reg.open_case(db, year=year, title="T", received_at=moment, clock_start=moment,
                             outside_hours=False, folder_for=lambda c: f"cases/{c}",
                             source_name="x", source_key=key)


def test_numbers_are_gap_free_and_restart_each_year(tmp_path):
    reg = Register(tmp_path / "r.sqlite3")
    ids = [open_one(reg, 2026).id for _ in range(3)] + [open_one(reg, 2027).id]
    assert ids == ["KKWNA-2026-0001", "KKWNA-2026-0002", "KKWNA-2026-0003", "KKWNA-2027-0001"]


def test_a_rolled_back_case_gives_back_nothing(tmp_path):
    reg = Register(tmp_path / "r.sqlite3")
    open_one(reg, 2026)
    try:
        with reg.transaction() as db:
            reg.open_case(db, year=2026, title="T", received_at=datetime.now().astimezone(),
                          clock_start=datetime.now().astimezone(), outside_hours=False,
                          folder_for=str, source_name="x", source_key="k")
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    assert open_one(reg, 2026).id == "KKWNA-2026-0002"


def test_wal_and_full_sync(tmp_path):
    reg = Register(tmp_path / "r.sqlite3")
    assert reg.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert reg.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_event_chain_detects_an_edit(tmp_path):
    reg = Register(tmp_path / "r.sqlite3")
    case = open_one(reg, 2026)
    with reg.transaction() as db:
        for step in (1, 2):
            reg.add_event(db, case.id, at=case.received_at, step=step, action="diterima")
    assert reg.chain_ok() == (True, "ok")
    raw = sqlite3.connect(tmp_path / "r.sqlite3")
    raw.execute("UPDATE events SET action = 'disetujui' WHERE id = 1")
    raw.commit()
    ok, why = reg.chain_ok()
    assert not ok and "event 1" in why
