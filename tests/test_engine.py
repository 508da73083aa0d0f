"""The SOP's rules, decision by decision (pure: no files, no register)."""

from datetime import date, datetime

import pytest

from pipeline.domain.case import Case
from pipeline.domain.engine import judge
from pipeline.domain.model import Context, Decision, Duplicate, Refused
from pipeline.steps.front_office import hints_from_names
from tests.conftest import ANALIS, FRONT_OFFICE, KEPALA_BIDANG, VERIFIKATOR

TODAY = date(2026, 11, 23)


def case_at(step, status="open"):
    t = datetime(2026, 11, 23, 9, tzinfo=None)
    return Case(id="KKWNA-2026-0001", year=2026, seq=1, title="JOHN SMITH", status=status,
                step=step, rounds={step: 1}, received_at=t, clock_start=t, outside_hours=False,
                step_since=t, folder="cases/x", source_name="x", source_key="k",
                source_removed=True, collection_code=None, data={})


def decision(step, approve, nip, note="", officer_name="", **fields):
    return Decision("KKWNA-2026-0001", step, approve, note, officer_name, nip, fields)


ALL_TICKS = dict(cek_formulir="ya", cek_kitap="ya", cek_paspor="tidak", cek_hadir_sendiri="ya",
                 nama_pemohon="John Michael  Smith")
VERIFIED = dict(no_paspor="PA1234567", paspor_berlaku_sampai="01-01-2030",
                no_kitap="2C21JD0001-A", kitap_berlaku_sampai="01-06-2028",
                data_valid="ya", bukan_data_ganda="ya")


def test_checklist_complete_goes_to_verification(cfg):
    t = judge(case_at(2), decision(2, True, FRONT_OFFICE, **ALL_TICKS), Context(cfg, TODAY))
    assert (t.next_step, t.status, t.officer.role) == (3, "open", "front_office")
    assert t.record["checklist"]["cek_kitap"] is True
    assert t.record["nama_pemohon"] == "JOHN MICHAEL SMITH"  # as the clerk typed it, tidied


def test_checklist_needs_the_applicants_name(cfg):
    with pytest.raises(Refused, match="Nama pemohon belum diisi"):
        judge(case_at(2), decision(2, True, FRONT_OFFICE, **{**ALL_TICKS, "nama_pemohon": " "}),
              Context(cfg, TODAY))


def test_officer_names_match_without_titles_punctuation_or_case(cfg):
    from pipeline.domain.names import key
    assert key("DEMO HJ. NOOR HIDAYAH, SE") == key("demo noor hidayah")
    assert key("Hj. RINA INDRIANI, ST") == "RINA INDRIANI"
    assert key("DEMO NOOR HIDAYAH") != key("DEMO NOOR HIDAYATI")
    t = judge(case_at(6), decision(6, True, KEPALA_BIDANG, officer_name="demo noor hidayah"),
              Context(cfg, TODAY))
    assert t.officer.nama == "DEMO HJ. NOOR HIDAYAH, SE"


@pytest.mark.parametrize("missing", ["cek_formulir", "cek_kitap", "cek_hadir_sendiri"])
def test_checklist_without_a_requirement_cannot_be_approved(cfg, missing):
    ticks = {**ALL_TICKS, missing: "tidak"}
    with pytest.raises(Refused, match="belum lengkap"):
        judge(case_at(2), decision(2, True, FRONT_OFFICE, **ticks), Context(cfg, TODAY))


def test_checklist_return_lists_what_is_missing_and_goes_to_the_applicant(cfg):
    d = decision(2, False, FRONT_OFFICE, "KITAP tidak dibawa", **{**ALL_TICKS, "cek_kitap": ""})
    t = judge(case_at(2), d, Context(cfg, TODAY))
    assert (t.next_step, t.status) == (None, "returned")
    assert t.missing == ["KITAP dari kantor imigrasi"]


@pytest.mark.parametrize("d, problem", [
    (decision(2, False, FRONT_OFFICE, "", **ALL_TICKS), "catatan wajib"),
    (decision(2, None, FRONT_OFFICE, **ALL_TICKS), "keputusan belum dipilih"),
    (decision(2, True, VERIFIKATOR, **ALL_TICKS), "bukan Front Office"),
    (decision(2, True, "", **ALL_TICKS), "NIP petugas"),
    (decision(2, True, FRONT_OFFICE, **{**ALL_TICKS, "cek_kitap": "mungkin"}), "ya' atau"),
    (decision(4, False, "199203032016032003", "x"), "tidak sedang menunggu"),
])
def test_refusals_say_why(cfg, d, problem):
    with pytest.raises(Refused) as err:
        judge(case_at(2), d, Context(cfg, TODAY))
    assert problem in str(err.value)


def test_officer_name_must_match_the_nip(cfg):
    d = Decision("KKWNA-2026-0001", 2, True, "", "SOMEONE ELSE", FRONT_OFFICE, ALL_TICKS)
    with pytest.raises(Refused, match="nama petugas tidak sesuai"):
        judge(case_at(2), d, Context(cfg, TODAY))


def test_verification_complete_goes_to_data_entry(cfg):
    t = judge(case_at(3), decision(3, True, VERIFIKATOR, **VERIFIED), Context(cfg, TODAY))
    assert t.next_step == 4 and t.record["no_paspor"] == "PA1234567"


@pytest.mark.parametrize("key, value, problem", [
    ("paspor_berlaku_sampai", "22-11-2026", "Paspor sudah tidak berlaku"),
    ("kitap_berlaku_sampai", "01-01-2020", "KITAP sudah tidak berlaku"),
    ("kitap_berlaku_sampai", "31-02-2027", "Masa berlaku KITAP tidak valid"),
    ("no_paspor", "", "Nomor paspor"),
    ("no_paspor", "TOO-LONG-PASSPORT", "ICAO"),
    ("data_valid", "tidak", "'Data valid' belum dicentang"),
])
def test_verification_refusals(cfg, key, value, problem):
    with pytest.raises(Refused) as err:
        judge(case_at(3), decision(3, True, VERIFIKATOR, **{**VERIFIED, key: value}),
              Context(cfg, TODAY))
    assert problem in str(err.value)


def test_a_document_valid_until_today_is_still_valid(cfg):
    fields = {**VERIFIED, "paspor_berlaku_sampai": "23-11-2026"}
    assert judge(case_at(3), decision(3, True, VERIFIKATOR, **fields), Context(cfg, TODAY))


def test_same_passport_in_the_register_blocks_approval_but_not_return(cfg):
    dup = Duplicate("KKWNA-2026-0001", "JOHN SMITH", "open", "paspor sama")
    ctx = Context(cfg, TODAY, duplicates=[dup])
    with pytest.raises(Refused, match="data ganda: KKWNA-2026-0001"):
        judge(case_at(3), decision(3, True, VERIFIKATOR, **VERIFIED), ctx)
    t = judge(case_at(3), decision(3, False, VERIFIKATOR, "data ganda", **VERIFIED), ctx)
    assert t.status == "returned" and t.record["data_ganda"][0]["case_id"] == "KKWNA-2026-0001"


def test_same_name_only_is_left_to_the_verifier(cfg):
    dup = Duplicate("KKWNA-2026-0001", "JOHN SMITH", "open", "nama sama")
    t = judge(case_at(3), decision(3, True, VERIFIKATOR, **VERIFIED),
              Context(cfg, TODAY, duplicates=[dup]))
    assert t.next_step == 4


def test_review_loops(cfg):
    # `setuju` alone approves: choosing it already says the draft matches the application
    assert judge(case_at(5), decision(5, True, ANALIS), Context(cfg, TODAY)).next_step == 6
    back = judge(case_at(5), decision(5, False, ANALIS, "NIK salah"), Context(cfg, TODAY))
    assert (back.next_step, back.status) == (4, "open")
    back = judge(case_at(6), decision(6, False, KEPALA_BIDANG, "ejaan"), Context(cfg, TODAY))
    assert back.next_step == 5
    assert judge(case_at(6), decision(6, True, KEPALA_BIDANG),
                 Context(cfg, TODAY)).next_step == 7


def test_data_entry_cannot_be_returned(cfg):
    with pytest.raises(Refused, match="tidak dapat dikembalikan"):
        judge(case_at(4), decision(4, False, "199203032016032003", "x"), Context(cfg, TODAY))


@pytest.mark.parametrize("names, ticked", [
    (["KITAP.jpg", "paspor.pdf", "F-1.01 formulir.tif"], {"cek_kitap", "cek_paspor",
                                                          "cek_formulir"}),
    (["Passport scan.png"], {"cek_paspor"}),
    (["scan001.pdf"], set()),
    (["f101.pdf"], {"cek_formulir"}),
])
def test_file_name_hints(names, ticked):
    hints = hints_from_names(names)
    assert {k for k, v in hints.items() if v} == ticked
