"""A full disk during `watch`, `sign` or `collect` (kkwna issue 14, item 14): the same one
Indonesian line and retry that intake has, never "disk I/O error" and exit 70.

The disk is filled at the write boundary: sqlite's own "database or disk is full" and
"disk I/O error" from the register's transaction, ENOSPC from the atomic file writer.
Space comes back by clearing the flag; the retry then succeeds, with nothing lost.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from pipeline.office import config, faults, fsutil
from pipeline.office import home as homes
from pipeline.store.register import Register
from pipeline.watcher import Watcher
from tests.office import fill, one, wait_for
from tests.stages import form_values
from tests.test_handover import PENYERAHAN, signed
from tests.test_tte_flow import _case, _kkwna, _pki

CASE = "KKWNA-2026-0001"


def full_register(monkeypatch: pytest.MonkeyPatch, full: threading.Event, message: str) -> None:
    """While *full* is set, every register transaction fails as sqlite does on a full disk."""
    real = Register.transaction

    @contextmanager
    def transaction(self: Register) -> Iterator[sqlite3.Connection]:
        if full.is_set():
            raise sqlite3.OperationalError(message)
        with real(self) as db:
            yield db

    monkeypatch.setattr(Register, "transaction", transaction)


def full_files(monkeypatch: pytest.MonkeyPatch, full: threading.Event, home: homes.Home) -> None:
    """While *full* is set, writing any file outside .kkwna/ fails with ENOSPC."""
    real = fsutil.atomic_writer

    @contextmanager
    def writer(path: Path, mode: int | None = None) -> Iterator[Any]:
        if full.is_set() and home.state not in Path(path).parents:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        with real(path, mode) as fh:
            yield fh

    monkeypatch.setattr(fsutil, "atomic_writer", writer)


def one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output and "disk I/O error" not in output
    return lines[0]


def step(home: homes.Home, cid: str = CASE) -> tuple[str, int]:
    case = _case(home, cid)
    return case.status, case.step


@pytest.mark.timeout(90)
def test_watch_a_desk_form_on_a_full_disk_waits_says_so_and_is_taken_later(office_at,
                                                                           monkeypatch):
    home = office_at(2)
    form = one(home.desks / "02-front-office", "*.pdf")
    full = threading.Event()
    full.set()
    full_register(monkeypatch, full, "database or disk is full")
    fill(form, form_values(2))
    watcher = Watcher(home, config.load(home.root))
    watcher.retry_first = 0.3
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: faults.load(home).waiting, what="the fault recorded")
        (what, item), = faults.load(home).waiting.items()
        assert what == f"desks/02-front-office/{form.name}"
        assert "disk penuh" in item["pesan"] and "Tidak ada yang hilang" in item["pesan"]
        assert form.exists() and not form.with_name(form.name + ".error.txt").exists()
        assert step(home) == ("open", 2)
        assert "disk penuh" in _kkwna(home, "status").output
        full.clear()  # space is back
        wait_for(lambda: step(home) == ("open", 3), what="the form taken")
    finally:
        watcher.stop.set()
        thread.join(timeout=20)
    assert not form.exists()
    assert faults.load(home).waiting == {}
    assert "disk penuh" not in _kkwna(home, "status").output


@pytest.mark.timeout(120)
def test_sign_on_a_full_disk_is_one_line_and_signs_when_run_again(demo_at, monkeypatch):
    home, ids = demo_at(8)
    cid, pki = ids["JOHN SMITH"], _pki(home)
    full = threading.Event()
    full.set()
    full_files(monkeypatch, full, home)
    args = ("sign", cid, "--p12", str(pki["head"]), "--passphrase-file", str(pki["passphrase"]))
    result = _kkwna(home, *args)
    assert result.exit_code not in (0, 70), result.output
    line = one_line(result.output)
    assert line.startswith(f"kkwna: {cid}: ") and "disk penuh" in line
    assert step(home, cid) == ("open", 8)  # nothing recorded, nothing lost
    assert "disk penuh" in _kkwna(home, "status").output
    full.clear()
    again = _kkwna(home, *args)
    assert again.exit_code == 0, again.output
    assert step(home, cid) == ("open", 11)
    assert "disk penuh" not in _kkwna(home, "status").output


@pytest.mark.timeout(120)
def test_collect_on_a_full_disk_is_one_line_and_hands_over_when_run_again(demo_at,
                                                                          monkeypatch):
    home, cid = signed(demo_at)
    code = _case(home, cid).collection_code
    full = threading.Event()
    full.set()
    # sqlite says "disk I/O error" when its journal finds no room: the disk is checked
    full_register(monkeypatch, full, "disk I/O error")
    real_usage = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage", lambda p: real_usage(p)._replace(free=4096)
                        if full.is_set() else real_usage(p))
    args = ("collect", code, "--receiver", "JOHN MICHAEL SMITH", "--officer", PENYERAHAN)
    result = _kkwna(home, *args)
    assert result.exit_code not in (0, 70), result.output
    line = one_line(result.output)
    assert line.startswith(f"kkwna: {cid}: ") and "disk penuh" in line
    assert step(home, cid) == ("open", 11)
    assert "disk penuh" in _kkwna(home, "status").output
    full.clear()
    again = _kkwna(home, *args)
    assert again.exit_code == 0, again.output
    assert step(home, cid) == ("issued", 11)
    assert "disk penuh" not in _kkwna(home, "status").output


def test_intake_takes_sqlite_saying_the_disk_is_full_for_what_it_is(office, monkeypatch):
    """The register's own "database or disk is full" is the machine's fault as ENOSPC is:
    the entry waits in the inbox, never goes to quarantine as an application's fault."""
    from tests.office import jpeg, run_once
    Register(office.register_path).close()  # the register exists before the disk fills
    full = threading.Event()
    full.set()
    full_register(monkeypatch, full, "database or disk is full")
    jpeg(office.inbox / "EKA.jpg", text="eka")
    run_once(office)
    assert (office.inbox / "EKA.jpg").exists()
    assert not list(office.quarantine.iterdir())
    assert "disk penuh" in faults.load(office).inbox["EKA.jpg"]["pesan"]
    full.clear()
    run_once(office)
    assert not (office.inbox / "EKA.jpg").exists()
    assert faults.load(office).inbox == {}
