"""What the case's filed copies say: footers in one letter case, yes/no answers in capitals,
and the step-4 data-entry form filed flat beside the draft KK it produced."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pypdf

from pipeline.render import pdfa
from pipeline.store.register import Register
from tests.office import fill, fonts_embedded, one, run_once
from tests.stages import CASE, FAMILY, form_values

FORM_COPY = "04 formulir input data KK.pdf"


def lines(path: Path, page: int = 0) -> list[str]:
    text = pypdf.PdfReader(path).pages[page].extract_text()
    return [x.strip() for x in text.splitlines() if x.strip()]


def footer(path: Path) -> str:
    """The page footer's left text: the line naming the case that comes last on page 1."""
    return [x for x in lines(path) if CASE in x][-1]


def case_folder(home) -> Path:
    reg = Register(home.register_path)
    try:
        return home.root / reg.get(CASE).folder
    finally:
        reg.close()


def decide_at_desk(home, step: int) -> None:
    from pipeline.domain import sop
    fill(one(home.desks / sop.step(step).desk, f"{CASE}*.pdf"), form_values(step))
    run_once(home)


# --- item 3: footers in one letter case ---------------------------------------------------------

def words_before_the_case(text: str) -> list[str]:
    return text.split(CASE)[0].split()


def test_review_sheets_footers_are_written_as_the_other_documents(office_at):
    home = office_at(8)
    folder = case_folder(home)
    footers = {name: footer(folder / name) for name in (
        "02 lembar checklist.pdf", "03 lembar verifikasi.pdf", "05 konsep KK dikoreksi.pdf",
        "06 konsep KK diparaf.pdf")}
    assert footers["05 konsep KK dikoreksi.pdf"] == \
        f"Lembar Koreksi Konsep Kartu Keluarga {CASE}"
    assert footers["06 konsep KK diparaf.pdf"] == \
        f"Lembar Koreksi dan Paraf Konsep Kartu Keluarga {CASE}"
    for name, text in footers.items():  # a title, not capitals: KK and WNA stay acronyms
        shouting = [w for w in words_before_the_case(text) if w.isupper() and len(w) > 3]
        assert not shouting, (name, text)
    # the desk form the head of division reads has the same footer as its filed copy
    home6 = office_at(6)
    desk_form = one(home6.desks / "06-kepala-bidang", f"{CASE}*.pdf")
    assert footer(desk_form) == f"Lembar Koreksi dan Paraf Konsep Kartu Keluarga {CASE}"
    assert pypdf.PdfReader(desk_form).metadata.title == footer(desk_form)


# --- item 4: the applicant's presence in capitals -----------------------------------------------

def test_the_applicants_presence_reads_ya(office_at):
    home = office_at(8)
    folder = case_folder(home)
    sheet = " ".join(lines(folder / "03 lembar verifikasi.pdf"))
    assert "Pemohon datang sendiri (tidak dikuasakan) YA" in sheet
    assert not re.search(r"\b(Ya|ya|yes|Yes)\b", sheet)
    checklist = lines(folder / "02 lembar checklist.pdf")
    assert "Pemohon datang sendiri (tidak dikuasakan) YA" in " ".join(checklist)
    assert not re.search(r"\b(Ya|ya|yes|Yes)\b", " ".join(checklist))


def test_yes_and_no_print_in_capitals():
    from pipeline.render.layout import display
    assert (display(True), display(False)) == ("YA", "TIDAK")


# --- item 5: the data-entry form filed flat -----------------------------------------------------

def test_step_4_files_its_form_flat_as_pdfa(office_at):
    home = office_at(4)
    decide_at_desk(home, 4)
    folder = case_folder(home)
    copy = folder / FORM_COPY
    assert copy.exists(), sorted(p.name for p in folder.iterdir())
    assert (folder / "04 konsep KK.pdf").exists()
    report = pdfa.validate(copy)
    assert report.passed, report.summary()
    assert fonts_embedded(copy)
    with pikepdf.open(copy) as pdf:  # flattened: no form, no widget left to change
        assert "/AcroForm" not in pdf.Root
        assert not any(a.get("/Subtype") == "/Widget" for page in pdf.pages
                       for a in page.get("/Annots", []))
    text = " ".join(" ".join(lines(copy, n)) for n in range(len(pypdf.PdfReader(copy).pages)))
    head = FAMILY["anggota"][0]
    for value in (head["nama_lengkap"], head["nik"], head["no_paspor"], head["no_kitap"],
                  FAMILY["no_kk"], FAMILY["alamat"], "DEMO SITI NURHALIZA"):
        assert value in text, value
    reg = Register(home.register_path)
    try:
        recorded = {r["name"]: r["sha256"] for r in reg.documents(CASE)}
    finally:
        reg.close()
    from pipeline.office.fsutil import sha256_file
    assert recorded[FORM_COPY] == sha256_file(copy)
