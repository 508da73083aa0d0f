"""The applicant's name on official documents is the one the front office confirmed on the
checklist, then the head of the family's once the data is entered; never the drop's name."""

from __future__ import annotations

import pypdf

from pipeline.store.register import Register
from tests.conftest import FRONT_OFFICE
from tests.office import fill, jpeg, one, run_once


def text_of(path) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages)


def test_the_clerk_corrects_the_name_the_drop_suggested(office):
    jpeg(office.inbox / "MARIA GARCIA PASPOR.jpg", text="maria")
    run_once(office)
    form = one(office.desks / "02-front-office", "*.pdf")
    from pipeline.desks import forms
    assert forms.read_fields(form)["nama_pemohon"] == "MARIA GARCIA PASPOR"
    fill(form, {"nama_pemohon": "Maria  Garcia", "keputusan": "kembalikan",
                "catatan": "KITAP belum dilampirkan", "petugas_nama": "DEMO FITRI HANDAYANI",
                "petugas_nip": FRONT_OFFICE})
    run_once(office)
    letter = one(office.print, "*surat pengembalian berkas.pdf")
    text = text_of(letter)
    assert "Saudara/i MARIA GARCIA\n" in text and "PASPOR" not in text.split("Saudara/i")[1][:30]
    reg = Register(office.register_path)
    assert reg.cases()[0].data["nama_pemohon"] == "MARIA GARCIA"


def test_after_data_entry_documents_name_the_head_of_the_family(office_at):
    home = office_at(5)
    reg = Register(home.register_path)
    case = reg.cases()[0]
    form = one(home.desks / "05-analis", "*.pdf")
    assert "JOHN MICHAEL SMITH" in text_of(form)  # not the drop's "JOHN SMITH KITAP ..."
    assert case.title.startswith("JOHN SMITH")
