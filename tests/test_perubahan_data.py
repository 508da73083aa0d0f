"""Perubahan Data KK WNA (issue 17): the service value, its SOP as the office gives it, its
table beside KK WNA's (same roles and desks, its own documents and handlers)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline import services
from pipeline import steps as handlers
from pipeline.domain import sop
from pipeline.services import perubahan_data
from pipeline.steps.change_data_entry import ChangeDataEntry
from pipeline.steps.change_review import ChangeHeadReview, ChangeReview
from pipeline.steps.change_verification import ChangeVerification


def test_the_service_is_registered_with_its_code_prefix_titles_and_requirements():
    s = services.get("perubahan-data")
    assert (s.code, s.prefix, s.title, s.product) == (
        "perubahan-data", "PDKKWNA", "Perubahan Data Kartu Keluarga WNA", "Kartu Keluarga WNA")
    assert s in services.all() and services.default().code == "kk-wna"
    labels = " | ".join(r.label for r in s.requirements)
    for needed in ("F-1.06", "Formulir Pernyataan Perubahan Elemen Data Kependudukan",
                   "KK lama (asli)", "akta kelahiran", "KITAP baru", "surat keterangan pindah",
                   "KITAP", "Pemohon datang sendiri"):
        assert needed in labels
    assert all(r.required for r in s.requirements)
    assert s.case_id(2026, 1) == "PDKKWNA-2026-0001"


def test_its_table_has_kk_wnas_eleven_steps_roles_and_desks_with_its_own_documents():
    s = services.get("perubahan-data")
    assert [x.number for x in s.steps] == [x.number for x in sop.STEPS]
    for mine, theirs in zip(s.steps, sop.STEPS, strict=True):
        assert (mine.role, mine.decider, mine.desk, mine.kind, mine.minutes,
                mine.returns_to) == (theirs.role, theirs.decider, theirs.desk, theirs.kind,
                                     theirs.minutes, theirs.returns_to)
    by = {x.number: x for x in s.steps}
    assert by[3].document == "lembar verifikasi perubahan data"
    assert by[4].document == "konsep KK perubahan"
    # the signed card is a normal KK: its document and handler are KK WNA's
    assert (by[8].document, by[8].handler) == (sop.step(8).document, sop.step(8).handler)
    assert {by[n].handler for n in (3, 4, 5, 6)} == {
        "change_verification", "change_data_entry", "change_review", "change_head_review"}
    assert handlers.handler_class("change_verification") is ChangeVerification
    assert handlers.handler_class("change_data_entry") is ChangeDataEntry
    assert issubclass(handlers.handler_class("change_head_review"), ChangeReview)
    assert handlers.handler_class("change_head_review") is ChangeHeadReview
    assert "no_kk_lama" in ChangeVerification.fields


def test_its_sop_number_is_never_invented_but_read_from_the_offices_settings(tmp_path: Path):
    from pipeline.office import config

    def loaded(extra: str) -> config.Config:
        (tmp_path / config.FILENAME).write_text(config.DEFAULT + extra, encoding="utf-8")
        return config.load(tmp_path)

    change = services.get("perubahan-data")
    assert loaded("").sop_of(change) == (perubahan_data.UNKNOWN_SOP, None)
    assert perubahan_data.UNKNOWN_SOP == "SOP Perubahan Data (nomor belum ditetapkan)"
    assert services.get("perubahan-data").sop_number == perubahan_data.UNKNOWN_SOP
    number, day = loaded(
        "\n[layanan.perubahan-data]\nnomor_sop = '800/010-SOP/DUKCAPIL/2026'\n"
        "tanggal_sop = 2026-02-03\n").sop_of(change)
    assert number == "800/010-SOP/DUKCAPIL/2026" and day is not None and day.isoformat() == \
        "2026-02-03"


def test_a_wrong_change_sop_section_is_one_line_naming_its_key(tmp_path: Path):
    from pipeline.domain.errors import ConfigError
    from pipeline.office import config

    (tmp_path / config.FILENAME).write_text(
        config.DEFAULT + "\n[layanan.perubahan-data]\ntanggal_sop = 'kemarin'\nnomer = 1\n",
        encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        config.load(tmp_path)
    lines = str(refused.value).splitlines()
    assert any("[layanan.perubahan-data] tanggal_sop" in line for line in lines), lines
    assert any("nomer" in line for line in lines), lines


def test_the_marked_draft_frames_each_changed_cell_and_lists_the_changes(tmp_path: Path):
    import copy

    import pypdf

    from pipeline.demo.change import changed_family
    from pipeline.demo.walkthrough import FAMILY
    from pipeline.domain import family_changes
    from pipeline.render import kk_marks, pdfa

    new = copy.deepcopy(changed_family(date(2026, 12, 3)))
    new["anggota"][1]["no_paspor"] = "PB9999999"  # type: ignore[index]
    found = family_changes.changes(FAMILY, new)
    office = {"kabupaten": "TAPIN", "provinsi": "KALIMANTAN SELATAN", "kode_wilayah": "6305"}
    out = kk_marks.render_changed_draft(new, tmp_path / "konsep.pdf", office=office,
                                        case_id="PDKKWNA-2026-0001", changes=found,
                                        old_case="KKWNA-2026-0001")
    pages = pypdf.PdfReader(out).pages
    assert len(pages) == 2
    card, listed = pages[0].extract_text(), " ".join(pages[1].extract_text().split())
    # one asterisk per marked cell on the card: the new member's row in both tables
    # (the No cell twice) and the changed passport
    assert card.count(kk_marks.MARK) == len(family_changes.marked_cells(found)) + 1
    assert "DAFTAR PERUBAHAN DATA" in listed and "register KKWNA-2026-0001" in listed
    assert "Anggota 2 (EMILY ROSE SMITH), No. Paspor" in listed and "PB9999999" in listed
    assert "Anggota 4 (NOAH JAMES SMITH)" in listed and "ditambahkan" in listed
    assert pdfa.structural_problems(out.read_bytes()) == []  # saved as PDF/A-2b


def test_the_offices_change_sop_is_what_its_documents_and_report_cite(tmp_path: Path):
    from pipeline.office import config
    from pipeline.render import documents
    from pipeline.reports.report_figures import sop_cited

    (tmp_path / config.FILENAME).write_text(
        config.DEFAULT + "\n[layanan.perubahan-data]\nnomor_sop = '800/010-SOP/DUKCAPIL/2026'"
        "\ntanggal_sop = 2026-02-03\n", encoding="utf-8")
    cfg = config.load(tmp_path)
    change = services.get("perubahan-data")
    assert documents.service_data(change, cfg)["sop"] == {
        "nomor": "800/010-SOP/DUKCAPIL/2026", "tanggal": "3 Februari 2026"}
    assert sop_cited(change, cfg) == "SOP 800/010-SOP/DUKCAPIL/2026 (3 Februari 2026)"
    # KK WNA's is the published standard's, whatever the office wrote for another service
    assert sop_cited(services.default(), cfg) == "SOP 800/003-SOP/DUKCAPIL/2022 (1 Agustus 2022)"
