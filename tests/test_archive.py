"""Filing into binders: folder contents, history, void slip, read-only, crash recovery."""

from __future__ import annotations

import dataclasses
import stat
import subprocess
from pathlib import Path

import pypdf
import pytest

from pipeline import archive
from pipeline.archive import filing, history
from pipeline.office import config
from pipeline.office.home import Home
from pipeline.render import pdfa
from pipeline.store.register import Register
from tests.archive_cases import KK, SLIP, make_case
from tests.office import assert_archival


def text_of(path: Path) -> str:
    """The PDF's text with every run of white space made one space (cells wrap lines)."""
    return " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(path).pages).split())


@pytest.fixture
def small(cfg: config.Config) -> config.Config:
    return dataclasses.replace(cfg, cases_per_odner=2)


def test_issued_case_is_filed_whole_checked_and_read_only(office: Home, reg: Register,
                                                          cfg: config.Config) -> None:
    case = make_case(office, reg, 1)
    working = office.root / case.folder
    target = archive.file_case(office, cfg, reg, case)

    assert target == office.archive / "2026" / "odner-01" / "KKWNA-2026-0001 PEMOHON NOMOR 1"
    assert not working.exists()
    names = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert names == ["01 berkas permohonan.pdf", "02 lembar checklist.pdf", SLIP,
                     "03 lembar verifikasi.pdf", "04 konsep KK.pdf",
                     "08 kartu keluarga WNA - laporan validasi.json", KK, "SHA256SUMS",
                     "provenance.json", "riwayat.pdf", "scans/paspor.jpg"]
    done = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=target,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK") == 10  # provenance.json and the validation report too
    for path in [target, *target.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) & 0o222 == 0, f"{path} is writable"
    assert reg.get(case.id).folder == target.relative_to(office.root).as_posix()
    registered = {r["name"]: r["sha256"] for r in reg.documents(case.id)}
    assert registered["riwayat.pdf"] == filing.read_sums(target)["riwayat.pdf"]
    assert_archival(target)
    assert archive.verify_archive(office, reg) == []


def test_returned_case_history_names_reason_and_officer_and_slip_is_void(
        office: Home, reg: Register, cfg: config.Config) -> None:
    case = make_case(office, reg, 1, returned_at=3, reason="KITAP sudah tidak berlaku")
    printed = office.print / f"{case.id} {case.title} - {SLIP}"
    assert printed.exists()
    target = archive.file_case(office, cfg, reg, case)

    assert not printed.exists(), "the returned case's slip is withdrawn from print/"
    riwayat = text_of(target / history.HISTORY)
    assert "dikembalikan" in riwayat
    assert "KITAP sudah tidak berlaku" in riwayat
    assert "DEMO VERIFIKATOR" in riwayat and "19880202 201403 1 002" in riwayat
    assert "05-01-2026 09:40 WITA" in riwayat  # the return, in office time
    slip = target / SLIP
    assert "BATAL" in text_of(slip)
    assert pdfa.validate(slip).passed
    assert_archival(target)
    assert {r["name"]: r["sha256"] for r in reg.documents(case.id)}[SLIP] == \
        filing.read_sums(target)[SLIP]
    assert archive.verify_archive(office, reg) == []


def test_binder_label_and_contents_follow_the_filing(office: Home, reg: Register,
                                                     small: config.Config) -> None:
    cases = [make_case(office, reg, n, returned_at=2 if n == 2 else None) for n in range(1, 4)]
    for case in cases:
        archive.file_case(office, small, reg, case)
    first, second = office.archive / "2026" / "odner-01", office.archive / "2026" / "odner-02"
    label = text_of(first / "label.pdf")
    assert "2026" in label and "01" in label
    assert "KKWNA-2026-0001" in label and "KKWNA-2026-0002" in label
    contents = text_of(first / "daftar-isi.pdf")
    assert "PEMOHON NOMOR 1" in contents and "Dikembalikan kepada pemohon" in contents
    assert "KKWNA-2026-0003" not in contents
    assert "KKWNA-2026-0003" in text_of(second / "label.pdf")
    assert "KKWNA-2026-0003" in text_of(second / "daftar-isi.pdf")
    for path in (first / "label.pdf", first / "daftar-isi.pdf"):
        assert pdfa.validate(path).passed


def test_filing_again_changes_nothing(office: Home, reg: Register, cfg: config.Config) -> None:
    case = make_case(office, reg, 1)
    target = archive.file_case(office, cfg, reg, case)
    sums = (target / "SHA256SUMS").read_text()
    again = archive.file_case(office, cfg, reg, reg.get(case.id))
    assert again == target
    assert (target / "SHA256SUMS").read_text() == sums


def test_crash_before_the_commit_leaves_two_copies_and_recover_finishes(
        office: Home, reg: Register, cfg: config.Config,
        monkeypatch: pytest.MonkeyPatch) -> None:
    case = make_case(office, reg, 1, returned_at=3)
    working = office.root / case.folder

    def crash(*args: object) -> None:
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(filing, "_commit", crash)
    with pytest.raises(KeyboardInterrupt):
        archive.file_case(office, cfg, reg, case)
    target = archive.target_folder(office, cfg, case)
    assert working.is_dir() and target.is_dir(), "both copies exist, never none"
    assert reg.get(case.id).folder == working.relative_to(office.root).as_posix()

    monkeypatch.undo()
    archive.recover(office, cfg, reg)
    assert not working.exists()
    assert reg.get(case.id).folder == target.relative_to(office.root).as_posix()
    assert (office.archive / "2026" / "buku-register-2026.pdf").exists()
    assert archive.verify_archive(office, reg) == []


def test_crash_while_building_keeps_the_working_folder(office: Home, reg: Register,
                                                       cfg: config.Config,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    case = make_case(office, reg, 1)
    working = office.root / case.folder

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(history, "write_history", crash)
    with pytest.raises(OSError):
        archive.file_case(office, cfg, reg, case)
    target = archive.target_folder(office, cfg, case)
    assert working.is_dir() and not target.exists()
    assert sorted(p.name for p in working.iterdir()) == sorted(
        ["01 berkas permohonan.pdf", "02 lembar checklist.pdf", SLIP,
         "03 lembar verifikasi.pdf", "04 konsep KK.pdf", KK, "scans"])

    monkeypatch.undo()
    archive.recover(office, cfg, reg)
    assert target.is_dir() and not working.exists()
    assert not list(target.parent.glob(".tmp-*")), "the half-built copy is cleared"
    assert archive.verify_archive(office, reg) == []


def test_an_open_case_is_not_filed(office: Home, reg: Register, cfg: config.Config) -> None:
    case = make_case(office, reg, 1)
    case.status = "open"
    with pytest.raises(archive.ArchiveError, match="belum dapat diarsipkan"):
        archive.file_case(office, cfg, reg, case)


def test_odd_scan_names_still_check_with_sha256sum(office: Home, reg: Register,
                                                   cfg: config.Config) -> None:
    case = make_case(office, reg, 1)
    folder = office.root / case.folder
    odd = ["scans/foto\\kitap.jpg", "scans/baris\nbaru.jpg", "scans/spasi  ganda.jpg"]
    with reg.transaction() as db:  # documents come with an event, as a step adds them
        reg.add_event(db, case.id, at=case.received_at, step=1, action="dipindai")
        for name in odd:
            (folder / name).write_bytes(name.encode())
            reg.add_document(db, case.id, name=name, step=1,
                             sha256=filing.sha256_file(folder / name),
                             size=len(name.encode()), at=case.received_at)
    target = archive.file_case(office, cfg, reg, case)
    done = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=target,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert set(odd) <= set(filing.read_sums(target))
    assert archive.verify_archive(office, reg) == []


def test_crash_after_the_commit_is_finished_by_recover(office: Home, reg: Register,
                                                       cfg: config.Config,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    case = make_case(office, reg, 1, returned_at=3)
    working = office.root / case.folder
    printed = office.print / f"{case.id} {case.title} - {SLIP}"

    def crash(*args: object) -> None:
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(filing, "refresh", crash)
    with pytest.raises(KeyboardInterrupt):
        archive.file_case(office, cfg, reg, case)
    target = archive.target_folder(office, cfg, reg.get(case.id))
    assert reg.get(case.id).folder == target.relative_to(office.root).as_posix()
    assert working.is_dir() and printed.exists(), "nothing is removed before the books"

    monkeypatch.undo()
    archive.recover(office, cfg, reg)
    assert not working.exists() and not printed.exists()
    assert "KKWNA-2026-0001" in text_of(target.parent / "daftar-isi.pdf")
    assert "KKWNA-2026-0001" in text_of(office.archive / "2026" / "buku-register-2026.pdf")


def test_a_filed_case_stays_in_its_binder_when_the_binder_size_changes(
        office: Home, reg: Register, cfg: config.Config, small: config.Config) -> None:
    cases = [make_case(office, reg, n) for n in (1, 2, 3)]
    third = archive.file_case(office, cfg, reg, cases[2])
    assert third.parent.name == "odner-01"
    archive.recover(office, small, reg)  # the office now keeps 2 cases a binder
    assert archive.target_folder(office, small, reg.get(cases[2].id)) == third
    assert third.is_dir()
    assert archive.verify_archive(office, reg) == []
