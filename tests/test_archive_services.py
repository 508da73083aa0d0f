"""The archive per service (issue 17): a case of another service (a toy change service
registered here) is filed in a binder of its own beside KK WNA's, whose paths stay as they
were; the register book lists every case under its own service's title, with its own
service's checklist."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pypdf
import pytest

from pipeline import archive, services
from pipeline.archive import binders, books
from pipeline.office import config
from pipeline.office.home import Home
from pipeline.services import Requirement
from pipeline.store.register import Register, RegisterBehind
from tests.archive_cases import make_case

TOY = replace(services.default(), code="uji-ubah", prefix="UJIUBAH",
              title="Perubahan Data Uji Coba", inbox="inbox-uji-ubah",
              requirements=(Requirement("cek_formulir", "Formulir perubahan", True),
                            Requirement("cek_bukti", "Bukti perubahan", True)))


@pytest.fixture
def toy():
    services.register(TOY)
    yield TOY
    services.unregister(TOY.code)


def text_of(pdf: Path) -> str:
    return " ".join(" ".join((page.extract_text() or "").split())
                    for page in pypdf.PdfReader(pdf).pages)


@pytest.fixture
def filed(office: Home, reg: Register, cfg: config.Config, toy) -> dict[str, Path]:
    """KK WNA cases 1 and 2 and the toy service's case 1, all filed (each service numbers
    from 1: the toy case's number 1 must not land in KK WNA's binder 01)."""
    out = {}
    for n, service in ((1, None), (7, TOY.code), (2, None)):
        case = make_case(office, reg, n, service=service)
        out[case.id] = archive.file_case(office, cfg, reg, reg.get(case.id))
    return out


def test_a_case_of_another_service_is_filed_in_its_own_binder(office: Home, reg: Register,
                                                              cfg: config.Config, filed):
    rel = {cid: p.relative_to(office.root).as_posix() for cid, p in filed.items()}
    assert rel == {
        "KKWNA-2026-0001": "archive/2026/odner-01/KKWNA-2026-0001 PEMOHON NOMOR 1",
        "KKWNA-2026-0002": "archive/2026/odner-01/KKWNA-2026-0002 PEMOHON NOMOR 2",
        "UJIUBAH-2026-0001": "archive/2026/odner-uji-ubah-01/UJIUBAH-2026-0001 PEMOHON NOMOR 7"}
    assert reg.get("UJIUBAH-2026-0001").folder == rel["UJIUBAH-2026-0001"]
    kk_binder, toy_binder = (office.archive / "2026" / n for n in ("odner-01",
                                                                   "odner-uji-ubah-01"))
    kk_contents = text_of(kk_binder / binders.CONTENTS)
    toy_contents = text_of(toy_binder / binders.CONTENTS)
    assert "KKWNA-2026-0001" in kk_contents and "UJIUBAH" not in kk_contents
    assert "Arsip permohonan Kartu Keluarga WNA" in kk_contents
    assert "UJIUBAH-2026-0001" in toy_contents and "KKWNA" not in toy_contents
    assert "Arsip permohonan Perubahan Data Uji Coba" in toy_contents
    label = text_of(toy_binder / binders.LABEL)
    assert "PERUBAHAN DATA UJI COBA" in label and "KARTU KELUARGA WNA" not in label
    assert "KARTU KELUARGA WNA" in text_of(kk_binder / binders.LABEL)
    assert binders.binder_of("odner-uji-ubah-01") == (TOY.code, 1)
    assert binders.binder_of("odner-03") == ("kk-wna", 3)
    # the whole archive checks, the toy binder's folder included
    assert archive.verify_archive(office, reg) == []
    reg.check_against_disk([office.cases, office.archive])


def test_a_toy_binder_folder_the_register_does_not_know_is_caught(office: Home,
                                                                   reg: Register, filed):
    stray = office.archive / "2026" / "odner-uji-ubah-01" / "UJIUBAH-2026-0002 ORANG LAIN"
    stray.mkdir()
    with pytest.raises(RegisterBehind, match="folder UJIUBAH-2026-0002 ada"):
        reg.check_against_disk([office.cases, office.archive])


def test_the_register_book_lists_each_case_under_its_own_service(office: Home,
                                                                 reg: Register, filed):
    rows = books.book_rows(reg, 2026)
    assert [(r["nomor_register"], r["no"], r["layanan"]) for r in rows] == [
        ("KKWNA-2026-0001", "1", "Penerbitan Kartu Keluarga WNA"),
        ("KKWNA-2026-0002", "2", "Penerbitan Kartu Keluarga WNA"),
        ("UJIUBAH-2026-0001", "1", "Perubahan Data Uji Coba")]
    assert rows[0]["hasil_checklist"] == "Lengkap (4/4)"
    # the toy's own requirements: the case ticked the form but has no evidence ticked
    assert rows[2]["hasil_checklist"] == "Tidak lengkap (1/2): kurang Bukti perubahan"
    book = text_of(books.register_book_path(office, 2026))
    assert "Perubahan Data Uji Coba" in book and "UJIUBAH-2026-0001" in book
