import sqlite3
import threading
from datetime import datetime

import pytest

from pipeline.store import register as registers
from pipeline.store.register import Register, RegisterBehind, RegisterError, numbers_on_disk

AT = datetime.fromisoformat("2026-11-23T09:00+08:00")


def open_one(reg, year, when="2026-11-23T09:00+08:00", key="k"):
    moment = datetime.fromisoformat(when)
    with reg.transaction() as db:
        return reg.open_case(db, year=year, title="T", received_at=moment, clock_start=moment,
                             outside_hours=False, folder_for=lambda c: f"cases/{c}",
                             source_name="x", source_key=key)


def taken_in(reg, year=2026, key="k"):
    """A case as intake leaves it: open, waiting on step 2, one event."""
    case = open_one(reg, year, key=key)
    with reg.transaction() as db:
        reg.update(db, case, status="open", step=2, rounds={2: 1})
        reg.add_event(db, case.id, at=AT, step=1, action="diterima")
    return case


def decide(reg, case, step, status="open"):
    with reg.transaction() as db:
        reg.add_event(db, case.id, at=AT, step=step, action="disetujui", officer_name="A")
        reg.update(db, case, status=status, step=step + 1)  # after the event: sealed anyway


def test_numbers_are_gap_free_and_restart_each_year(tmp_path):
    reg = Register(tmp_path / "r.sqlite3")
    ids = [open_one(reg, 2026).id for _ in range(3)] + [open_one(reg, 2027).id]
    assert ids == ["KKWNA-2026-0001", "KKWNA-2026-0002", "KKWNA-2026-0003", "KKWNA-2027-0001"]
    assert reg.highest_numbers() == {2026: 3, 2027: 1}


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


def test_a_cancelled_case_never_swallows_a_later_drop(tmp_path):
    reg = Register(tmp_path / "r.sqlite3")
    case = open_one(reg, 2026, key="same files")
    assert reg.by_source("same files").id == case.id
    with reg.transaction() as db:
        reg.update(db, case, status="cancelled")
        reg.add_event(db, case.id, at=AT, step=1, action="dibatalkan")
    assert reg.by_source("same files") is None


# ---------------------------------------------------------------- the event chain


@pytest.fixture
def history(tmp_path):
    """Two cases with a few decisions; the register and a raw connection to tamper with."""
    reg = Register(tmp_path / "archive" / "register.sqlite3")
    first, second = taken_in(reg, key="a"), taken_in(reg, key="b")
    decide(reg, first, 2)
    decide(reg, second, 2)
    decide(reg, first, 3, status="open")
    assert reg.verify_chain() == []
    raw = sqlite3.connect(reg.path, isolation_level=None)
    raw.row_factory = sqlite3.Row
    yield reg, raw, first, second
    raw.close()
    reg.close()


def test_a_sound_register_verifies_and_logs_every_event_once(history):
    reg, _, first, _ = history
    lines = reg.chain_path.read_text().splitlines()
    assert [int(line.split()[0]) for line in lines] == [1, 2, 3, 4, 5]
    assert lines[-1].split()[1] == first.id
    assert len(reg.chain_head()) == 16 and lines[-1].split()[2].startswith(reg.chain_head())
    assert reg.chain_ok() == (True, "ok")


def test_an_edited_event_is_reported_naming_case_and_event(history):
    reg, raw, first, _ = history
    raw.execute("UPDATE events SET officer_name = 'B' WHERE id = 3")
    assert reg.verify_chain() == [
        f"Peristiwa #3 ({first.id}) diubah di luar program: isinya tidak cocok dengan "
        f"hash-nya."]


def test_a_rewritten_history_with_fresh_hashes_is_reported_by_the_log(history):
    reg, raw, first, _ = history
    raw.execute("UPDATE events SET officer_name = 'B' WHERE id = 3")
    Register._rehash(raw, 3)  # whoever edits can recompute unkeyed hashes
    problems = reg.verify_chain()
    assert f"Peristiwa #3 ({first.id}) berbeda dengan yang tercatat di register.chain" \
        in problems[0]
    assert len(problems) == 3  # events 3, 4 and 5 no longer match the log


def test_a_deleted_last_event_is_reported(history):
    reg, raw, first, _ = history
    raw.execute("DELETE FROM events WHERE id = 5")
    problems = reg.verify_chain()
    assert (f"Peristiwa #5 ({first.id}) tercatat di register.chain tetapi tidak ada lagi di "
            f"register: peristiwa terbaru dihapus.") in problems
    assert any(p.startswith(f"Kasus {first.id}: status 'open' langkah 4 tidak sesuai dengan "
                            f"peristiwa terakhirnya #3") for p in problems)


def test_a_deleted_event_in_the_middle_is_reported(history):
    reg, raw, _, second = history
    raw.execute("DELETE FROM events WHERE id = 4")
    problems = reg.verify_chain()
    assert any(p.startswith("Peristiwa #5") and "tidak bersambung dengan #3" in p
               for p in problems)
    assert any(p.startswith(f"Peristiwa #4 ({second.id}) tercatat di register.chain")
               for p in problems)


def test_a_status_changed_by_hand_is_reported(history):
    reg, raw, _, second = history
    raw.execute("UPDATE cases SET status = 'issued', step = 11 WHERE id = ?", (second.id,))
    assert reg.verify_chain() == [
        f"Kasus {second.id}: status 'issued' langkah 11 tidak sesuai dengan peristiwa "
        f"terakhirnya #4 ('open', langkah 3): status diubah di luar program, atau peristiwa "
        f"sesudahnya dihapus."]


def test_a_lost_chain_log_is_reported_and_never_silently_recreated(history):
    reg, _, first, _ = history
    reg.chain_path.unlink()
    decide(reg, first, 4)  # the watcher goes on; the log is not rebuilt behind the office
    assert not reg.chain_path.exists()
    assert reg.verify_chain()[0].startswith("register.chain hilang")
    kept = reg.restart_chain_log()
    assert kept is None and reg.verify_chain() == []


def test_a_crash_between_commit_and_log_is_not_tampering_and_heals(history):
    reg, _, first, second = history
    lines = reg.chain_path.read_text().splitlines(keepends=True)
    # the last commit never reached the log, and the write before it was torn; the log's
    # reach is recorded after the append, so the crash left it at the third event too
    reg.chain_path.write_text("".join(lines[:3]) + lines[3][:20])
    reg.db.execute("UPDATE meta SET value = '3' WHERE key = 'chain_log_reach'")
    assert reg.verify_chain() == []
    decide(reg, second, 3)
    logged = [int(line.split()[0]) for line in reg.chain_path.read_text().splitlines()
              if len(line.split()) == 3 and len(line.split()[2]) == 64]
    assert logged == [1, 2, 3, 4, 5, 6]
    assert reg.verify_chain() == []


def test_a_status_change_without_an_event_is_refused(tmp_path):
    reg = Register(tmp_path / "r.sqlite3")
    case = taken_in(reg)
    with pytest.raises(RegisterError), reg.transaction() as db:
        reg.update(db, case, status="issued", step=11)
    case = reg.get(case.id)  # update() changed the object; the register kept "open"
    assert case.status == "open"
    with reg.transaction() as db:
        reg.update(db, case, folder="archive/2026/odner-01/x")  # state unchanged: fine
    assert reg.verify_chain() == []


def test_two_writers_log_each_event_once_in_order(tmp_path):
    path = tmp_path / "r.sqlite3"
    a, b = Register(path), Register(path)
    for i in range(6):
        taken_in(a if i % 2 else b, key=str(i))
    assert [int(line.split()[0]) for line in a.chain_path.read_text().splitlines()] \
        == list(range(1, 7))
    assert a.verify_chain() == [] and b.verify_chain() == []


def test_an_older_register_is_migrated_and_its_events_still_verify(tmp_path):
    path = tmp_path / "register.sqlite3"
    Register(path).close()
    path.with_suffix(".chain").unlink()
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("DELETE FROM meta")
    raw.execute("ALTER TABLE events DROP COLUMN case_status")
    raw.execute("ALTER TABLE events DROP COLUMN case_step")
    raw.execute("INSERT INTO cases (id, year, seq, title, status, step, received_at,"
                " clock_start, step_since, folder, source_name, source_key) VALUES"
                " ('KKWNA-2026-0001', 2026, 1, 'T', 'open', 2, ?, ?, ?, 'f', 's', 'k')",
                (AT.isoformat(),) * 3)
    fields = ("KKWNA-2026-0001", AT.isoformat(), 1, "diterima", "", "", 1, "{}", "")
    raw.execute("INSERT INTO events (case_id, at, step, action, officer_name, officer_nip,"
                " round, detail, source_sha256, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (*fields, "", registers._event_hash("", fields)))
    raw.close()
    reg = Register(path)
    assert reg.verify_chain() == []
    assert reg.chain_path.read_text().split()[0] == "1"  # the old events are logged now
    decide(reg, reg.get("KKWNA-2026-0001"), 2)
    assert reg.verify_chain() == []
    assert reg.events("KKWNA-2026-0001")[-1]["case_status"] == "open"


# ---------------------------------------------------------------- restored or deleted register


def test_numbers_on_disk_reads_cases_and_binders(tmp_path):
    cases, archive = tmp_path / "cases", tmp_path / "archive"
    (cases / "KKWNA-2026-0007 BUDI").mkdir(parents=True)
    (cases / "KKWNA-2026-0003 ANA").mkdir()
    (cases / "KKWNA-2026-0099 a file.pdf").write_text("")  # files are not case folders
    (archive / "2025" / "odner-02" / "KKWNA-2025-0150 LEE").mkdir(parents=True)
    (archive / "2026" / "odner-01" / "KKWNA-2026-0012 KIM").mkdir(parents=True)
    (archive / "2026" / "odner-01" / "notes").mkdir()
    assert numbers_on_disk([cases, archive]) == {2025: 150, 2026: 12}
    assert numbers_on_disk([tmp_path / "missing"]) == {}


def test_a_register_behind_its_case_folders_is_refused_with_advice(tmp_path):
    reg = Register(tmp_path / "archive" / "register.sqlite3")
    for _ in range(3):
        open_one(reg, 2026)
    cases, archive = tmp_path / "cases", tmp_path / "archive"
    (cases / "KKWNA-2026-0003 ANA").mkdir(parents=True)
    reg.check_against_disk([cases, archive])  # in step: fine
    (archive / "2026" / "odner-01" / "KKWNA-2026-0005 KIM").mkdir(parents=True)
    (archive / "2025" / "odner-01" / "KKWNA-2025-0001 LEE").mkdir(parents=True)
    with pytest.raises(RegisterBehind) as caught:
        reg.check_against_disk([cases, archive])
    message = str(caught.value)
    assert "\n" not in message
    assert "folder KKWNA-2025-0001 ada, register hanya sampai (belum ada nomor 2025)" in message
    assert "folder KKWNA-2026-0005 ada, register hanya sampai KKWNA-2026-0003" in message
    assert "pulihkan cadangan register terbaru" in message
    assert "jangan hapus folder kasus" in message


def test_a_backup_taken_while_another_process_writes_is_whole(tmp_path):
    path = tmp_path / "archive" / "register.sqlite3"
    Register(path).close()
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        own = Register(path)  # its own connection, as another process would have
        while not stop.is_set():
            taken_in(own, key=str(len(written)))
            written.append(1)
        own.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        reg = Register(path)
        copies = []
        for n in range(5):
            while len(written) < 3 * (n + 1):
                stop.wait(0.01)
            dest = tmp_path / "backup" / f"register-{n}.sqlite3"
            reg.backup(dest)
            copies.append(dest)
    finally:
        stop.set()
        thread.join()
    # whole files only: no temporary, no -wal or -journal left beside the copies
    assert sorted(p.name for p in copies[0].parent.iterdir()) == sorted(
        name for dest in copies for name in (dest.name, dest.with_suffix(".chain").name))
    for dest in copies:
        check = sqlite3.connect(dest)
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        cases, events = (check.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                         for t in ("cases", "events"))
        check.close()
        # every case was opened and evented in one transaction: a snapshot has both or neither
        assert cases >= 3 and events in (cases, cases - 1)
        copy = Register(dest)
        assert copy.verify_chain() == []
        copy.close()
    assert len(written) >= 15


def test_an_old_copy_restored_over_the_register_is_reported_until_restarted(tmp_path):
    reg = Register(tmp_path / "archive" / "register.sqlite3")
    case = taken_in(reg)
    reg.backup(tmp_path / "backup" / "register.sqlite3")
    decide(reg, case, 2)
    reg.close()
    (tmp_path / "backup" / "register.sqlite3").replace(reg.path)  # the log stays the live one
    reg = Register(reg.path)
    assert reg.verify_chain()[0] == (
        f"Peristiwa #2 ({case.id}) tercatat di register.chain tetapi tidak ada lagi di "
        f"register: peristiwa terbaru dihapus.")
    kept = reg.restart_chain_log()
    assert kept is not None and kept.name == "register.chain.old"
    assert reg.verify_chain() == []
    assert reg.chain_path.read_text().startswith("# log dimulai ulang\n1 ")
