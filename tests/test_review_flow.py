"""SOP steps 3-6: verification, data entry, the draft KK, the two reviews and the initial,
driven through the desk forms (filled as a PDF reader would) and through the CLI."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pypdf
import pytest

from pipeline.render import pdfa
from pipeline.store.register import Register
from tests.conftest import ADM_SIAK, ANALIS, FRONT_OFFICE, KEPALA_BIDANG, VERIFIKATOR
from tests.families import ADDRESS, HEAD, TAPIN
from tests.office import assert_archival, jpeg, one, run_once, visible

FAMILY = {
    **ADDRESS,
    "anggota": [
        HEAD,
        {"nama_lengkap": "EMMA SMITH", "nik": "6305045507120001",
         "jenis_kelamin": "PEREMPUAN", "tempat_lahir": "PERTH", "tanggal_lahir": "15-07-2012",
         "agama": "KRISTEN", "pendidikan": "SLTP/SEDERAJAT",
         "jenis_pekerjaan": "PELAJAR/MAHASISWA", "golongan_darah": "A",
         "status_perkawinan": "BELUM KAWIN", "tanggal_perkawinan": "",
         "status_hubungan": "ANAK", "kewarganegaraan": "AUSTRALIA",
         "no_paspor": "PA7654321", "no_kitap": "2C21JD0002-A", "nama_ayah": "JOHN MICHAEL SMITH",
         "nama_ibu": "SARAH SMITH"},
    ],
}
VERIFIED = ["no_paspor=PA1234567", "paspor_berlaku_sampai=01-01-2030", "no_kitap=2C21JD0001-A",
            "kitap_berlaku_sampai=01-06-2028", "data_valid=ya", "bukan_data_ganda=ya"]


def kkwna(office, *args):
    return subprocess.run([sys.executable, "-m", "pipeline", "--home", str(office.root), *args],
                          capture_output=True, text=True)


def ok(result):
    assert result.returncode == 0, result.stderr
    return result


def case_at_step_3(office, name="JOHN SMITH"):
    jpeg(office.inbox / f"{name} kitap paspor formulir.jpg", text=name)
    run_once(office)
    reg = Register(office.register_path)
    cid = reg.cases()[-1].id
    ok(kkwna(office, "decide", cid, "--step", "2", "--approve", "--officer", FRONT_OFFICE,
             "--field", "cek_hadir_sendiri=ya"))
    return cid


def text_of(path):
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages)


def fill(form, values):
    from tests.office import fill as fill_form
    return fill_form(form, values)


def test_forms_through_every_loop(office):
    cid = case_at_step_3(office)
    reg = Register(office.register_path)
    folder = lambda: office.root / reg.get(cid).folder  # noqa: E731

    # step 3 on the verifier's desk
    form = one(office.desks / "03-verifikator", f"{cid}*.pdf")
    fill(form, {**dict(v.split("=") for v in VERIFIED), "keputusan": "setuju",
                "petugas_nama": "DEMO AHMAD RIDUAN", "petugas_nip": VERIFIKATOR})
    run_once(office)
    sheet = folder() / "03 lembar verifikasi.pdf"
    assert pdfa.validate(sheet).passed
    assert "DEMO AHMAD RIDUAN" in text_of(sheet) and "19880202 201403 1 002" in text_of(sheet)

    # step 4: the data-entry form comes pre-filled with the documents step 3 established
    form = one(office.desks / "04-adm-siak", f"{cid}*.pdf")
    fields = {k: v.get("/V") for k, v in pypdf.PdfReader(form).get_fields().items()}
    assert fields["a1_no_paspor"] == "PA1234567" and fields["a1_no_kitap"] == "2C21JD0001-A"
    from pipeline.domain import family
    values = family.to_form_fields(FAMILY, area=TAPIN)
    wrong = {**values, "a2_nik": "6305041507120001"}  # a girl's NIK without the +40
    fill(form, {**wrong, "keputusan": "setuju", "petugas_nama": "DEMO SITI NURHALIZA",
                "petugas_nip": ADM_SIAK})
    run_once(office)
    error = form.with_name(form.name + ".error.txt").read_text()
    assert "Anggota 2, NIK" in error
    fill(form, {**values, "keputusan": "setuju", "petugas_nama": "DEMO SITI NURHALIZA",
                "petugas_nip": ADM_SIAK})
    run_once(office)
    draft = folder() / "04 konsep KK.pdf"
    assert pdfa.validate(draft).passed and "KONSEP" in text_of(draft)

    # step 5: review form with the draft behind it; the analyst returns it once
    review = one(office.desks / "05-analis", f"{cid}*.pdf")
    assert len(pypdf.PdfReader(review).pages) >= 2
    assert "6305041211260001" in text_of(review)
    fill(review, {"keputusan": "kembalikan", "catatan": "Tempat lahir anak salah",
                  "petugas_nama": "DEMO MUHAMMAD YUSUF", "petugas_nip": ANALIS})
    run_once(office)
    again = one(office.desks / "04-adm-siak", f"{cid}*.pdf")
    assert "Tempat lahir anak salah" in text_of(again)
    fields = {k: v.get("/V") for k, v in pypdf.PdfReader(again).get_fields().items()}
    assert fields["a2_nama_lengkap"] == "EMMA SMITH"  # the current data, pre-filled
    fill(again, {"a2_tempat_lahir": "SYDNEY", "keputusan": "setuju",
                 "petugas_nama": "DEMO SITI NURHALIZA", "petugas_nip": ADM_SIAK})
    run_once(office)
    assert (folder() / "04 konsep KK (2).pdf").exists()
    assert "SYDNEY" in text_of(folder() / "04 konsep KK (2).pdf")

    review = one(office.desks / "05-analis", f"{cid}*.pdf")
    fill(review, {"keputusan": "setuju",
                  "petugas_nama": "DEMO MUHAMMAD YUSUF", "petugas_nip": ANALIS})
    run_once(office)

    # step 6: the head of division returns it once, then initials it
    review = one(office.desks / "06-kepala-bidang", f"{cid}*.pdf")
    fill(review, {"keputusan": "kembalikan", "catatan": "Periksa ulang ejaan nama ibu",
                  "petugas_nama": "DEMO HJ. NOOR HIDAYAH, SE", "petugas_nip": KEPALA_BIDANG})
    run_once(office)
    review = one(office.desks / "05-analis", f"{cid}*.pdf")
    assert "Periksa ulang ejaan nama ibu" in text_of(review)
    fill(review, {"keputusan": "setuju",
                  "petugas_nama": "DEMO MUHAMMAD YUSUF", "petugas_nip": ANALIS})
    run_once(office)
    review = one(office.desks / "06-kepala-bidang", f"{cid}*.pdf")
    fill(review, {"keputusan": "setuju",
                  "petugas_nama": "DEMO HJ. NOOR HIDAYAH, SE", "petugas_nip": KEPALA_BIDANG})
    run_once(office)

    initialed = folder() / "06 konsep KK diparaf.pdf"
    assert pdfa.validate(initialed).passed
    text = text_of(initialed)
    assert "DEMO HJ. NOOR HIDAYAH, SE" in text and "19800505 200501 2 005" in text
    assert "23-11-2026 09:00" in text  # the initial's date and time (WITA)
    case = reg.get(cid)
    # step 7 is automatic: the TTE request is filed and the case waits for the signature
    assert (case.step, case.status) == (8, "open")
    assert case.rounds[4] == 2 and case.rounds[5] == 3 and case.rounds[6] == 2
    for name in ("04 formulir input data KK.pdf", "04 formulir input data KK (2).pdf",
                 "05 konsep KK dikoreksi.pdf", "05 konsep KK dikoreksi (2).pdf",
                 "05 konsep KK dikoreksi (3).pdf", "06 lembar koreksi.pdf"):
        assert (folder() / name).exists(), name
    actions = [(e["step"], e["action"], e["round"]) for e in reg.events(cid)]
    assert actions == [(1, "diterima", 1), (2, "disetujui", 1), (3, "disetujui", 1),
                       (4, "disetujui", 1), (5, "dikembalikan", 1), (4, "disetujui", 2),
                       (5, "disetujui", 2), (6, "dikembalikan", 1), (5, "disetujui", 3),
                       (6, "disetujui", 2), (7, "diajukan", 1)]
    assert reg.events(cid)[-1]["officer_name"] == "DEMO SITI NURHALIZA"  # Adm SIAK asks
    draft = folder() / "07 draf TTE KK.pdf"
    # its signature field is a form field the validator does not judge: no violation
    assert not pdfa.validate(draft).violations and "KONSEP" not in text_of(draft)
    assert one(office.desks / "08-kepala-dinas", f"{cid}*.pdf")
    status = ok(kkwna(office, "status", cid)).stdout
    assert "putaran 2" in status and "langkah 8" in status and "08-kepala-dinas" in status
    for desk in ("03-verifikator", "04-adm-siak", "05-analis", "06-kepala-bidang"):
        assert not visible(office.desks / desk), desk
    assert "SYDNEY" in text_of(folder() / "04 formulir input data KK (2).pdf")  # as typed
    assert len(assert_archival(folder())) == 14  # 12, and step 4's two filed forms


def test_cli_through_steps_3_to_6_with_returns(office, tmp_path):
    cid = case_at_step_3(office)
    ok(kkwna(office, "decide", cid, "--step", "3", "--approve", "--officer", VERIFIKATOR,
             *sum((["--field", f] for f in VERIFIED), [])))
    data = tmp_path / "keluarga.json"
    bad = copy.deepcopy(FAMILY)
    bad["anggota"][1]["status_hubungan"] = "KEPALA KELUARGA"
    data.write_text(json.dumps(bad))
    result = kkwna(office, "enter", cid, str(data), "--officer", ADM_SIAK)
    assert result.returncode == 1 and "KEPALA KELUARGA" in result.stderr
    data.write_text(json.dumps(FAMILY))
    ok(kkwna(office, "enter", cid, str(data), "--officer", ADM_SIAK))
    ok(kkwna(office, "decide", cid, "--step", "5", "--return", "NIK anak", "--officer", ANALIS))
    ok(kkwna(office, "enter", cid, str(data), "--officer", ADM_SIAK))
    ok(kkwna(office, "decide", cid, "--step", "5", "--approve", "--officer", ANALIS))
    ok(kkwna(office, "decide", cid, "--step", "6", "--return", "cek", "--officer",
             KEPALA_BIDANG))
    ok(kkwna(office, "decide", cid, "--step", "5", "--approve", "--officer", ANALIS))
    ok(kkwna(office, "decide", cid, "--step", "6", "--approve", "--officer", KEPALA_BIDANG))
    reg = Register(office.register_path)
    assert reg.get(cid).step == 8
    # `kkwna enter` files the form it decided on too, flat, one per round
    folder = office.root / reg.get(cid).folder
    for name in ("04 formulir input data KK.pdf", "04 formulir input data KK (2).pdf"):
        assert pdfa.validate(folder / name).passed, name
        assert FAMILY["anggota"][0]["nama_lengkap"] in text_of(folder / name)
    returns = [e for e in reg.events(cid) if e["action"] == "dikembalikan"]
    assert [(e["step"], e["round"]) for e in returns] == [(5, 1), (6, 1)]


def test_second_application_with_the_same_passport_is_flagged(office):
    first = case_at_step_3(office, "JOHN SMITH")
    ok(kkwna(office, "decide", first, "--step", "3", "--approve", "--officer", VERIFIKATOR,
             *sum((["--field", f] for f in VERIFIED), [])))
    second = case_at_step_3(office, "J M SMITH")
    refused = kkwna(office, "decide", second, "--step", "3", "--approve", "--officer",
                    VERIFIKATOR, *sum((["--field", f] for f in VERIFIED), []))
    assert refused.returncode == 1 and f"data ganda: {first}" in refused.stderr

    form = one(office.desks / "03-verifikator", f"{second}*.pdf")
    fill(form, {**dict(v.split("=") for v in VERIFIED), "keputusan": "setuju",
                "petugas_nama": "DEMO AHMAD RIDUAN", "petugas_nip": VERIFIKATOR})
    run_once(office)
    flagged = one(office.desks / "03-verifikator", f"{second}*.pdf")
    assert first in text_of(flagged) and "paspor sama" in text_of(flagged)
    assert f"data ganda: {first}" in flagged.with_name(flagged.name + ".error.txt").read_text()

    fill(flagged, {"keputusan": "kembalikan", "catatan": f"Data ganda dengan {first}",
                   "petugas_nama": "DEMO AHMAD RIDUAN", "petugas_nip": VERIFIKATOR})
    run_once(office)
    reg = Register(office.register_path)
    archived = office.root / reg.get(second).folder
    sheet = text_of(archived / "03 lembar verifikasi.pdf")
    assert first in sheet and "paspor sama" in sheet
    assert (archived / "03 surat pengembalian berkas.pdf").exists()
    assert reg.get(second).status == "returned"


@pytest.mark.parametrize("expired", ["paspor_berlaku_sampai=22-11-2026",
                                     "kitap_berlaku_sampai=01-01-2026"])
def test_expired_document_cannot_be_approved(office, expired):
    cid = case_at_step_3(office)
    key = expired.split("=")[0]
    fields = [f for f in VERIFIED if not f.startswith(key)] + [expired]
    result = kkwna(office, "decide", cid, "--step", "3", "--approve", "--officer", VERIFIKATOR,
                   *sum((["--field", f] for f in fields), []))
    assert result.returncode == 1 and "sudah tidak berlaku" in result.stderr


def test_refused_verification_says_why_on_the_sheet_and_beside_it(office):
    """With the watcher running (it sees the sheet it re-placed): the error file stays."""
    import time

    from tests.office import Running, wait_for

    cid = case_at_step_3(office)
    form = one(office.desks / "03-verifikator", f"{cid}*.pdf")
    values = {**dict(v.split("=") for v in VERIFIED), "paspor_berlaku_sampai": "01-11-2026",
              "keputusan": "setuju", "petugas_nama": "DEMO AHMAD RIDUAN",
              "petugas_nip": VERIFIKATOR}
    with Running(office):
        fill(form, values)
        error = form.with_name(form.name + ".error.txt")
        wait_for(error.exists, what="the error file")
        time.sleep(1.5)  # the watcher has seen the re-placed sheet by now
        assert error.exists() and "Paspor sudah tidak berlaku" in error.read_text()
    again = one(office.desks / "03-verifikator", f"{cid}*.pdf")
    sheet = text_of(again)
    assert "Perhatian" in sheet and "Paspor sudah tidak berlaku" in sheet
    fields = pypdf.PdfReader(again).get_fields()
    assert fields["no_paspor"]["/V"] == "PA1234567"  # what the verifier typed is kept
    assert fields["keputusan"].get("/V") in (None, "/Off", "")  # the decision is asked again
