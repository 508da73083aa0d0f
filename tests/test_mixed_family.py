"""End to end, the application the counter sees most and the old code refused twice: a
form saved by a word processor (fonts not embedded) and an Indonesian spouse whose NIK was
issued in another province, through the desks to the head of division's initial."""

from __future__ import annotations

import pypdf
import scanfactory as make

from pipeline.render import pdfa
from pipeline.store.register import Register
from tests.families import ADDRESS, HEAD
from tests.office import jpeg, one, run_once, visible
from tests.stages import approvals, approve

SPOUSE = {**HEAD, "nama_lengkap": "SITI RAHMAWATI", "nik": "3171016207850002",  # Jakarta
          "jenis_kelamin": "PEREMPUAN", "tempat_lahir": "JAKARTA", "tanggal_lahir": "22-07-1985",
          "agama": "Islam", "pendidikan": "S1", "status_hubungan": "ISTRI",
          "kewarganegaraan": "INDONESIA", "no_paspor": "", "no_kitap": "",
          "nama_ayah": "AHMAD HIDAYAT", "nama_ibu": "NURUL AINI"}


def test_a_word_processor_form_and_a_spouse_from_jakarta_reach_the_initial(office):
    folder = office.root / "scanner" / "JOHN SMITH"
    folder.mkdir(parents=True)
    jpeg(folder / "1 kitap paspor.jpg", text="JOHN SMITH")
    make.word_processor_pdf(folder / "2 formulir.pdf")
    folder.rename(office.inbox / "JOHN SMITH")
    run_once(office)
    assert not visible(office.quarantine, "*")
    reg = Register(office.register_path)
    cid = reg.cases()[0].id
    keluarga = {**ADDRESS, "anggota": [HEAD, SPOUSE]}
    for step in sorted(approvals(keluarga)):
        approve(office, step, cid, keluarga)
    case = reg.get(cid)
    assert case.step == 8  # the initial is on; the TTE request filed
    spouse = case.data["keluarga"]["anggota"][1]
    assert spouse["nik"] == "3171016207850002"
    assert (spouse["agama"], spouse["pendidikan"]) == ("ISLAM", "DIPLOMA IV/STRATA I")
    folder = office.root / case.folder
    bundle = folder / "01 berkas permohonan.pdf"
    assert pdfa.validate(bundle).passed
    initialled = folder / "06 konsep KK diparaf.pdf"
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(initialled).pages)
    assert "3171016207850002" in text and "SITI RAHMAWATI" in text
    assert one(office.desks / "08-kepala-dinas", f"{cid}*.pdf")
    reg.close()
