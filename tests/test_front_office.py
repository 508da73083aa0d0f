"""SOP steps 1-2 end to end: the real watcher on a temporary home, forms filled as staff do."""

from __future__ import annotations

import subprocess
import sys

import pypdf
import pypdfium2

from pipeline.render import pdfa
from pipeline.store.register import Register
from tests.conftest import FRONT_OFFICE
from tests.office import (
    Running,
    assert_archival,
    fill,
    jpeg,
    one,
    pdf,
    run_once,
    tiff,
    visible,
    wait_for,
)
from tests.qrread import read_standard_qr

CHECKLIST_OK = {"cek_formulir": "ya", "cek_kitap": "ya", "cek_paspor": "ya",
                "cek_hadir_sendiri": "ya", "keputusan": "setuju",
                "petugas_nama": "DEMO FITRI HANDAYANI", "petugas_nip": "19900101 201503 2 001"}


def drop_application(home, name="JOHN SMITH"):
    staging = home.root / "scanner" / name
    staging.mkdir(parents=True)
    jpeg(staging / "1 kitap.jpg", text=name)
    tiff(staging / "2 paspor.tif", pages=3)
    pdf(staging / "3 formulir F-1.01.pdf")
    staging.rename(home.inbox / name)  # as a whole folder, like a drag from the scanner PC


def qr_texts(path, page=0):
    doc = pypdfium2.PdfDocument(str(path))
    doc.init_forms()
    image = doc[page].render(scale=2, may_draw_forms=True).to_pil()
    return read_standard_qr(image)  # as phones read them: never a Micro QR


def text_of(path):
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages)


def test_folder_of_three_scans_becomes_a_case_with_a_checklist(office):
    drop_application(office)
    with Running(office):
        form = wait_for(lambda: visible(office.desks / "02-front-office"),
                        what="checklist on the front-office desk")[0]
        assert form.name == "KKWNA-2026-0001 JOHN SMITH - lembar checklist.pdf"
        # the form is placed before the commit; the inbox entry goes only after it
        wait_for(lambda: not (office.inbox / "JOHN SMITH").exists(), what="inbox emptied")
        case_dir = office.cases / "KKWNA-2026-0001 JOHN SMITH"
        assert sorted(p.name for p in (case_dir / "scans").iterdir()) == [
            "1 kitap.jpg", "2 paspor.tif", "3 formulir F-1.01.pdf"]
        berkas = case_dir / "01 berkas permohonan.pdf"
        assert len(pypdf.PdfReader(berkas).pages) == 5  # 1 + 3 TIFF pages + 1
        assert pdfa.validate(berkas).passed
        fields = pypdf.PdfReader(form).get_fields()
        assert fields["kasus"]["/V"] == "KKWNA-2026-0001" and fields["langkah"]["/V"] == "2"
        assert "KKWNA-2026-0001" in " ".join(qr_texts(form))

        fill(form, CHECKLIST_OK)  # saved in place
        filed = wait_for(lambda: (case_dir / "02 lembar checklist.pdf").exists()
                         and not form.exists(), what="filed checklist") and \
            case_dir / "02 lembar checklist.pdf"
    assert pdfa.validate(filed).passed
    assert "199001012015032001" in text_of(filed).replace(" ", "")
    slip = case_dir / "02 tanda bukti pengambilan.pdf"
    reg = Register(office.register_path)
    case = reg.get("KKWNA-2026-0001")
    assert case.step == 3 and case.collection_code
    assert f"Kode pengambilan: {case.collection_code}" in text_of(slip)
    assert any(case.collection_code in t for t in qr_texts(slip))
    assert one(office.print, "*tanda bukti pengambilan.pdf")
    actions = [(e["step"], e["action"]) for e in reg.events(case.id)]
    assert actions == [(1, "diterima"), (2, "disetujui")]
    names = {d["name"] for d in reg.documents(case.id)}
    assert {"01 berkas permohonan.pdf", "02 lembar checklist.pdf",
            "02 tanda bukti pengambilan.pdf", "scans/2 paspor.tif"} <= names
    assert one(office.desks / "03-verifikator", "KKWNA-2026-0001*.pdf")


def test_save_as_under_a_new_name_is_recognised_and_both_copies_leave(office):
    drop_application(office, "MARIA GARCIA")
    run_once(office)
    form = one(office.desks / "02-front-office", "*.pdf")
    fill(form, CHECKLIST_OK, save_as=form.with_name("checklist maria - sudah diisi.pdf"))
    run_once(office)
    assert not visible(office.desks / "02-front-office")
    case_dir = one(office.cases, "KKWNA-2026-0001 MARIA GARCIA")
    assert (case_dir / "02 lembar checklist.pdf").exists()


def test_return_gives_the_letter_and_files_the_case_as_returned(office):
    drop_application(office, "ANNA LEE")
    run_once(office)
    form = one(office.desks / "02-front-office", "*.pdf")
    fill(form, {**CHECKLIST_OK, "cek_kitap": "tidak", "keputusan": "kembalikan",
                "catatan": "KITAP belum dilampirkan"})
    run_once(office)
    archived = one(office.archive / "2026" / "odner-01", "KKWNA-2026-0001 ANNA LEE")
    letter = archived / "02 surat pengembalian berkas.pdf"
    text = text_of(letter)
    assert "KITAP belum dilampirkan" in text and "KITAP dari kantor imigrasi" in text
    assert pdfa.validate(letter).passed
    assert one(office.print, "*surat pengembalian berkas.pdf")
    case = Register(office.register_path).get("KKWNA-2026-0001")
    assert case.status == "returned"
    assert assert_archival(archived) == ["01 berkas permohonan.pdf", "02 lembar checklist.pdf",
                                         "02 surat pengembalian berkas.pdf", "riwayat.pdf"]
    result = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=archived,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_incomplete_form_stays_with_an_error_file(office):
    drop_application(office, "PETER PAN")
    run_once(office)
    form = one(office.desks / "02-front-office", "*.pdf")
    fill(form, {**CHECKLIST_OK, "cek_hadir_sendiri": "tidak"})
    run_once(office)
    assert form.exists()
    error = form.with_name(form.name + ".error.txt").read_text()
    assert "Pemohon datang sendiri" in error
    fill(form, CHECKLIST_OK)
    run_once(office)
    assert not form.exists() and not form.with_name(form.name + ".error.txt").exists()


def kkwna(office, *args):
    return subprocess.run([sys.executable, "-m", "pipeline", "--home", str(office.root), *args],
                          capture_output=True, text=True)


def test_decide_from_the_terminal(office):
    drop_application(office, "JANE DOE")
    run_once(office)
    bad = kkwna(office, "decide", "KKWNA-2026-0001", "--step", "2", "--approve", "--officer",
                FRONT_OFFICE, "--field", "cek_formulir=ya")
    assert bad.returncode == 1 and "belum lengkap" in bad.stderr
    assert "Traceback" not in bad.stderr and bad.stderr.count("\n") == 1
    wrong = kkwna(office, "decide", "KKWNA-2026-0001", "--step", "2", "--approve",
                  "--officer", "123")
    assert wrong.returncode == 1
    good = kkwna(office, "decide", "KKWNA-2026-0001", "--step", "2", "--approve", "--officer",
                 FRONT_OFFICE, "--field", "cek_formulir=ya", "--field", "cek_kitap=true",
                 "--field", "cek_hadir_sendiri=1")
    assert good.returncode == 0, good.stderr
    assert not visible(office.desks / "02-front-office")
    status = kkwna(office, "status")
    assert "KKWNA-2026-0001" in status.stdout and "Verifikator" in status.stdout
    usage = kkwna(office, "decide", "KKWNA-2026-0001", "--step", "2", "--officer", "1")
    assert usage.returncode == 2


def test_outside_service_hours_is_marked_and_the_clock_starts_at_opening(office, monkeypatch):
    monkeypatch.setenv("KKWNA_NOW", "2026-11-28T10:00:00+08:00")  # Saturday
    drop_application(office, "LATE COMER")
    run_once(office)
    case = Register(office.register_path).get("KKWNA-2026-0001")
    assert case.outside_hours and case.clock_start.isoformat() == "2026-11-30T08:00:00+08:00"
    form = one(office.desks / "02-front-office", "*.pdf")
    assert "luar jam layanan" in text_of(form)
