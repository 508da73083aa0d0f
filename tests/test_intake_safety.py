"""Intake takes only what it took, never loses a drop to a machine fault or a restored
register, and copes with names at the 255-byte limit."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.intake import scans, taking
from pipeline.office import config, faults
from pipeline.store.register import Register, RegisterBehind
from pipeline.watcher import Watcher
from tests.office import jpeg, pdf, run_once, visible, wait_for

ROOT = Path(__file__).resolve().parent.parent


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cases(home) -> list[tuple[str, str]]:
    reg = Register(home.register_path)
    try:
        return [(c.id, c.status) for c in reg.cases()]
    finally:
        reg.close()


def kkwna(home, *args: str, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KKWNA_CRASH_AT", None)
    if crash_at:
        env["KKWNA_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "pipeline", "--home", str(home.root), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def status_json(home) -> dict:
    result = CliRunner().invoke(cli, ["--home", str(home.root), "status", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# --- 1. only what was taken leaves the inbox -----------------------------------------------

def test_skipped_files_stay_in_the_inbox_and_the_folder_is_held_with_a_note(office):
    budi = office.root / "scanner" / "BUDI"
    jpeg(budi / "paspor.jpg", text="paspor")
    left = {"kitap.jpg.part": b"half a scan", ".formulir.jpg": jpeg(
        office.root / "f.jpg", text="f").read_bytes()}
    for name, data in left.items():
        (budi / name).write_bytes(data)
    jpeg(budi / ".tmpdir" / "hal2.jpg", text="hal2")
    hal2 = digest(budi / ".tmpdir" / "hal2.jpg")
    budi.rename(office.inbox / "BUDI")
    run_once(office)

    assert cases(office) == [("KKWNA-2026-0001", "open")]
    case_dir = office.cases / "KKWNA-2026-0001 BUDI"
    assert sorted(p.name for p in (case_dir / "scans").iterdir()) == ["paspor.jpg"]
    inbox = office.inbox / "BUDI"
    assert not (inbox / "paspor.jpg").exists()  # taken: removed
    for name, data in left.items():  # not taken: still there, byte for byte
        assert (inbox / name).read_bytes() == data
    assert digest(inbox / ".tmpdir" / "hal2.jpg") == hal2
    note = (office.inbox / "BUDI.error.txt").read_text()
    assert "KKWNA-2026-0001" in note and "kitap.jpg.part" in note and ".tmpdir/hal2.jpg" in note
    assert faults.load(office).held["BUDI"]["kasus"] == "KKWNA-2026-0001"

    run_once(office)  # held: never taken again as a second case, never removed
    assert cases(office) == [("KKWNA-2026-0001", "open")]
    assert (inbox / "kitap.jpg.part").exists() and not list(office.quarantine.iterdir())
    assert "BUDI" in json.dumps(status_json(office)["gangguan"]["ditahan"])

    shutil.rmtree(inbox)  # the clerk dealt with it: the hold and its note go
    run_once(office)
    assert faults.load(office).held == {} and not (office.inbox / "BUDI.error.txt").exists()


def test_a_scan_added_while_the_bundle_is_made_is_left_for_the_clerk(office, monkeypatch):
    rina = office.inbox / "RINA"
    rina.mkdir()
    pdf(rina / "1 formulir.pdf", pages=3)
    real_bundle = scans.bundle

    def bundle_while_a_scan_arrives(*args, **kwargs):
        result = real_bundle(*args, **kwargs)
        jpeg(rina / "2 paspor.jpg", text="late")  # the second scan, 0.3 s too late
        return result

    monkeypatch.setattr(taking.scans, "bundle", bundle_while_a_scan_arrives)
    run_once(office)
    assert cases(office) == [("KKWNA-2026-0001", "open")]
    scans_dir = office.cases / "KKWNA-2026-0001 RINA" / "scans"
    assert [p.name for p in scans_dir.iterdir()] == ["1 formulir.pdf"]
    assert (rina / "2 paspor.jpg").exists() and not (rina / "1 formulir.pdf").exists()
    assert "2 paspor.jpg" in (office.inbox / "RINA.error.txt").read_text()

    monkeypatch.setattr(taking.scans, "bundle", real_bundle)
    outcomes: list[str] = []
    Watcher(office, config.load(office.root), once=True,
            on_item=lambda entry, outcome: outcomes.append(outcome)).run()
    assert "held" in outcomes  # the watcher says so, and takes nothing
    assert cases(office) == [("KKWNA-2026-0001", "open")]


# --- 2. a folder put back is a new application ---------------------------------------------

def test_a_folder_put_back_after_a_failed_intake_opens_a_new_case(office, monkeypatch):
    jpeg(office.inbox / "SARI" / "paspor.jpg", text="sari")
    calls = []

    def broken_place(env, case, step, extra=None):
        calls.append(case.id)
        raise RuntimeError("layout rusak")

    monkeypatch.setattr(taking.placing, "place", broken_place)
    run_once(office)
    assert calls == ["KKWNA-2026-0001"]
    assert (office.quarantine / "SARI" / "paspor.jpg").exists()
    assert cases(office) == [("KKWNA-2026-0001", "cancelled")]  # the number is accounted for
    assert not list(office.cases.iterdir())  # the half-made case folder is gone

    monkeypatch.undo()
    os.rename(office.quarantine / "SARI", office.inbox / "SARI")  # the clerk puts it back
    run_once(office)
    assert cases(office) == [("KKWNA-2026-0001", "cancelled"), ("KKWNA-2026-0002", "open")]
    assert (office.cases / "KKWNA-2026-0002 SARI" / "scans" / "paspor.jpg").exists()
    assert not (office.inbox / "SARI").exists()
    # the note of its stay in quarantine no longer applies
    assert not (office.quarantine / "SARI.error.txt").exists()


@pytest.mark.slow
def test_a_folder_moved_out_and_back_while_the_watcher_is_down_opens_a_new_case(office):
    jpeg(office.inbox / "TONO" / "paspor.jpg", text="tono")
    crashed = kkwna(office, "watch", "--once", crash_at="intake-numbered")
    assert crashed.returncode == 86, crashed.stderr
    assert cases(office) == [("KKWNA-2026-0001", "intake")]
    aside = office.root / "TONO"
    os.rename(office.inbox / "TONO", aside)  # out while the watcher is down ...
    run_once(office)
    assert cases(office) == [("KKWNA-2026-0001", "cancelled")]
    os.rename(aside, office.inbox / "TONO")  # ... and back: the same files, a new drop
    run_once(office)
    assert cases(office) == [("KKWNA-2026-0001", "cancelled"), ("KKWNA-2026-0002", "open")]
    assert (office.cases / "KKWNA-2026-0002 TONO" / "scans" / "paspor.jpg").exists()
    assert not (office.inbox / "TONO").exists()


# --- 3. a register behind the disk gives no number -----------------------------------------

def test_a_restored_register_stops_the_watcher_and_no_case_folder_is_written_over(office):
    jpeg(office.inbox / "ANI.jpg", text="ani")
    run_once(office)
    backup = office.root / "cadangan" / "register.sqlite3"
    result = CliRunner().invoke(cli, ["--home", str(office.root), "register", "backup",
                                      str(backup)])
    assert result.exit_code == 0, result.output
    jpeg(office.inbox / "BAYU.jpg", text="bayu")
    run_once(office)
    assert cases(office)[-1] == ("KKWNA-2026-0002", "open")
    bayu = office.cases / "KKWNA-2026-0002 BAYU"
    before = {p.name: digest(p) for p in bayu.iterdir() if p.is_file()}

    shutil.copy(backup, office.register_path)  # restored from last night's copy
    shutil.copy(backup.with_suffix(".chain"), office.register_path.with_suffix(".chain"))
    for stale in office.archive.glob("register.sqlite3-*"):
        stale.unlink()
    jpeg(office.inbox / "CITRA.jpg", text="citra")
    refused = kkwna(office, "watch", "--once")
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "Register tertinggal" in refused.stderr
    assert "KKWNA-2026-0002" in refused.stderr and "cadangan" in refused.stderr
    assert (office.inbox / "CITRA.jpg").exists()
    assert cases(office) == [("KKWNA-2026-0001", "open")]
    assert {p.name: digest(p) for p in bayu.iterdir() if p.is_file()} == before
    assert "Register tertinggal" in kkwna(office, "status").stdout


def test_intake_refuses_a_number_whose_case_folder_exists(office, reg):
    # a case folder appears after the watcher started (copied back from a backup disk)
    watcher = Watcher(office, config.load(office.root), once=True)
    original = office.cases / "KKWNA-2026-0001 DEWI" / "01 berkas permohonan.pdf"
    original.parent.mkdir(parents=True)
    original.write_bytes(b"%PDF- the original of 2024")
    jpeg(office.inbox / "DEWI.jpg", text="dewi")
    assert watcher.handle(reg, office.inbox / "DEWI.jpg") == "waiting"
    assert original.read_bytes() == b"%PDF- the original of 2024"
    assert reg.cases() == [] and (office.inbox / "DEWI.jpg").exists()
    problems = status_json(office)["gangguan"]
    assert "Register tertinggal" in problems["register"][0]
    assert "DEWI.jpg" in problems["inbox"]
    with pytest.raises(RegisterBehind):
        taking._refuse_existing_folder(office, reg, type("C", (), {
            "id": "KKWNA-2026-0001", "folder": "cases/KKWNA-2026-0001 LAIN"})())


def test_backup_while_the_watcher_runs_is_a_consistent_copy(office):
    from tests.office import Running
    with Running(office):
        for i in range(3):
            jpeg(office.inbox / f"P{i}.jpg", text=str(i))
        wait_for(lambda: len(cases(office)) == 3 and not visible(office.inbox, "*.jpg"),
                 what="three cases")
        dest = office.root / "salinan.sqlite3"
        result = CliRunner().invoke(cli, ["--home", str(office.root), "register", "backup",
                                          str(dest)])
        assert result.exit_code == 0, result.output
    copy = Register(dest)
    try:
        assert [c.id for c in copy.cases()] == [f"KKWNA-2026-000{i}" for i in (1, 2, 3)]
        assert copy.verify_chain() == []
    finally:
        copy.close()


# --- 6. a fault of the machine is not a fault of the application ---------------------------

@pytest.mark.timeout(60)
def test_a_full_disk_leaves_the_entry_retries_and_opens_it_once_with_its_number(office,
                                                                              monkeypatch):
    real_copy = taking.atomic_copy
    disk_full = threading.Event()
    disk_full.set()

    def copy(src, dst, mode=None):
        real_copy(src, dst, mode)  # something is written before the disk fills up
        if disk_full.is_set():
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(taking, "atomic_copy", copy)
    jpeg(office.inbox / "EKA" / "paspor.jpg", text="eka")
    watcher = Watcher(office, config.load(office.root))
    watcher.retry_first = 0.3
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: "EKA" in faults.load(office).inbox, what="the fault recorded")
        line = faults.load(office).inbox["EKA"]["pesan"]
        assert "disk penuh" in line and "tetap di inbox" in line
        assert (office.inbox / "EKA" / "paspor.jpg").exists()
        assert not list(office.quarantine.iterdir())
        assert not list(office.cases.iterdir())  # what the attempt wrote is cleaned
        assert not visible(office.desks / "02-front-office")
        assert cases(office) == [("KKWNA-2026-0001", "intake")]
        assert "disk penuh" in kkwna(office, "status").stdout

        disk_full.clear()  # space is back
        wait_for(lambda: not (office.inbox / "EKA").exists(), what="the entry taken")
    finally:
        watcher.stop.set()
        thread.join(timeout=20)
    assert cases(office) == [("KKWNA-2026-0001", "open")]  # the same number, once
    assert (office.cases / "KKWNA-2026-0001 EKA" / "scans" / "paspor.jpg").exists()
    assert faults.load(office).inbox == {}


def test_an_unreadable_sub_folder_makes_the_folder_wait_and_says_why(office, monkeypatch):
    jpeg(office.inbox / "FAJAR" / "paspor.jpg", text="f")
    jpeg(office.inbox / "FAJAR" / "lampiran" / "kitap.jpg", text="k")
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path).name == "lampiran":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(taking.os, "scandir", scandir)
    run_once(office)
    assert cases(office) == []
    assert (office.inbox / "FAJAR" / "lampiran" / "kitap.jpg").exists()
    line = faults.load(office).inbox["FAJAR"]["pesan"]
    assert "lampiran" in line and "izin" in line


# --- 5. links, FIFOs and devices in the inbox ----------------------------------------------

@pytest.mark.timeout(30)
def test_fifo_device_links_in_the_inbox_are_quarantined_never_read(office, tmp_path):
    outside = pdf(tmp_path / "elsewhere.pdf")
    os.mkfifo(office.inbox / "scan.pdf")
    os.symlink("/dev/zero", office.inbox / "nol.jpg")
    os.symlink(outside, office.inbox / "luar.pdf")
    folder = office.inbox / "GITA"
    jpeg(folder / "paspor.jpg", text="g")
    os.mkfifo(folder / "kitap.jpg")
    run_once(office)
    assert cases(office) == []
    for name in ("scan.pdf", "nol.jpg", "luar.pdf", "GITA"):
        note = (office.quarantine / f"{name}.error.txt").read_text()
        assert "bukan berkas" in note.lower() or "tautan" in note, note
    assert (office.quarantine / "nol.jpg").is_symlink()
    assert outside.read_bytes()[:5] == b"%PDF-"


# --- 7. names at the 255-byte limit --------------------------------------------------------

SCRIPTS = {
    "latin": "Ă",  # 2 bytes
    "arab": "م",  # 2 bytes
    "cjk": "王",  # 3 bytes
    "devanagari": "क्षि",  # a cluster with a virama and a vowel sign
    "emoji": "👩‍👩‍👧",  # a ZWJ sequence, 4-byte characters
    "gothic": "𐌰",  # 4 bytes
}


def name_of(unit: str, size: int = 255, suffix: str = "") -> str:
    """*unit* repeated, padded with "x" to exactly *size* bytes with *suffix*."""
    name = ""
    while len((name + unit + suffix).encode()) <= size:
        name += unit
    return name + "x" * (size - len((name + suffix).encode())) + suffix


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_a_folder_named_with_255_bytes_becomes_a_case_in_any_script(office, script):
    name = name_of(SCRIPTS[script])
    assert len(name.encode()) == 255
    jpeg(office.inbox / name / "paspor.jpg", text=script)
    run_once(office)
    assert cases(office) == [("KKWNA-2026-0001", "open")], list(office.quarantine.iterdir())
    reg = Register(office.register_path)
    case = reg.get("KKWNA-2026-0001")
    reg.close()
    assert case.source_name == name  # the full name is kept in the register
    folder = office.root / case.folder
    assert folder.is_dir() and len(folder.name.encode()) <= 255
    form = visible(office.desks / "02-front-office")[0]
    note = form.with_name(form.name + ".error.txt")
    note.write_text("ok")  # the desk form's error file fits too
    assert len(note.name.encode()) <= 255
    assert not (office.inbox / name).exists()


@pytest.mark.parametrize("script", ["cjk", "emoji", "devanagari"])
def test_a_bad_file_named_with_255_bytes_is_quarantined_with_its_full_name(office, script):
    name = name_of(SCRIPTS[script], suffix=".pdf")
    assert len(name.encode()) == 255
    (office.inbox / name).write_bytes(b"not a pdf at all")
    run_once(office)
    notes = list(office.quarantine.glob("*.error.txt"))
    assert len(notes) == 1 and name in notes[0].read_text()
    kept = notes[0].with_name(notes[0].name[:-len(".error.txt")])
    assert kept.read_bytes() == b"not a pdf at all"


def test_case_titles_fit_with_every_form_and_print_name():
    from pipeline.domain import sop
    longest = max(len(f" - {s.form}.pdf.error.txt".encode()) for s in sop.STEPS if s.form)
    assert longest <= taking.TITLE_SUFFIX_BYTES
    for unit in SCRIPTS.values():
        title = taking.safe_title(unit * 200)
        assert len(f"KKWNA-2026-10000 {title}".encode()) + taking.TITLE_SUFFIX_BYTES <= 255
        assert title.endswith("~")
    assert taking.safe_title("dr. a.b") == "DR. A.B"


# --- 8. quarantine notes in office time ----------------------------------------------------

def test_quarantine_notes_are_stamped_in_the_offices_time_zone(office):
    toml = office.root / config.FILENAME
    text = toml.read_text()
    assert 'timezone = "Asia/Makassar"' in text
    toml.write_text(text.replace('timezone = "Asia/Makassar"', 'timezone = "Asia/Jayapura"'))
    (office.inbox / "rusak.pdf").write_bytes(b"broken")
    run_once(office)
    note = (office.quarantine / "rusak.pdf.error.txt").read_text()
    assert "WIT)" in note and "WITA" not in note


def test_a_broken_event_chain_is_warned_about_at_start_but_does_not_stop_intake(office):
    import sqlite3
    jpeg(office.inbox / "HANA.jpg", text="hana")
    run_once(office)
    db = sqlite3.connect(office.register_path)
    db.execute("UPDATE events SET officer_name = 'X' WHERE id = 1")  # a hand edit
    db.commit()
    db.close()
    jpeg(office.inbox / "IRA.jpg", text="ira")
    result = kkwna(office, "watch", "--once")
    assert result.returncode == 0
    assert "diubah di luar program" in result.stderr
    # the watcher's log: office time, levels in Indonesian
    line = next(li for li in result.stderr.splitlines() if "diubah di luar program" in li)
    assert " WITA peringatan register: " in line and "WARNING" not in result.stderr
    assert cases(office)[-1] == ("KKWNA-2026-0002", "open")
    assert any("diubah di luar program" in line for line in faults.load(office).register)


def test_a_new_drop_under_a_held_folders_name_is_taken(office):
    jpeg(office.inbox / "JOKO" / "paspor.jpg", text="joko")
    (office.inbox / "JOKO" / "kitap.jpg.part").write_bytes(b"half")
    run_once(office)
    assert faults.load(office).held["JOKO"]["kasus"] == "KKWNA-2026-0001"
    os.rename(office.inbox / "JOKO", office.root / "JOKO sisa")  # the clerk moves it out ...
    fresh = office.root / "scanner" / "JOKO"
    jpeg(fresh / "paspor.jpg", text="joko, second application")
    os.rename(fresh, office.inbox / "JOKO")  # ... and drops a new application of that name
    run_once(office)
    assert cases(office) == [("KKWNA-2026-0001", "open"), ("KKWNA-2026-0002", "open")]
    assert not (office.inbox / "JOKO").exists() and faults.load(office).held == {}
