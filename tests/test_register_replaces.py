"""The register's link from a change case to the case whose KK it changes (issue 17): the four
calls the change service uses, the old card replaced only once the new KK is signed, and the
link committed in the chain, so a hand edit of it is reported."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pipeline import archive
from pipeline.domain.actions import Action
from pipeline.domain.case import Case
from pipeline.office import config
from pipeline.office.home import Home
from pipeline.store import chainstate
from pipeline.store.register import Register, RegisterError
from tests.archive_cases import make_case
from tests.test_services import OLD_REGISTER, TOY, toy  # noqa: F401  (the fixture)

AT = datetime.fromisoformat("2026-11-23T09:00+08:00")


def change_case(reg: Register, old: str | None, *, service: str | None = None,
                key: str = "change") -> Case:
    """A case taken in and (when *old* is given) linked to the KK of case *old* by its
    verification, as the change service's step does: the link and an event together."""
    extra = {} if service is None else {"service": service}
    with reg.transaction() as db:
        case = reg.open_case(db, year=2026, title="PERUBAHAN", received_at=AT, clock_start=AT,
                             outside_hours=False, folder_for=lambda c: f"cases/{c}",
                             source_name="x", source_key=key, **extra)
    with reg.transaction() as db:
        reg.update(db, case, status="open", step=3, rounds={3: 1})
        reg.add_event(db, case.id, at=AT, step=1, action=Action.RECEIVED)
    if old is not None:
        with reg.transaction() as db:
            reg.set_replaces(db, case.id, old)
            reg.add_event(db, case.id, at=AT + timedelta(minutes=5), step=3,
                          action=Action.APPROVED)
    return reg.get(case.id)


def sign(reg: Register, cid: str, at: datetime) -> None:
    """The TTE of *cid*'s new KK as the register records it (step 8's event)."""
    case = reg.get(cid)
    with reg.transaction() as db:
        reg.update(db, case, step=9)
        reg.add_event(db, cid, at=at, step=8, action=Action.SIGNED)


def file_it(reg: Register, cid: str) -> None:
    case = reg.get(cid)
    with reg.transaction() as db:
        reg.update(db, case, status="issued", step=11)
        reg.add_event(db, cid, at=AT + timedelta(days=2), step=11, action=Action.FILED)


def test_a_change_replaces_the_old_card_only_once_its_new_kk_is_signed(office: Home,
                                                                       reg: Register):
    old = make_case(office, reg, 1)
    assert reg.replacement_of(old.id) is None and reg.open_change_of(old.id) is None
    new = change_case(reg, old.id)
    assert reg.replaces(new.id) == old.id and new.replaces == old.id
    assert reg.replaces(old.id) is None
    assert reg.replacement_of(old.id) is None  # not signed yet: the old card is still valid
    assert reg.open_change_of(old.id) == new

    signed = AT + timedelta(days=1, hours=2)
    sign(reg, new.id, signed)
    found = reg.replacement_of(old.id)
    assert found is not None
    assert (found[0].id, found[1]) == (new.id, signed)
    assert reg.open_change_of(old.id) is not None  # signed but not filed: still active
    file_it(reg, new.id)
    assert reg.open_change_of(old.id) is None
    assert reg.replacement_of(old.id) is not None
    assert reg.verify_chain() == []


def test_a_returned_change_changes_nothing(office: Home, reg: Register):
    old = make_case(office, reg, 1)
    new = change_case(reg, old.id)
    with reg.transaction() as db:
        reg.update(db, new, status="returned")
        reg.add_event(db, new.id, at=AT, step=3, action=Action.RETURNED)
    assert reg.open_change_of(old.id) is None and reg.replacement_of(old.id) is None
    again = change_case(reg, old.id, key="again")  # the office may take a new request in
    assert reg.open_change_of(old.id) == again


def test_a_case_of_another_service_may_change_a_kk_wna_card(office: Home, reg: Register,
                                                             toy):  # noqa: F811
    old = make_case(office, reg, 1)
    new = change_case(reg, old.id, service=TOY.code)
    assert new.id == "UJI-2026-0001" and reg.replaces(new.id) == old.id
    sign(reg, new.id, AT + timedelta(days=1))
    found = reg.replacement_of(old.id)
    assert found is not None and found[0].id == new.id and found[0].service == TOY.code
    assert reg.verify_chain() == []


def test_a_link_nobody_may_give_is_refused_in_indonesian(office: Home, reg: Register):
    old = make_case(office, reg, 1)
    unsigned = change_case(reg, None, key="unsigned")
    first = change_case(reg, old.id, key="first")

    def link(cid: str, to: str | None) -> None:
        with reg.transaction() as db:
            reg.set_replaces(db, cid, to)
            reg.add_event(db, cid, at=AT, step=3, action=Action.APPROVED)

    second = change_case(reg, None, key="second")
    with pytest.raises(RegisterError, match=f"KK {old.id} sedang diubah oleh kasus {first.id}"):
        link(second.id, old.id)
    with pytest.raises(RegisterError, match=f"KK {unsigned.id} belum terbit"):
        link(second.id, unsigned.id)
    with pytest.raises(RegisterError, match="KK KKWNA-2026-0099 tidak ada di register"):
        link(second.id, "KKWNA-2026-0099")
    with pytest.raises(RegisterError, match="tidak ada di register"):
        link(second.id, second.id)
    sign(reg, first.id, AT + timedelta(days=1))
    with pytest.raises(RegisterError, match=f"sudah diganti oleh KK {first.id}: ubahlah KK "
                                            f"{first.id}"):
        link(second.id, old.id)
    with pytest.raises(RegisterError, match=f"{first.id} sudah ditandatangani"):
        link(first.id, None)
    assert reg.replaces(second.id) is None and reg.replaces(first.id) == old.id
    link(unsigned.id, None)  # the same value again: nothing to do
    assert reg.verify_chain() == []


def test_a_link_set_with_no_event_is_refused_at_the_commit(office: Home, reg: Register):
    old = make_case(office, reg, 1)
    new = change_case(reg, None)
    with (pytest.raises(RegisterError, match="KK yang diganti changed without an event"),
          reg.transaction() as db):
        reg.set_replaces(db, new.id, old.id)
    assert reg.replaces(new.id) is None


@pytest.mark.parametrize("edit", ["set", "moved", "cleared"])
def test_a_link_edited_by_hand_is_reported_by_the_chain_and_archive_verify(
        office: Home, reg: Register, cfg: config.Config, edit: str):
    old = make_case(office, reg, 1)
    other = make_case(office, reg, 2)
    for case in (old, other):
        archive.file_case(office, cfg, reg, reg.get(case.id))
    plain = change_case(reg, None, key="plain")
    new = change_case(reg, old.id)
    assert reg.verify_chain() == [] and archive.verify_archive(office, reg) == []
    raw = sqlite3.connect(reg.path, isolation_level=None)
    victim, value = {"set": (plain.id, old.id), "moved": (new.id, other.id),
                     "cleared": (new.id, None)}[edit]
    raw.execute("UPDATE cases SET replaces = ? WHERE id = ?", (value, victim))
    raw.close()
    problems = reg.verify_chain()
    assert len(problems) == 1
    assert problems[0].startswith(f"Kasus {victim}: KK yang diganti tidak sesuai")
    assert f"register: {problems[0]}" in archive.verify_archive(office, reg)


def test_a_case_that_changes_nothing_commits_the_state_it_did_before():
    args = ("T", "AB12-CD", '{"keluarga": {"no_kk": "1"}}', [("paspor", "X1")],
            [("02 lembar checklist.pdf", "ab")])
    before = chainstate.state(*args)
    assert chainstate.state(*args, replaces=None) == before
    assert "mengganti" not in before
    linked = chainstate.state(*args, replaces="KKWNA-2026-0001")
    assert chainstate.differences(before, linked) == ["KK yang diganti"]


def test_a_register_made_before_services_gains_the_link(tmp_path: Path):
    path = tmp_path / "archive" / "register.sqlite3"
    path.parent.mkdir()
    for name in ("register.sqlite3", "register.chain"):
        shutil.copy(OLD_REGISTER / name, path.parent / name)
    reg = Register(path)
    assert {c.replaces for c in reg.cases()} == {None}
    assert reg.verify_chain() == []
    issued = [c for c in reg.cases() if c.status == "issued"]
    assert len(issued) == 2
    new = change_case(reg, issued[0].id)
    sign(reg, new.id, AT + timedelta(days=1))
    found = reg.replacement_of(issued[0].id)
    assert found is not None and found[0].id == new.id
    assert reg.replacement_of(issued[1].id) is None
    assert reg.verify_chain() == []
    reg.close()
    again = Register(path)
    assert again.replaces(new.id) == issued[0].id and again.verify_chain() == []
    indexes = {r[0] for r in again.db.execute("SELECT name FROM sqlite_master"
                                              " WHERE type = 'index'")}
    assert {"cases_replaces", "cases_no_kk"} <= indexes
    again.close()


def test_the_register_book_says_which_card_replaced_which(office: Home, reg: Register):
    """The archivist reads it in the book: the old case "Diganti oleh ... (date)", the
    change case "Mengubah KK ..."; nothing while the new KK is not signed."""
    from pipeline.archive.books import book_rows

    old, other = make_case(office, reg, 1), make_case(office, reg, 2)
    new = change_case(reg, old.id)

    def remarks() -> dict[str, str]:
        return {r["nomor_register"]: r["keterangan"] for r in book_rows(reg, 2026)}

    assert remarks()[old.id] == "KK sudah diserahkan"
    assert remarks()[new.id] == f"Dalam proses (langkah 3); mengubah KK {old.id}"
    assert reg.replacements() == {}
    sign(reg, new.id, datetime.fromisoformat("2026-11-24T23:30+00:00"))  # 25-11 in WITA
    file_it(reg, new.id)
    assert reg.replacements() == {old.id: (new.id, reg.replacement_of(old.id)[1])}
    book = remarks()
    assert book[old.id] == f"Diganti oleh {new.id} (25-11-2026)"
    assert book[new.id] == f"Mengubah KK {old.id}"
    assert book[other.id] == "KK sudah diserahkan"


def test_a_change_filed_the_next_year_rewrites_the_old_cards_book(office: Home, reg: Register,
                                                                  cfg: config.Config):
    """The card of 2025 changed in 2026: filing the change redraws 2025's register book too,
    which then says the card was replaced."""
    from pipeline.archive.books import book_rows

    old = make_case(office, reg, 1, year=2025)
    archive.file_case(office, cfg, reg, old)
    book_2025 = office.archive / "2025" / "buku-register-2025.pdf"
    before = book_2025.read_bytes()
    new = make_case(office, reg, 2, year=2026, replaces=old.id)
    archive.file_case(office, cfg, reg, reg.get(new.id))
    assert book_2025.read_bytes() != before
    remarks = {r["nomor_register"]: r["keterangan"] for r in book_rows(reg, 2025)}
    assert remarks[old.id].startswith(f"Diganti oleh {new.id} (")
    assert archive.verify_archive(office, reg) == []


def test_an_issued_card_is_found_by_its_no_kk_and_its_holder_through_the_index(
        office: Home, reg: Register):
    """The change service's verification finds the card by No. KK (an index on the family
    data's number) and guesses it by the holder's name (SQLite reading the JSON): only
    issued cases, in register order."""
    from tests.archive_cases import family

    issued = make_case(office, reg, 1)
    returned = make_case(office, reg, 2, returned_at=3)
    no_kk, holder = family(1)["no_kk"], family(1)["anggota"][0]["nama_lengkap"]
    with reg.transaction() as db:  # a returned case with the same number: not a card
        reg.update(db, returned, data={"keluarga": family(1)})
        reg.add_event(db, returned.id, at=AT, step=3, action=Action.RETURNED)
    assert [c.id for c in reg.issued_with_no_kk(no_kk)] == [issued.id]
    assert reg.issued_with_no_kk(family(2)["no_kk"]) == []
    assert [c.id for c in reg.issued_with_member(holder)] == [issued.id]
    assert reg.issued_with_member(holder.lower()) == []
    plan = " ".join(str(tuple(r)) for r in reg.db.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM cases WHERE json_extract(data, '$.keluarga.no_kk')"
        " = ? AND status = 'issued'", (no_kk,)))
    assert "cases_no_kk" in plan
