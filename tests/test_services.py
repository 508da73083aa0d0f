"""A service is a value (issue 17, item 1): the registry, the KK WNA service built from the SOP
table, a toy third service defined here (not in pipeline/) numbered beside KK WNA in one
register, and a register made before services existed upgraded with its chain intact."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from pipeline import chainstate, services, sop
from pipeline import steps as handlers
from pipeline.register import Case, Register, RegisterBehind
from pipeline.services import Requirement, Service
from pipeline.steps import front_office

AT = datetime.fromisoformat("2026-11-23T09:00+08:00")
OLD_REGISTER = Path(__file__).parent / "data" / "register-before-services"

# A toy third service: two steps of the KK WNA table (intake, the front office's checklist),
# its own prefix and a two-requirement checklist. Only the test suite knows it.
TOY = Service(
    code="uji-coba", prefix="UJI", title="Layanan Uji Coba", product="Surat Uji Coba",
    sop_number="800/999-SOP/DUKCAPIL/2026", sop_date=date(2026, 1, 2),
    requirements=(Requirement("cek_formulir", "Formulir permohonan uji coba", True,
                              ("formulir",)),
                  Requirement("cek_ktp", "KTP pemohon", False, ("ktp",))),
    steps=sop.STEPS[:2], total_minutes=2, inbox="inbox-uji-coba")


@pytest.fixture
def toy():
    services.register(TOY)
    yield TOY
    services.unregister(TOY.code)


def open_one(reg: Register, service: str | None = None, year: int = 2026, key: str = "k"):
    extra = {} if service is None else {"service": service}
    with reg.transaction() as db:
        return reg.open_case(db, year=year, title="T", received_at=AT, clock_start=AT,
                             outside_hours=False, folder_for=lambda c: f"cases/{c}",
                             source_name="x", source_key=key, **extra)


def taken_in(reg: Register, service: str | None = None, key: str = "k", year: int = 2026):
    case = open_one(reg, service, year, key=key)
    with reg.transaction() as db:
        reg.update(db, case, status="open", step=2, rounds={2: 1})
        reg.add_event(db, case.id, at=AT, step=1, action="diterima")
    return case


# --------------------------------------------------------------------------- the registry


def test_the_registry_knows_kk_wna_as_the_default():
    kk = services.default()
    assert services.get("kk-wna") is kk
    assert kk in services.all()
    assert (kk.code, kk.prefix) == ("kk-wna", "KKWNA")
    assert kk.title == "Penerbitan Kartu Keluarga WNA"
    assert kk.sop_number == "800/003-SOP/DUKCAPIL/2022"
    assert kk.sop_date == date(2020, 1, 2) and kk.sop_revised == date(2022, 8, 1)


def test_an_unknown_service_is_refused_in_indonesian():
    with pytest.raises(KeyError, match="layanan 'tidak-ada' tidak dikenal"):
        services.get("tidak-ada")


def test_kk_wna_is_the_sop_table_the_old_names_still_read():
    kk = services.default()
    assert kk.steps is sop.STEPS  # the table stays where other modules import it from
    assert kk.total_minutes == sop.TOTAL_MINUTES
    assert kk.first is sop.FIRST and kk.first_desk is sop.FIRST_DESK
    assert kk.desks() == sop.desks()
    assert kk.decided_at_desk() == sop.decided_at_desk()
    for s in sop.STEPS:
        assert kk.step(s.number) is sop.step(s.number)
        assert kk.after(s.number) is sop.after(s.number)
        if s.desk:
            assert kk.step_of_desk(s.desk) is s


def test_every_step_names_its_handler_by_key():
    kk = services.default()
    keys = [s.handler for s in kk.steps if s.handler]
    assert len(keys) == len(set(keys)) == len(kk.steps) - 1  # all but the intake
    for s in kk.steps:
        if s.handler:
            assert type(handlers.handler(s.number)) is handlers.handler_class(s.handler)
    with pytest.raises(KeyError, match="penangan langkah 'tidak-ada' tidak dikenal"):
        handlers.handler_class("tidak-ada")


def test_the_checklist_is_the_services_requirements():
    kk = services.default()
    assert [r.key for r in kk.requirements] == ["cek_formulir", "cek_kitap", "cek_paspor",
                                                 "cek_hadir_sendiri"]
    as_rows = tuple((r.key, r.label, r.required) for r in kk.requirements)
    assert as_rows == front_office.CHECKLIST
    assert set(front_office.FrontOffice.fields) >= {r.key for r in kk.requirements}
    # a requirement no file name can show (the applicant came in person) is never pre-ticked
    hints = front_office.hints_from_names(["KITAP ayah.jpg", "passport.pdf", "F-1.01.pdf"])
    assert hints == {"cek_formulir": True, "cek_kitap": True, "cek_paspor": True,
                     "cek_hadir_sendiri": False}
    assert front_office.hints_from_names(["KTP.jpg", "formulir.pdf"], TOY) \
        == {"cek_formulir": True, "cek_ktp": True}


def test_a_service_is_refused_when_it_cannot_be_told_apart(toy):
    with pytest.raises(ValueError, match="sudah terdaftar"):
        services.register(replace(TOY, prefix="LAIN"))
    with pytest.raises(ValueError, match="awalan nomor 'KKWNA' sudah dipakai"):
        services.register(replace(TOY, code="lain", prefix="KKWNA"))
    with pytest.raises(ValueError, match="awalan nomor"):
        replace(TOY, code="x", prefix="uji-1")
    with pytest.raises(ValueError, match="persyaratan"):
        replace(TOY, requirements=TOY.requirements * 2)
    assert services.get("uji-coba") is toy and toy in services.all()


def test_each_service_has_its_own_handlers_bound_to_its_own_steps(toy):
    kk = services.default()
    front = handlers.handler(toy, TOY.first_desk.number)
    assert front.service is toy and front.step is TOY.first_desk
    assert front is handlers.handler(toy, TOY.first_desk.number)  # built once per service
    assert front is not handlers.handler(kk, kk.first_desk.number)
    assert set(handlers.table(toy)) == {s.number for s in TOY.steps if s.handler}
    assert handlers.signature_of(toy) is None and handlers.data_entry_step() \
        == handlers.data_entry_step(kk)
    assert handlers.signature() is handlers.signature(kk) is handlers.signature_of(kk)
    with pytest.raises(KeyError, match="tidak memiliki langkah tanda tangan"):
        handlers.signature(toy)
    # a service registered again under its code gets handlers of its own table
    other = replace(TOY, title="Layanan Uji Coba Lain")
    assert handlers.handler(other, TOY.first_desk.number).service is other


def test_a_decision_follows_the_table_of_the_cases_own_service(cfg, toy):
    """The toy's table ends at its checklist: approving it there finishes the case, where
    the same decision on a KK WNA case goes on to the verifier."""
    from pipeline.engine import judge
    from pipeline.model import Context, Decision
    from tests.conftest import FRONT_OFFICE

    t = datetime(2026, 11, 23, 9)
    ticks = dict(cek_formulir="ya", cek_kitap="ya", cek_paspor="ya", cek_hadir_sendiri="ya",
                 cek_ktp="ya", nama_pemohon="Budi")
    step = TOY.first_desk.number
    went = {}
    for service in (services.default(), toy):
        case = Case(id=service.case_id(2026, 1), year=2026, seq=1, title="T", status="open",
                    step=step, rounds={step: 1}, received_at=t, clock_start=t,
                    outside_hours=False, step_since=t, folder="cases/x", source_name="x",
                    source_key="k", source_removed=True, collection_code=None, data={},
                    service=service.code)
        d = Decision(case.id, step, True, "", "", FRONT_OFFICE, ticks)
        moved = judge(case, d, Context(cfg, t.date()))
        went[service.code] = (moved.next_step, moved.status)
    kk_next = services.default().after(step)
    assert kk_next is not None
    assert went == {"kk-wna": (kk_next.number, "open"), "uji-coba": (None, "issued")}


# ---------------------------------------------------------------- numbering per service


def test_a_case_records_its_service_kk_wna_by_default(tmp_path):
    reg = Register(tmp_path / "r.sqlite3")
    case = open_one(reg)
    assert case.service == "kk-wna" and case.id == "KKWNA-2026-0001"
    assert reg.get(case.id).service == "kk-wna"


def test_each_service_numbers_its_own_cases_gap_free_in_one_register(tmp_path, toy):
    reg = Register(tmp_path / "r.sqlite3")
    order = ["kk-wna", "uji-coba", "kk-wna", "uji-coba", "uji-coba", "kk-wna"]
    ids = [taken_in(reg, s, key=str(i)).id for i, s in enumerate(order)]
    assert ids == ["KKWNA-2026-0001", "UJI-2026-0001", "KKWNA-2026-0002", "UJI-2026-0002",
                   "UJI-2026-0003", "KKWNA-2026-0003"]
    assert open_one(reg, "uji-coba", year=2027).id == "UJI-2027-0001"
    assert {c.id: c.service for c in reg.cases()} == {**dict(zip(ids, order, strict=True)),
                                                      "UJI-2027-0001": "uji-coba"}
    assert reg.highest_numbers() == {2026: 3}  # KK WNA's, as before
    assert reg.highest_numbers("uji-coba") == {2026: 3, 2027: 1}
    assert reg.verify_chain() == []


def test_a_rolled_back_toy_case_gives_back_its_number(tmp_path, toy):
    reg = Register(tmp_path / "r.sqlite3")
    open_one(reg, "uji-coba")
    with pytest.raises(RuntimeError), reg.transaction() as db:
        reg.open_case(db, year=2026, title="T", received_at=AT, clock_start=AT,
                      outside_hours=False, folder_for=str, source_name="x", source_key="k",
                      service="uji-coba")
        raise RuntimeError("crash before commit")
    assert open_one(reg, "uji-coba").id == "UJI-2026-0002"
    assert open_one(reg).id == "KKWNA-2026-0001"


def test_an_unknown_service_gets_no_number(tmp_path):
    reg = Register(tmp_path / "r.sqlite3")
    with pytest.raises(KeyError, match="tidak dikenal"):
        open_one(reg, "tidak-ada")
    assert reg.cases() == []


def test_a_service_changed_by_hand_is_caught_by_the_chain(tmp_path, toy):
    reg = Register(tmp_path / "r.sqlite3")
    kk = [taken_in(reg, key=f"k{i}") for i in range(2)]
    uji = [taken_in(reg, "uji-coba", key="u", year=2027)]
    assert reg.verify_chain() == []

    def moved(cid: str, service: str) -> list[str]:
        reg.db.execute("UPDATE cases SET service = ? WHERE id = ?", (service, cid))
        return reg.verify_chain()

    # (year, number) must be free in the other service, or the database itself refuses
    for case, other in ((kk[1], "uji-coba"), (uji[0], "kk-wna")):
        problems = moved(case.id, other)
        assert len(problems) == 1 and f"Kasus {case.id}: layanan tidak sesuai" in problems[0]
        assert moved(case.id, case.service) == []


def test_the_state_of_a_kk_wna_case_is_hashed_as_before():
    """Events sealed before services existed commit to a state without a service: a KK WNA
    case's state must read the same, or every old register would fail to verify."""
    args = ("T", "AB12-CD", '{"keluarga": {"no_kk": "1"}}', [("paspor", "X1")],
            [("02 lembar checklist.pdf", "ab")])
    before = chainstate.state(*args)
    assert chainstate.state(*args, service="kk-wna") == before
    assert "layanan" not in before
    toy_state = chainstate.state(*args, service="uji-coba")
    assert chainstate.differences(before, toy_state) == ["layanan"]


def test_folders_of_each_service_are_checked_against_its_own_numbers(tmp_path, toy):
    reg = Register(tmp_path / "archive" / "register.sqlite3")
    open_one(reg)
    open_one(reg, "uji-coba")
    cases = tmp_path / "cases"
    (cases / "KKWNA-2026-0001 ANA").mkdir(parents=True)
    (cases / "UJI-2026-0001 BUDI").mkdir()
    reg.check_against_disk([cases])
    (cases / "UJI-2026-0002 CICI").mkdir()
    with pytest.raises(RegisterBehind, match="folder UJI-2026-0002 ada, register hanya "
                                             "sampai UJI-2026-0001"):
        reg.check_against_disk([cases])


# ------------------------------------------------------------ a register kept before services


def test_a_register_made_before_services_is_upgraded_and_still_verifies(tmp_path, toy):
    path = tmp_path / "archive" / "register.sqlite3"
    path.parent.mkdir()
    for name in ("register.sqlite3", "register.chain"):
        shutil.copy(OLD_REGISTER / name, path.parent / name)
    raw = sqlite3.connect(path)
    assert "service" not in {r[1] for r in raw.execute("PRAGMA table_info(cases)")}
    events_before = raw.execute("SELECT id, hash FROM events ORDER BY id").fetchall()
    raw.close()

    reg = Register(path)
    assert reg.verify_chain() == []
    cases = reg.cases()
    assert len(cases) == 5 and {c.service for c in cases} == {"kk-wna"}
    assert [tuple(r) for r in reg.db.execute("SELECT id, hash FROM events ORDER BY id")] \
        == events_before  # no event was rewritten
    assert taken_in(reg, key="new").id == "KKWNA-2026-0006"
    assert taken_in(reg, "uji-coba", key="toy").id == "UJI-2026-0001"
    assert reg.verify_chain() == []
    reg.close()
    again = Register(path)  # opening an upgraded register changes nothing more
    assert again.verify_chain() == [] and len(again.cases()) == 7


def test_a_drop_in_the_inbox_is_a_kk_wna_case(office):
    """All drops are KK WNA's for now (one inbox folder per service is the next step)."""
    from tests.office import jpeg, run_once
    jpeg(office.inbox / "MARIA GARCIA" / "paspor.jpg")
    run_once(office)
    reg = Register(office.register_path)
    (case,) = reg.cases()
    reg.close()
    assert (case.id, case.service) == ("KKWNA-2026-0001", "kk-wna")


def test_a_toy_case_is_pre_ticked_from_its_own_checklist(toy):
    t = datetime(2026, 11, 23, 9)
    case = Case(id="UJI-2026-0001", year=2026, seq=1, title="T", status="open", step=2,
                rounds={}, received_at=t, clock_start=t, outside_hours=False, step_since=t,
                folder="cases/x", source_name="x", source_key="k", source_removed=False,
                collection_code=None, data={"berkas": ["ktp.jpg", "paspor.jpg"]},
                service=toy.code)
    front = handlers.handler(sop.FIRST_DESK.number)
    front.on_enter(None, case)  # type: ignore[arg-type]  # the register is not read
    assert case.data["checklist_hint"] == {"cek_formulir": False, "cek_ktp": True}



def test_a_long_service_prefix_still_leaves_every_case_name_within_255_bytes():
    """The room a case title gets is measured on the longest prefix registered, not on
    "KKWNA-": a case "PINDAHDTNG-2026-00001 <title> - <desk form>.pdf.error.txt" must not
    pass NAME_MAX, whatever the title's characters."""
    from pipeline import intake
    from pipeline.fsutil import NAME_MAX

    # 60 characters of 3 bytes: the title is cut to its budget, and a few bytes less room
    # (PDKKWNA- to PINDAHDTNG-) cut it shorter still
    wide = "\u20ac" * 60
    kk_wna = intake.safe_title(wide)
    long = replace(TOY, code="pindah-datang", prefix="PINDAHDTNG")
    services.register(long)
    try:
        title = intake.safe_title(wide)
    finally:
        services.unregister(long.code)
    assert len(f"PINDAHDTNG-2026-00001 {title}".encode()) + intake.TITLE_SUFFIX_BYTES \
        <= NAME_MAX
    assert len(title.encode()) < len(kk_wna.encode())  # the room follows the prefix
