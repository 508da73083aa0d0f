"""`kkwna demo`: a sample application through all 11 SOP steps, the way staff work.

The demo is run once per module (it makes a PKI and signs a card: several seconds); the
tests read what it left behind.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pypdf
import pytest
from click.testing import CliRunner, Result

from pipeline.cli import cli
from pipeline.demo.sample_scans import Validity, check_digit, mrz_lines
from pipeline.demo.walkthrough import APPLICANT, FAMILY, HEAD, fill_form
from pipeline.domain import family
from pipeline.office import config
from pipeline.render import pdfa
from pipeline.store.register import Register
from tests.families import TAPIN

# documents that carry a signature field, which the PDF/A validator cannot judge
SIGNATURE_FIELD = re.compile(r"(07 draf TTE KK|08 kartu keluarga WNA)\.pdf$")


def kkwna(*args: str, home: Path | None = None) -> Result:
    prefix = ["--home", str(home)] if home else []
    return CliRunner().invoke(cli, [*prefix, *args])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, list[Path]]:
    result = kkwna("demo", "--dir", str(tmp_path_factory.mktemp("demo") / "kantor"))
    assert result.exit_code == 0, result.output
    return result, [Path(line) for line in result.stdout.splitlines()]


def _case_id(home: Path) -> str:
    reg = Register(home / "archive" / "register.sqlite3")
    try:
        (case,) = reg.cases()
        return case.id
    finally:
        reg.close()


def test_every_printed_path_exists_in_sop_order(demo: tuple[Result, list[Path]]) -> None:
    result, paths = demo
    home = paths[-1]
    assert home.is_dir() and (home / config.FILENAME).is_file()
    assert all(p.is_absolute() and p.exists() for p in paths), result.output
    case_id = _case_id(home)
    filed = [p for p in paths if p.parent.name == f"{case_id} {APPLICANT}"]
    steps = [int(p.name[:2]) for p in filed if p.name[:2].isdigit()]
    assert steps == sorted(steps) and {1, 2, 3, 4, 5, 6, 7, 8, 11} <= set(steps)
    scans = [p.name for p in paths if p.parent.name == "scans"]
    assert scans == ["1 paspor.jpg", "2 kitap.jpg", "3 formulir F-1.01.pdf"]
    assert paths.index(filed[0].parent / "01 berkas permohonan.pdf") == 0
    printed = [p for p in paths if p.parent == home / "print"]
    assert printed and all(p.name.startswith(case_id) for p in printed)
    # what the archive made beside the case: the binder's label and contents, both books
    year = paths[-3].parent.name
    assert {p.name for p in paths if p.parent.name.startswith("odner-")} >= \
        {"label.pdf", "daftar-isi.pdf"}
    assert {f"buku-register-{year}.pdf", f"buku-pengambilan-dokumen-{year}.pdf"} <= \
        {p.name for p in paths}
    assert paths[-3].name.startswith("laporan-kinerja-") and paths[-3].suffix == ".pdf"
    assert paths[-2] == paths[-3].with_suffix(".csv")
    # the month's report counts the one application, issued and handed over
    rows = [line.split(";") for line in paths[-2].read_text(encoding="utf-8-sig").splitlines()]
    counted = {row[1]: row[3] for row in rows if row[0] == "ringkasan"}
    assert counted["Permohonan diterima"] == counted["KK diserahkan kepada pemohon"] == "1"
    assert not result.stderr  # nothing noisy besides the paths


def test_every_pdf_is_archival(demo: tuple[Result, list[Path]]) -> None:
    _, paths = demo
    pdfs = [p for p in paths if p.suffix == ".pdf"]
    assert len(pdfs) >= 15
    for path in pdfs:
        report = pdfa.validate(path)
        if SIGNATURE_FIELD.search(path.name):
            assert not report.violations, f"{path.name}: {report.summary()}"
        else:
            assert report.passed, f"{path.name}: {report.summary()}"


def test_the_case_went_through_all_steps_and_was_issued(demo: tuple[Result, list[Path]]) -> None:
    _, paths = demo
    home = paths[-1]
    reg = Register(home / "archive" / "register.sqlite3")
    try:
        (case,) = reg.cases()
        assert case.status == "issued"
        assert case.data["keluarga"]["anggota"][1]["nama_lengkap"] == "EMILY ROSE SMITH"
        officers = {e["step"]: e["officer_name"] for e in reg.events(case.id)
                    if e["action"] != "diarsipkan"}  # the filing: no officer decides it
    finally:
        reg.close()
    assert set(range(1, 12)) <= set(officers)
    cfg = config.load(home)
    # the desk decisions were made by the demo officers of kkwna.toml, by name
    assert officers[2] == cfg.officers_for("front_office")[0].nama
    assert officers[11] == cfg.officers_for("penyerahan")[0].nama
    checklist = next(p for p in paths if p.name == "02 lembar checklist.pdf")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(checklist).pages)
    assert cfg.officers_for("front_office")[0].nama in text
    assert len(pypdf.PdfReader(paths[0]).pages) == 3  # passport, KITAP, F-1.01


def test_the_archive_verifies_and_the_card_is_genuine(demo: tuple[Result, list[Path]]) -> None:
    _, paths = demo
    home = paths[-1]
    year = paths[-3].parent.name
    verified = kkwna("archive", "verify", "--year", year, home=home)
    assert verified.exit_code == 0, verified.output
    card = next(p for p in paths if p.name == "08 kartu keluarga WNA.pdf")
    genuine = kkwna("verify", str(card), home=home)
    assert genuine.exit_code == 0 and "ASLI" in genuine.output, genuine.output


def test_the_filed_data_entry_form_is_archived_with_its_checksum(
        demo: tuple[Result, list[Path]]) -> None:
    from pipeline.archive.filing import read_sums
    from pipeline.office.fsutil import sha256_file
    _, paths = demo
    form = next((p for p in paths if p.name == "04 formulir input data KK.pdf"), None)
    assert form is not None and form.parent.parent.name.startswith("odner-")
    assert read_sums(form.parent)[form.name] == sha256_file(form)
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(form).pages)
    assert HEAD["nama_lengkap"] in text and "EMILY ROSE SMITH" in text


def test_a_folder_with_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "catatan.txt").write_text("milik orang lain")
    result = kkwna("demo", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "sudah berisi berkas" in result.stderr and len(result.stderr.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catatan.txt"]


def test_mrz_check_digits_follow_icao_9303() -> None:
    # the specimen of ICAO Doc 9303 part 4: L898902C<3, 740812 2, 120415 9
    assert check_digit("L898902C<") == "3"
    assert check_digit("740812") == "2"
    assert check_digit("120415") == "9"
    assert check_digit("ZE184226B<<<<<") == "1"
    valid = Validity(date(2022, 1, 1), date(2032, 1, 2), date(2025, 1, 1), date(2030, 1, 1))
    line1, line2 = mrz_lines(HEAD, valid.passport_expires)
    assert len(line1) == len(line2) == 44
    assert line1.startswith("P<AUSSMITH<<JOHN<MICHAEL<")
    assert line2.startswith("PA12345673AUS8003155M3201026")


def test_the_sample_family_is_valid() -> None:
    assert family.validate(FAMILY, today=date(2026, 11, 23), area=TAPIN) == []


def test_fill_form_sets_text_checkbox_radio_and_choice(tmp_path: Path) -> None:
    form = _a_form(tmp_path / "form.pdf")
    fill_form(form, {"nama": "JOHN", "setuju": True, "keputusan": "kembalikan",
                     "agama": "KRISTEN"})
    fields = pypdf.PdfReader(form).get_fields() or {}
    assert fields["nama"]["/V"] == "JOHN"
    assert fields["setuju"]["/V"] == "/Yes"
    assert fields["keputusan"]["/V"] == "/kembalikan"
    assert fields["agama"]["/V"] == "KRISTEN"


def _a_form(path: Path) -> Path:
    """A small AcroForm with each kind of field, as reportlab draws them."""
    from pipeline.render import fonts

    c = fonts.new_canvas(str(path), (300, 300), "form")
    c.acroForm.textfield(name="nama", x=10, y=250, width=200, height=20)
    c.acroForm.checkbox(name="setuju", x=10, y=200, buttonStyle="check")
    for i, value in enumerate(("setuju", "kembalikan")):
        c.acroForm.radio(name="keputusan", value=value, x=10 + 40 * i, y=150, selected=False)
    c.acroForm.choice(name="agama", options=["ISLAM", "KRISTEN", "HINDU"], value="ISLAM",
                      x=10, y=100, width=150, height=20)
    c.showPage()
    c.save()
    return path


def test_a_step_that_does_not_go_through_is_one_indonesian_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.demo import walkthrough

    real = walkthrough.desk_values

    def wrong_verifier(env: Any, case: Any, valid: Validity) -> dict[str, str | bool]:
        values = real(env, case, valid)
        verifying = "no_paspor" in values  # the verification sheet
        return {**values, "petugas_nip": "199901012020011001"} if verifying else values

    monkeypatch.setattr(walkthrough, "desk_values", wrong_verifier)
    result = kkwna("demo", "--dir", str(tmp_path / "kantor"))
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("kkwna: langkah 3 tidak maju: ") and "NIP" in line, line
    assert line.endswith(f"(folder demo: {tmp_path / 'kantor'})")
