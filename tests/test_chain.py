"""Forgeries against the register's chain (issue 14, items 2, 4 and 6): for each check, the
attack that would fool the check before it, done as an attacker with sqlite3 would."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.store import register as registers
from pipeline.store.register import Register, RegisterError, chain_path_for
from tests.test_register import AT, decide, taken_in


@pytest.fixture
def history(tmp_path: Path) -> Iterator[tuple[Register, sqlite3.Connection, str, str]]:
    """Events 1-5 of two cases, all logged; a raw connection to tamper with."""
    reg = Register(tmp_path / "archive" / "register.sqlite3")
    first, second = taken_in(reg, key="a"), taken_in(reg, key="b")
    decide(reg, first, 2)
    decide(reg, second, 2)
    decide(reg, first, 3, status="open")
    assert reg.verify_chain() == []
    raw = sqlite3.connect(reg.path, isolation_level=None)
    raw.row_factory = sqlite3.Row
    yield reg, raw, first.id, second.id
    raw.close()
    reg.close()


def rehash(raw: sqlite3.Connection) -> None:
    """Recompute every event's link and hash, as whoever edits the database can."""
    Register._rehash(raw, 1)


def test_a_shortened_chain_log_is_reported(history) -> None:
    reg, _, first, _ = history
    lines = reg.chain_path.read_text().splitlines(keepends=True)
    reg.chain_path.write_text("".join(lines[:3]))
    problems = reg.verify_chain()
    assert problems == [
        "register.chain dipendekkan: log hanya sampai peristiwa #3, padahal sudah mencatat "
        "sampai #5; pulihkan register.chain dari cadangan."]


def test_an_emptied_chain_log_is_reported(history) -> None:
    reg, _, _, _ = history
    reg.chain_path.write_text("")
    assert reg.verify_chain() == [
        "register.chain dikosongkan: log tidak memuat satu pun peristiwa, padahal sudah "
        "mencatat sampai #5; pulihkan register.chain dari cadangan."]


def test_a_line_removed_from_the_middle_of_the_log_is_reported(history) -> None:
    reg, _, _, second = history
    lines = reg.chain_path.read_text().splitlines(keepends=True)
    reg.chain_path.write_text("".join(lines[:3] + lines[4:]))
    assert reg.verify_chain() == [
        f"Peristiwa #4 ({second}) ada di register tetapi tidak tercatat di register.chain: "
        f"baris log dihapus."]


def test_a_changed_nip_and_two_deleted_events_with_fresh_hashes_and_a_cut_log(history) -> None:
    """The issue's attack: NIP of event 3 changed, events 4 and 5 deleted, the hashes
    recomputed, the case's status put back and the log cut to match the forged register."""
    reg, raw, first, second = history
    raw.execute("UPDATE events SET officer_nip = '199999999999999999' WHERE id = 3")
    raw.execute("DELETE FROM events WHERE id IN (4, 5)")
    raw.execute("UPDATE cases SET step = 3 WHERE id = ?", (first,))
    raw.execute("UPDATE cases SET step = 2 WHERE id = ?", (second,))
    rehash(raw)
    lines = reg.chain_path.read_text().splitlines(keepends=True)
    reg.chain_path.write_text("".join(lines[:2]))
    problems = reg.verify_chain()
    assert problems and problems[0].startswith("register.chain dipendekkan: log hanya sampai "
                                               "peristiwa #2, padahal sudah mencatat sampai #5")


def test_a_crash_before_the_log_append_is_still_not_tampering(history) -> None:
    """The meta reach is written after the append: a crash before it leaves both behind."""
    reg, raw, _, second = history
    lines = reg.chain_path.read_text().splitlines(keepends=True)
    reg.chain_path.write_text("".join(lines[:3]))
    raw.execute("UPDATE meta SET value = '3' WHERE key = 'chain_log_reach'")
    assert reg.verify_chain() == []
    decide(reg, reg.get(second), 3)
    assert reg.verify_chain() == []


# ----------------------------------------------------------------- what an event commits to


@pytest.fixture
def full(tmp_path: Path) -> Iterator[tuple[Register, sqlite3.Connection, str]]:
    """A case whose events committed a title, a collection code, family data, identities
    and documents."""
    reg = Register(tmp_path / "archive" / "register.sqlite3")
    case = taken_in(reg)
    with reg.transaction() as db:
        reg.add_event(db, case.id, at=AT, step=2, action="disetujui", officer_name="A")
        reg.update(db, case, status="open", step=3, collection_code="AB12-CD",
                   data={"keluarga": {"no_kk": "6305041211260001", "anggota": []},
                         "checklist": {"cek_paspor": True}})
        reg.set_identities(db, case.id, [("paspor", "X1234567"), ("nama", "T")])
        reg.add_document(db, case.id, name="08 kartu keluarga WNA.pdf", step=2,
                         sha256="a" * 64, size=10, at=AT)
    assert reg.verify_chain() == []
    raw = sqlite3.connect(reg.path, isolation_level=None)
    raw.row_factory = sqlite3.Row
    yield reg, raw, case.id
    raw.close()
    reg.close()


EDITS = {
    "kode pengambilan": "UPDATE cases SET collection_code = 'ZZ99-ZZ'",
    "judul": "UPDATE cases SET title = 'ORANG LAIN'",
    "data keluarga":
        "UPDATE cases SET data = json_set(data, '$.keluarga.no_kk', '6305040000000000')",
    "identitas": "UPDATE identities SET value = 'Y7654321' WHERE kind = 'paspor'",
    "identitas ": "DELETE FROM identities WHERE kind = 'paspor'",
    "dokumen 08 kartu keluarga WNA.pdf": "UPDATE documents SET sha256 = '" + "b" * 64 + "'",
    "dokumen 08 kartu keluarga WNA.pdf ": "DELETE FROM documents",
}


@pytest.mark.parametrize("field", list(EDITS))
def test_a_hand_edit_of_a_committed_field_is_reported_naming_case_event_and_field(
        full, field: str) -> None:
    reg, raw, cid = full
    raw.execute(EDITS[field])
    problems = reg.verify_chain()
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"Kasus {cid}: {field.strip()} tidak sesuai dengan "
                                  f"peristiwa terakhirnya #2")


def test_an_edit_outside_the_commitment_passes(full) -> None:
    reg, raw, _ = full
    raw.execute("UPDATE cases SET data = json_set(data, '$.checklist.cek_paspor', 0)")
    assert reg.verify_chain() == []


def test_an_edit_with_the_last_events_commitment_recomputed_is_caught_by_the_log(full) -> None:
    reg, raw, cid = full
    raw.execute(EDITS["kode pengambilan"])
    state = json.loads(raw.execute("SELECT case_state FROM events WHERE id = 2").fetchone()[0])
    state["kode_pengambilan"] = hashlib.sha256(b"ZZ99-ZZ").hexdigest()
    raw.execute("UPDATE events SET case_state = ? WHERE id = 2",
                (json.dumps(state, sort_keys=True, separators=(",", ":")),))
    rehash(raw)
    problems = reg.verify_chain()
    assert problems == [f"Peristiwa #2 ({cid}) berbeda dengan yang tercatat di register.chain: "
                        f"riwayat diubah di luar program."]


def test_a_committed_field_changed_without_an_event_is_refused(full) -> None:
    reg, _, cid = full
    with pytest.raises(RegisterError, match="dokumen"), reg.transaction() as db:
        reg.add_document(db, cid, name="08 kartu keluarga WNA.pdf", step=2, sha256="c" * 64,
                         size=10, at=AT)
    assert reg.documents(cid)[0]["sha256"] == "a" * 64
    assert reg.verify_chain() == []


def test_an_older_register_without_commitments_opens_and_verifies(tmp_path: Path) -> None:
    path = tmp_path / "register.sqlite3"
    reg = Register(path)
    case = taken_in(reg)
    reg.close()
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("ALTER TABLE events DROP COLUMN case_state")
    raw.execute("DELETE FROM meta WHERE key != 'chain_log'")
    prev = ""
    for row in raw.execute("SELECT * FROM events ORDER BY id").fetchall():  # hashed as then
        digest = registers._event_hash(prev, tuple(row[1:10]) + tuple(row[12:14]))
        raw.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?",
                    (prev, digest, row[0]))
        prev = digest
    raw.close()
    path.with_suffix(".chain").unlink()
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("DELETE FROM meta")
    raw.close()
    reg = Register(path)
    assert reg.verify_chain() == []
    assert reg.events(case.id)[0]["case_state"] == ""
    decide(reg, case, 2)
    assert reg.events(case.id)[-1]["case_state"] != ""
    assert reg.verify_chain() == []
    reg.close()


# ----------------------------------------------------------------- backups (item 6)


def test_two_dated_backups_keep_each_their_own_chain_log(tmp_path: Path) -> None:
    reg = Register(tmp_path / "archive" / "register.sqlite3")
    case = taken_in(reg)
    first = tmp_path / "cadangan" / "reg.2026-06-01"
    reg.backup(first)
    decide(reg, case, 2)
    second = tmp_path / "cadangan" / "reg.2026-06-02"
    reg.backup(second)
    assert chain_path_for(first).name == "reg.2026-06-01.chain"
    assert sorted(p.name for p in first.parent.iterdir()) == [
        "reg.2026-06-01", "reg.2026-06-01.chain", "reg.2026-06-02", "reg.2026-06-02.chain"]
    assert len(chain_path_for(first).read_text().splitlines()) == 1
    assert len(chain_path_for(second).read_text().splitlines()) == 2
    for dest in (first, second):
        copy = Register(dest)
        assert copy.verify_chain() == []
        copy.close()
    assert chain_path_for(reg.path).name == "register.chain"
    reg.close()


# ------------------------------------------------------- the hashes stay what they were


def test_event_hashes_and_committed_states_read_as_they_were_sealed() -> None:
    """Events sealed by earlier versions must verify for ever: the hash of an event (with
    and without the case state) and a committed state are byte for byte what they were
    when this test was written, whatever makes them faster."""
    from pipeline.store import chainstate
    from pipeline.store.event_chain import event_hash

    fields = ("KKWNA-2026-0001", "2026-01-05T09:00:00+07:00", 4, "disetujui",
              "Siti Ñurhaliza", "198701012010012001", 1, '{"catatan": "é \\"x\\""}', "",
              "open", 5, '{"judul":"x"}')
    assert event_hash("ab" * 32, fields) == \
        "39e1c6859d67bd23263aa11a1238f787131ca6a52d7c88e12bbb7c588735dc2b"
    assert event_hash("", fields[:9]) == \
        "8e96f43373dd501f653f4741313062bf1f0a9c6da452835147c38a6892c40f5d"
    state = chainstate.state(
        "Tuan Ünal", "K-1", '{"keluarga": {"b": [1, 2.5, null, true], "a": "ñ"}, "lain": 1}',
        [("paspor", "X1"), ("kitas", "Y")], [("b.pdf", "00"), ("a.pdf", "ff")], "kk_wna")
    assert state == (
        '{"data_keluarga":"27caae53656cfd9259c7f861c4d5120dc12637c9f857ce0252d5ada897dac03a",'
        '"dokumen":{"a.pdf":"ff","b.pdf":"00"},'
        '"identitas":"2137610ce672afe5b114117f549dbc90c35c43181768165d44deaf3bd3a7885b",'
        '"judul":"f9173f8f19176ff1415e202a72a9b8ad05fe60bc9a3461dbad38eba3f288ae0a",'
        '"kode_pengambilan":"78c7523daad815f89b6770345872eba79e19eea8f498f49114f4a17f0e82aeba",'
        '"layanan":"kk_wna"}')
    assert json.loads(chainstate.state("Tuan Ünal", None, "", [], [], "lain")) == {
        "data_keluarga": "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        "dokumen": {}, "kode_pengambilan": "", "layanan": "lain",
        "identitas": "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "judul": "f9173f8f19176ff1415e202a72a9b8ad05fe60bc9a3461dbad38eba3f288ae0a"}
