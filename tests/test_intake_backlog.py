"""A backlog dropped at once is drawn on every core, and stays as safe as one entry: numbers
gap-free and in drop order, every crash point and a SIGKILL survived, no worker left."""

from __future__ import annotations

import hashlib
import logging
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.desks import forms, placing
from pipeline.domain import sop
from pipeline.office import config, crash
from pipeline.store.register import Register
from pipeline.watcher import BACKLOG, Watcher
from tests.office import jpeg, pdf, visible

ROOT = Path(__file__).resolve().parent.parent
FRONT = "02-front-office"


def drop(home, count: int, start: int = 1) -> list[str]:
    """*count* entries (single scans, and every third a folder of two) moved into the inbox
    at once, in the order the watcher takes them; their names."""
    staging = home.root / "scanner"
    names = []
    for n in range(start, start + count):
        name = f"pemohon {n}" if n % 3 else f"PEMOHON {n} map"
        if n % 3:
            jpeg(staging / f"{name}.jpg", size=(300, 400), text=name)
            names.append(f"{name}.jpg")
        else:
            jpeg(staging / name / "kitap.jpg", size=(300, 400), text=name)
            pdf(staging / name / "formulir.pdf")
            names.append(name)
    for name in names:
        os.rename(staging / name, home.inbox / name)
    return names


def summary(home) -> list[tuple]:
    """What the register and the desk hold of each case, without times and tokens."""
    reg = Register(home.register_path)
    try:
        out = []
        for c in reg.cases():
            fields, _ = forms.read_form(placing.form_path(home, c, sop.FIRST_DESK.number))
            out.append((c.id, c.status, c.title, c.source_name, c.data["berkas"],
                        c.data["halaman"], c.data["checklist_hint"],
                        [e["action"] for e in reg.events(c.id)],
                        [d["name"] for d in reg.documents(c.id)],
                        {k: v for k, v in fields.items() if k != placing.TOKEN},
                        c.data["placed_token"][str(sop.FIRST_DESK.number)]
                        == fields[placing.TOKEN]))
        return out
    finally:
        reg.close()


def natural(names: list[str]) -> list[str]:
    from pipeline.intake.taking import natural_key
    return sorted(names, key=natural_key)


def test_a_backlog_is_drawn_by_worker_processes_and_opens_the_same_cases(office, caplog,
                                                                         tmp_path):
    """The pool opens each case exactly as one process does (register, documents, the
    checklist's fields), numbered in drop order; a second home taken without workers is
    the comparison."""
    alone = type(office)(tmp_path / "alone")
    from pipeline.office import home as homes
    homes.init(alone)
    (alone.root / config.FILENAME).write_text((office.root / config.FILENAME).read_text())
    count = BACKLOG + 4
    names = drop(office, count)
    assert drop(alone, count) == names
    with caplog.at_level(logging.INFO, logger="pipeline.intake.backlog"):
        Watcher(office, config.load(office.root), once=True).run()
    assert "proses penggambar" in caplog.text  # the backlog went to the pool
    Watcher(alone, config.load(alone.root), once=True, workers=0).run()

    pooled = summary(office)
    assert pooled == summary(alone)
    assert [row[3] for row in pooled] == natural(names)  # drop order
    assert [row[0] for row in pooled] == [f"KKWNA-2026-{n:04d}" for n in range(1, count + 1)]
    assert {row[1] for row in pooled} == {"open"} and all(row[-1] for row in pooled)
    assert not list(office.inbox.iterdir())
    assert not list(office.staging.iterdir()), "nothing left in staging"
    assert len(visible(office.desks / FRONT)) == count


def test_one_entry_is_taken_without_starting_the_pool(office):
    jpeg(office.inbox / "MARIA GARCIA kitap.jpg", text="MARIA")
    seen = []
    watcher = Watcher(office, config.load(office.root), once=True,
                      on_item=lambda entry, outcome: seen.append((outcome, watcher.pool.warm)))
    watcher.run()
    assert seen == [("KKWNA-2026-0001", False)]


def test_a_bad_scan_in_a_backlog_is_quarantined_and_the_numbers_close_up(office):
    names = drop(office, BACKLOG + 1)
    (office.inbox / "pemohon 4.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 200)
    outcomes = {}
    Watcher(office, config.load(office.root), once=True,
            on_item=lambda entry, outcome: outcomes.update({entry.name: outcome})).run()
    assert outcomes["pemohon 4.jpg"] == "quarantined"
    reg = Register(office.register_path)
    cases = reg.cases()
    assert [c.seq for c in cases] == list(range(1, len(names)))
    assert [c.source_name for c in cases] == [n for n in natural(names) if n != "pemohon 4.jpg"]
    assert [p.name for p in office.quarantine.iterdir() if not p.name.endswith(".txt")] \
        == ["pemohon 4.jpg"]


def kkwna(home, *args: str, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KKWNA_CRASH_AT", None)
    if crash_at:
        env["KKWNA_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "pipeline", "--home", str(home.root), *args],
                          capture_output=True, text=True, env=env, timeout=180)


def all_open_in_drop_order(home, names: list[str]) -> Register:
    reg = Register(home.register_path)
    cases = reg.cases()
    assert [c.seq for c in cases] == list(range(1, len(names) + 1))  # no gap, no repeat
    assert [c.source_name for c in cases] == natural(names)
    assert {c.status for c in cases} == {"open"}
    for c in cases:
        assert [e["action"] for e in reg.events(c.id)] == ["diterima"]
        (form,) = visible(home.desks / FRONT, f"{c.id} *.pdf")
        fields, _ = forms.read_form(form)
        assert fields[placing.TOKEN] == c.data["placed_token"][str(sop.FIRST_DESK.number)]
    assert not list(home.inbox.iterdir())
    assert not [p for p in home.staging.iterdir()], "nothing left in staging"
    assert len(visible(home.desks / FRONT)) == len(names)
    return reg


@pytest.mark.slow
@pytest.mark.parametrize("point", ["intake-numbered", "intake-written", "committed@1",
                                   "removed@1"])
def test_a_backlog_survives_a_crash_at_every_point(office, point):
    names = drop(office, BACKLOG + 1)
    crashed = kkwna(office, "watch", "--once", crash_at=point)
    assert crashed.returncode == crash.EXIT, crashed.stderr
    assert kkwna(office, "watch", "--once").returncode == 0
    all_open_in_drop_order(office, names).close()


def descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_sigkill_in_a_backlog_loses_nothing_and_leaves_no_worker(office):
    rng = random.Random(11)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    names: list[str] = []
    for round_ in range(4):
        names += drop(office, 3 * BACKLOG, start=len(names) + 1)
        proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--home", str(office.root),
                                 "watch"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        workers: set[int] = set()
        deadline = time.monotonic() + rng.uniform(1.5, 4.0)
        while time.monotonic() < deadline:
            workers |= descendants(proc.pid)
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if round_ == 0:
            assert workers, "the backlog was drawn by worker processes"
        end = time.monotonic() + 10
        while any(alive(p) for p in workers) and time.monotonic() < end:
            time.sleep(0.05)
        assert not [p for p in workers if alive(p)], "a worker outlived its watcher"
    assert kkwna(office, "watch", "--once").returncode == 0  # a clean restart finishes
    reg = all_open_in_drop_order(office, names)
    taken = set()
    for c in reg.cases():
        scans = office.root / c.folder / "scans"
        taken |= {hashlib.sha256(p.read_bytes()).hexdigest() for p in scans.rglob("*.jpg")}
    assert len(taken) == len(names)  # each drop's scan in exactly one case
    reg.close()


def test_a_backlog_whose_pool_cannot_start_is_drawn_by_the_watcher(office, monkeypatch,
                                                                   caplog):
    from pipeline.intake import drawing_pool

    def no_processes(self):
        raise OSError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(drawing_pool.Pool, "get", no_processes)
    names = drop(office, BACKLOG)
    with caplog.at_level(logging.WARNING, logger="pipeline.intake.backlog"):
        Watcher(office, config.load(office.root), once=True).run()
    assert "tidak dapat dimulai" in caplog.text
    all_open_in_drop_order(office, names).close()


@pytest.mark.slow
def test_ctrl_c_in_a_backlog_stops_after_the_entries_in_hand(office):
    """A terminal's Ctrl-C reaches every process of the group, the workers too: they leave
    the stopping to the watcher, which finishes what it has in hand and exits cleanly."""
    names = drop(office, 3 * BACKLOG)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--home", str(office.root),
                             "watch"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    end = time.monotonic() + 60
    while not visible(office.desks / FRONT) and time.monotonic() < end:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    reg = Register(office.register_path)
    assert {c.status for c in reg.cases()} == {"open"}  # nothing left half-done
    reg.close()
    assert kkwna(office, "watch", "--once").returncode == 0
    all_open_in_drop_order(office, names).close()


def test_recover_clears_what_killed_workers_half_wrote_in_staging(office, reg):
    """A worker killed while writing leaves its own temporary files, or pikepdf's, in
    staging; no live writer is there when the watcher recovers."""
    from pipeline.intake import taking
    office.staging.mkdir(parents=True, exist_ok=True)
    left = [".pikepdf.0a1b.pdf.979fb3a20d68", ".tmp-165f8e05cd6aee94.pdf",
            ".form-KKWNA-2026-0001.pdf"]
    for name in left:
        (office.staging / name).write_bytes(b"%PDF-1.7 half")
    taking.recover(office, reg)
    assert not list(office.staging.iterdir())
