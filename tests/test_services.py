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

from pipeline import services
from pipeline import steps as handlers
from pipeline.domain import sop
from pipeline.domain.actions import Action
from pipeline.domain.case import Case
from pipeline.steps import front_office
from pipeline.store import chainstate
from pipeline.store.register import Register, RegisterBehind
from tests.toy_service import TOY

AT = datetime.fromisoformat("2026-11-23T09:00+08:00")
OLD_REGISTER = Path(__file__).parent / "data" / "register-before-services"

# The toy third service lives in its own module (tests/toy_service.py), as a new service would.


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
    with pytest.raises(ValueError, match="folder inbox-uji-coba/ sudah dipakai layanan uji-coba"):
        services.register(replace(TOY, code="lain", prefix="LAIN"))
    with pytest.raises(ValueError, match="folder inbox"):
        replace(TOY, inbox="../kasus")
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
    """The same decision on the checklist sends a KK WNA case on to the verifier and a toy
    case to the step its own table names next (its hand-over)."""
    from pipeline.domain.engine import judge
    from pipeline.domain.model import Context, Decision
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
    kk_next, toy_next = services.default().after(step), TOY.after(step)
    assert kk_next is not None and toy_next is not None and kk_next != toy_next
    assert went == {"kk-wna": (kk_next.number, "open"), "uji-coba": (toy_next.number, "open")}


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
    """`inbox/` stays KK WNA's (the contract fixes it)."""
    from tests.office import jpeg, run_once
    jpeg(office.inbox / "MARIA GARCIA" / "paspor.jpg")
    run_once(office)
    reg = Register(office.register_path)
    (case,) = reg.cases()
    reg.close()
    assert (case.id, case.service) == ("KKWNA-2026-0001", "kk-wna")


def _form_fields(path: Path) -> dict[str, str]:
    from pipeline.desks import forms
    return dict(forms.read_form(path)[0])


def test_the_toy_service_runs_end_to_end_beside_kk_wna(toy, office):
    """A scan dropped in the toy's own inbox becomes UJI-2026-0001; its checklist (its two
    requirements) and its hand-over are filled and saved on the shared desks as staff do,
    and the case is filed; a KK WNA case dropped at the same time goes its own way."""
    from pipeline.office import config
    from pipeline.office import home as homes
    from tests.conftest import FRONT_OFFICE
    from tests.office import fill, jpeg, one, run_once

    homes.init(office)  # `kkwna init` makes every registered service's inbox
    toy_inbox = office.root / "inbox-uji-coba"
    assert toy_inbox.is_dir() and office.inbox.is_dir()
    jpeg(toy_inbox / "BUDI SANTOSO" / "formulir.jpg")
    jpeg(office.inbox / "MARIA GARCIA" / "KITAP.jpg")
    run_once(office)

    reg = Register(office.register_path)
    cases = {c.id: c for c in reg.cases()}
    assert {cid: c.service for cid, c in cases.items()} \
        == {"UJI-2026-0001": "uji-coba", "KKWNA-2026-0001": "kk-wna"}
    assert cases["UJI-2026-0001"].source_name == "BUDI SANTOSO"
    assert not (toy_inbox / "BUDI SANTOSO").exists() and not list(office.inbox.iterdir())

    front = office.desks / TOY.first_desk.desk  # shared by both services
    toy_form = one(front, "UJI-2026-0001 *.pdf")
    kk_form = one(front, "KKWNA-2026-0001 *.pdf")
    toy_fields, kk_fields = _form_fields(toy_form), _form_fields(kk_form)
    assert {"cek_formulir", "cek_ktp"} <= set(toy_fields) and "cek_kitap" not in toy_fields
    assert {"cek_kitap", "cek_hadir_sendiri"} <= set(kk_fields) and "cek_ktp" not in kk_fields
    assert toy_fields["cek_formulir"] not in ("", "/Off")  # pre-ticked from "formulir.jpg"

    fill(toy_form, {"cek_formulir": "ya", "cek_ktp": "ya", "nama_pemohon": "BUDI SANTOSO",
                    "keputusan": "setuju", "petugas_nip": FRONT_OFFICE})
    run_once(office)
    toy_case = reg.get("UJI-2026-0001")
    hand_over = TOY.steps[-1]
    assert (toy_case.status, toy_case.step) == ("open", hand_over.number)
    assert toy_case.collection_code
    slip = one(office.print, "UJI-2026-0001 * - 02 tanda bukti pengambilan.pdf")
    assert slip.stat().st_size > 0

    cfg = config.load(office.root)
    officer = cfg.officers_for(hand_over.decider.key)[0]
    form = one(office.desks / (hand_over.desk or ""), "UJI-2026-0001 *.pdf")
    assert _form_fields(form)["langkah"] == str(hand_over.number)
    fill(form, {"kode_pengambilan": toy_case.collection_code, "penerima_nama": "Budi Santoso",
                "keputusan": "setuju", "petugas_nip": officer.nip})
    run_once(office)

    done = reg.get("UJI-2026-0001")
    assert done.status == "issued" and done.folder.startswith("archive/")
    filed = {row["name"] for row in reg.documents(done.id)}
    assert {"01 berkas permohonan.pdf", "02 lembar checklist.pdf",
            "02 tanda bukti pengambilan.pdf", "05 tanda terima penyerahan.pdf"} <= filed
    assert [(e["step"], e["action"]) for e in reg.events(done.id)] == [
        (1, Action.RECEIVED), (2, Action.APPROVED), (hand_over.number, Action.HANDED_OVER),
        (hand_over.number, Action.FILED)]
    assert not list((office.desks / (hand_over.desk or "")).glob("UJI-*"))

    kk = reg.get("KKWNA-2026-0001")  # untouched: still waiting on its own checklist
    assert (kk.service, kk.status, kk.step) == ("kk-wna", "open", sop.FIRST_DESK.number)
    assert kk_form.exists() and [e["step"] for e in reg.events(kk.id)] == [1]
    assert reg.verify_chain() == []
    reg.close()


def test_a_case_waits_in_status_for_what_its_own_table_names(toy, office):
    from pipeline.office import config
    from pipeline.reports import status
    from tests.office import jpeg, run_once

    homes_init(office)
    jpeg(office.root / "inbox-uji-coba" / "BUDI" / "ktp.jpg")
    run_once(office)
    cfg = config.load(office.root)
    reg = Register(office.register_path)
    try:
        text = status.render(cfg, reg)
        one_case = status.render(cfg, reg, "UJI-2026-0001")
        rows = status.as_json(cfg, reg, office)["kasus_terbuka"]
    finally:
        reg.close()
    assert "Layanan Uji Coba: desks/02-front-office: langkah 2" in text
    assert "layanan: Layanan Uji Coba" in one_case
    assert [(r["kasus"], r["layanan"], r["standar"]) for r in rows] \
        == [("UJI-2026-0001", "uji-coba", TOY.first_desk.minutes)]


def homes_init(office):
    from pipeline.office import home as homes
    homes.init(office)


def test_a_toy_case_is_pre_ticked_from_its_own_checklist(toy):
    t = datetime(2026, 11, 23, 9)
    case = Case(id="UJI-2026-0001", year=2026, seq=1, title="T", status="open", step=2,
                rounds={}, received_at=t, clock_start=t, outside_hours=False, step_since=t,
                folder="cases/x", source_name="x", source_key="k", source_removed=False,
                collection_code=None, data={"berkas": ["ktp.jpg", "paspor.jpg"]},
                service=toy.code)
    front = handlers.handler(toy, toy.first_desk.number)  # the toy's own checklist
    front.on_enter(None, case)  # type: ignore[arg-type]  # the register is not read
    assert case.data["checklist_hint"] == {"cek_formulir": False, "cek_ktp": True}



def test_a_long_service_prefix_still_leaves_every_case_name_within_255_bytes():
    """The room a case title gets is measured on the longest prefix registered, not on
    "KKWNA-": a case "PINDAHDTNG-2026-00001 <title> - <desk form>.pdf.error.txt" must not
    pass NAME_MAX, whatever the title's characters."""
    from pipeline.intake import taking
    from pipeline.office.fsutil import NAME_MAX

    # 60 characters of 3 bytes: the title is cut to its budget, and a few bytes less room
    # (PDKKWNA- to PINDAHDTNG-) cut it shorter still
    wide = "\u20ac" * 60
    kk_wna = taking.safe_title(wide)
    long = replace(TOY, code="pindah-datang", prefix="PINDAHDTNG")
    services.register(long)
    try:
        title = taking.safe_title(wide)
    finally:
        services.unregister(long.code)
    assert len(f"PINDAHDTNG-2026-00001 {title}".encode()) + taking.TITLE_SUFFIX_BYTES \
        <= NAME_MAX
    assert len(title.encode()) < len(kk_wna.encode())  # the room follows the prefix


def test_a_backlog_over_two_inboxes_numbers_each_service_in_its_drop_order(toy, office,
                                                                          caplog):
    """Entries moved into both inboxes at once, enough to start the worker pool: each
    becomes a case of its inbox's service, numbered gap-free per service in drop order;
    each case's checklist on the shared desk is its own service's."""
    import logging
    import os

    from pipeline.desks import forms, placing
    from pipeline.intake.taking import natural_key
    from pipeline.office import config
    from pipeline.office import home as homes
    from pipeline.watcher import BACKLOG, Watcher
    from tests.office import jpeg

    homes.init(office)
    inboxes = {"kk-wna": office.inbox, "uji-coba": office.root / toy.inbox}
    staging = office.root / "scanner"
    dropped: dict[str, list[str]] = {code: [] for code in inboxes}
    for n in range(1, BACKLOG + 3):
        code = "uji-coba" if n % 2 else "kk-wna"
        name = f"pemohon {n}.jpg"
        jpeg(staging / code / name, size=(300, 400), text=name)
        dropped[code].append(name)
    for code, names in dropped.items():
        for name in names:
            os.rename(staging / code / name, inboxes[code] / name)
    with caplog.at_level(logging.INFO, logger="pipeline.intake.backlog"):
        Watcher(office, config.load(office.root), once=True).run()
    assert "proses penggambar" in caplog.text  # the backlog went to the pool

    reg = Register(office.register_path)
    try:
        for code, names in dropped.items():
            service = services.get(code)
            mine = [c for c in reg.cases() if c.service == code]
            assert [c.source_name for c in mine] == sorted(names, key=natural_key)
            assert [c.id for c in mine] == [service.case_id(2026, n)
                                            for n in range(1, len(names) + 1)]
            for case in mine:
                assert case.status == "open" and case.step == service.first_desk.number
                fields, _ = forms.read_form(placing.form_path(office, case, case.step))
                assert fields["kasus"] == case.id
                assert {r.key for r in service.requirements} <= set(fields)
            assert not list(inboxes[code].iterdir())
    finally:
        reg.close()


def test_a_held_entry_of_another_inbox_is_kept_apart_from_one_of_the_same_name(toy, office):
    """faults.json keys an entry of KK WNA's inbox by its name, as always, and one of
    another service's inbox as "<inbox>/<name>": the two never share a hold or a note."""
    from pipeline.intake import holding as holding
    from pipeline.office import faults

    kk_entry, toy_entry = office.inbox / "MARIA", office.root / toy.inbox / "MARIA"
    assert holding.entry_key(kk_entry) == "MARIA"
    assert holding.entry_key(toy_entry) == f"{toy.inbox}/MARIA"
    for entry in (kk_entry, toy_entry):
        assert holding.entry_at(office, holding.entry_key(entry)) == entry
        assert holding.note_path(office, holding.entry_key(entry)).parent == entry.parent
    faults.hold(office, holding.entry_key(toy_entry), "UJI-2026-0001", AT, "1")
    assert faults.load(office).lines() == [
        f"{toy.inbox}/MARIA: sisa berkas setelah kasus UJI-2026-0001 dibuka; tidak diterima "
        f"otomatis (lihat catatan di sebelahnya)"]
    assert holding.release_gone(office) == [f"{toy.inbox}/MARIA"]  # the folder is not there
