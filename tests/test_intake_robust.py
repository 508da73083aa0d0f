"""Nothing dropped is ever lost, half-taken, numbered twice or skipped."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.office.home import HomeError, WatchLock
from pipeline.store.register import Register
from tests.office import Running, jpeg, pdf, run_once, visible, wait_for


def test_a_file_still_being_written_is_not_taken_early(office):
    with Running(office):
        target = office.inbox / "slow scan.jpg"
        data = jpeg(office.root / "src.jpg", size=(1200, 1600)).read_bytes()
        with open(target, "wb") as fh:
            for i in range(0, len(data), 4096):  # a slow network copy: a trickle of bytes
                fh.write(data[i:i + 4096])
                fh.flush()
                time.sleep(0.02)
                assert not list(office.quarantine.iterdir()), "taken while being written"
                assert Register(office.register_path).cases() == []
        wait_for(lambda: Register(office.register_path).cases(), what="the case")
    assert not list(office.quarantine.iterdir())


def test_fifty_files_at_once_become_cases_1_to_50(office):
    staging = office.root / "batch"
    for i in range(50):
        jpeg(staging / f"pemohon {i:02d}.jpg", size=(200, 260), text=str(i))
    for f in sorted(staging.iterdir()):
        os.rename(f, office.inbox / f.name)
    run_once(office)
    cases = Register(office.register_path).cases()
    assert [c.id for c in cases] == [f"KKWNA-2026-{n:04d}" for n in range(1, 51)]
    assert not list(office.inbox.iterdir())
    titles = sorted(c.title for c in cases)
    assert titles == sorted(f"PEMOHON {i:02d}" for i in range(50))


BAD_INPUTS = {
    "empty.pdf": b"",
    "notes.pdf": b"this is a text file, not a PDF\n" * 20,
    "broken.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 200,
    "letter.docx": b"PK\x03\x04" + b"\x00" * 300,
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_quarantined_with_a_reason_and_the_next_case_goes_on(office, name):
    (office.inbox / name).write_bytes(BAD_INPUTS[name])
    jpeg(office.inbox / "good.jpg")
    run_once(office)
    assert (office.quarantine / name).read_bytes() == BAD_INPUTS[name]
    reason = (office.quarantine / f"{name}.error.txt").read_text()
    # in the clerk's language only (issue 19): no English half of each line
    assert "karantina" in reason and "quarantine" not in reason and " / " not in reason
    assert [c.title for c in Register(office.register_path).cases()] == ["GOOD"]


def test_symlink_and_encrypted_pdf_are_quarantined(office):
    secret = office.root / "secret.txt"
    secret.write_text("outside the inbox")
    os.symlink(secret, office.inbox / "link.pdf")
    import pikepdf
    locked = pikepdf.open(pdf(office.root / "plain.pdf"))
    locked.save(office.inbox / "locked.pdf",
                encryption=pikepdf.Encryption(user="rahasia", owner="rahasia"))
    run_once(office)
    assert (office.quarantine / "link.pdf").is_symlink()
    assert (office.quarantine / "locked.pdf.error.txt").exists()
    assert Register(office.register_path).cases() == []
    assert secret.read_text() == "outside the inbox"


def test_one_bad_file_holds_the_whole_folder(office):
    folder = office.root / "ADA LOVELACE"
    jpeg(folder / "kitap.jpg")
    (folder / "paspor.pdf").write_bytes(b"")
    jpeg(folder / "formulir.jpg", text="f")
    os.rename(folder, office.inbox / folder.name)
    run_once(office)
    held = office.quarantine / "ADA LOVELACE"
    assert sorted(p.name for p in held.iterdir()) == ["formulir.jpg", "kitap.jpg", "paspor.pdf"]
    reason = (office.quarantine / "ADA LOVELACE.error.txt").read_text()
    assert "paspor.pdf" in reason and "kitap.jpg" not in reason
    assert Register(office.register_path).cases() == []
    assert not list(office.cases.iterdir())


def test_junk_and_hidden_files_are_ignored(office):
    for name in ("Thumbs.db", "desktop.ini", ".DS_Store", "._scan.jpg", "~$form.pdf",
                 "copy.tmp", "big.part", ".hidden.jpg"):
        (office.inbox / name).write_bytes(b"junk")
    run_once(office)
    assert Register(office.register_path).cases() == []
    assert not list(office.quarantine.iterdir())


def test_two_watchers_cannot_share_a_home_but_a_dead_ones_lock_does_not_block(office):
    first = WatchLock(office)
    first.acquire()
    with pytest.raises(HomeError, match="sudah berjalan"):
        WatchLock(office).acquire()
    first.release()
    code = "import os, sys; from pipeline.office.home import Home, WatchLock; " \
           f"WatchLock(Home(__import__('pathlib').Path({str(office.root)!r}))).acquire(); " \
           "os.kill(os.getpid(), 9)"
    subprocess.run([sys.executable, "-c", code])
    WatchLock(office).acquire()  # the killed holder's lock is gone with it


def digests(folder: Path) -> set[str]:
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_sigkill_during_intake_loses_nothing_and_numbers_stay_gap_free(office):
    rng = random.Random(7)
    dropped: set[str] = set()
    staging = office.root / "staging"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    n = 0
    for _round in range(6):
        for _ in range(5):
            n += 1
            f = jpeg(staging / f"pemohon {n:03d}.jpg", size=(400, 520), text=f"x{n}")
            dropped.add(hashlib.sha256(f.read_bytes()).hexdigest())
            os.rename(f, office.inbox / f.name)
        proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--home", str(office.root),
                                 "watch"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.4, 1.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    run_once(office)  # a clean restart finishes whatever was interrupted
    reg = Register(office.register_path)
    cases = reg.cases()
    assert [c.seq for c in cases] == list(range(1, len(cases) + 1))  # no gap, no repeat
    assert not list(office.inbox.iterdir())
    assert not list(office.quarantine.iterdir())
    taken = [c for c in cases if c.status == "open"]
    assert len(taken) == len(dropped) == n  # one case per scan
    in_cases = set()
    for c in taken:
        scans = office.root / c.folder / "scans"
        found = digests(scans)
        assert len(found) == 1
        in_cases |= found
    assert in_cases == dropped


def test_polling_observer_for_network_shares(office):
    import threading

    from pipeline.office import config
    from pipeline.watcher import Watcher

    watcher = Watcher(office, config.load(office.root), poll=0.2)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        jpeg(office.inbox / "via smb.jpg")
        wait_for(lambda: visible(office.desks / "02-front-office"),
                 what="the checklist, seen by polling")
    finally:
        watcher.stop.set()
        thread.join(timeout=20)


def test_ctrl_c_stops_the_watcher_cleanly(office):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--home", str(office.root),
                             "watch"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    jpeg(office.inbox / "one.jpg")
    wait_for(lambda: visible(office.desks / "02-front-office"), what="a case")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "one.jpg: KKWNA-2026-0001" in out
    WatchLock(office).acquire()  # released


@pytest.mark.slow
def test_sigkill_during_a_desk_decision_records_it_exactly_once(office):
    """Kill the watcher at random moments while it files checklists; each decision is
    recorded once, its documents are complete, and no form is left behind."""
    from tests.office import fill, one
    from tests.test_front_office import CHECKLIST_OK

    for i in range(4):
        jpeg(office.inbox / f"pemohon {i}.jpg", text=f"d{i}")
    run_once(office)
    for form in visible(office.desks / "02-front-office"):
        fill(form, CHECKLIST_OK)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    rng = random.Random(11)
    for _ in range(5):
        proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--home", str(office.root),
                                 "watch"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    run_once(office)
    reg = Register(office.register_path)
    assert not visible(office.desks / "02-front-office")
    for case in reg.cases():
        decided = [e for e in reg.events(case.id) if e["step"] == 2]
        assert len(decided) == 1, case.id
        folder = office.root / case.folder
        for name in ("02 lembar checklist.pdf", "02 tanda bukti pengambilan.pdf"):
            row = next(d for d in reg.documents(case.id) if d["name"] == name)
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == row["sha256"]
        assert case.step == 3
        assert one(office.desks / "03-verifikator", f"{case.id}*.pdf")
    ok, why = reg.chain_ok()
    assert ok, why


def test_oversized_bomb_and_truncated_scans_are_quarantined_while_good_ones_go_on(office):
    from tests import scanfactory

    cfg_path = office.root / "kkwna.toml"
    cfg_path.write_text(cfg_path.read_text().replace("max_file_mb = 300", "max_file_mb = 1"))
    (office.inbox / "huge.pdf").write_bytes(b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024))
    scanfactory.png_bomb(office.inbox / "bomb.png")
    scanfactory.truncated(jpeg(office.root / "whole.jpg", size=(900, 1200)),
                          office.inbox / "cut.jpg")
    jpeg(office.inbox / "good one.jpg", text="good")
    run_once(office)
    for name in ("huge.pdf", "bomb.png", "cut.jpg"):
        assert (office.quarantine / name).exists(), name
        assert (office.quarantine / f"{name}.error.txt").read_text().strip(), name
    assert "1 MB" in (office.quarantine / "huge.pdf.error.txt").read_text().replace(",0", "")
    assert [c.title for c in Register(office.register_path).cases()] == ["GOOD ONE"]
