"""The watcher meets a FIFO, a link to a device and a link to a real form on a desk: none is
read, none hangs it, none counts as a decision, and the register stays sound."""

from __future__ import annotations

import os
import threading
import time

import pytest

from pipeline.office import config
from pipeline.office.home import WorkLock
from pipeline.store.register import Register
from pipeline.watcher import Watcher
from tests.office import fill, jpeg, run_once, visible
from tests.stages import CASE, form_values
from tests.test_flow import kkwna
from tests.test_front_office import CHECKLIST_OK


@pytest.mark.timeout(90)
def test_strange_files_on_a_desk_never_hang_the_watcher_or_decide(office, tmp_path):
    jpeg(office.inbox / "pemohon.jpg", text="A")
    run_once(office)
    desk = office.desks / "02-front-office"
    (form,) = visible(desk)
    outside = fill(form, CHECKLIST_OK, save_as=tmp_path / "approved elsewhere.pdf")
    os.mkfifo(desk / "antrian.pdf")
    (desk / "nol.pdf").symlink_to("/dev/zero")
    (desk / "tautan.pdf").symlink_to(outside)

    run_once(office)  # returns: nothing blocked on the FIFO or read /dev/zero

    reg = Register(office.register_path)
    (case,) = reg.cases()
    assert (case.status, case.step) == ("open", 2)  # the linked approval decided nothing
    assert [e["action"] for e in reg.events(case.id)] == ["diterima"]
    for name in ("antrian.pdf", "nol.pdf", "tautan.pdf"):
        note = (desk / f"{name}.error.txt").read_text(encoding="utf-8")
        assert "bukan berkas biasa" in note, name
    assert form.exists()
    assert reg.verify_chain() == []


def test_a_form_saved_on_another_desk_decides_nothing(office):
    """Each role's share has its own permissions: a genuine step-2 form saved onto the
    verifier's desk is refused there, with a note, and records nothing."""
    jpeg(office.inbox / "pemohon.jpg", text="A")
    run_once(office)
    (form,) = visible(office.desks / "02-front-office")
    elsewhere = office.desks / "03-verifikator" / form.name
    fill(form, CHECKLIST_OK, save_as=elsewhere)
    form.unlink()

    run_once(office)

    reg = Register(office.register_path)
    (case,) = reg.cases()
    assert (case.status, case.step) == ("open", 2)
    assert [e["action"] for e in reg.events(case.id)] == ["diterima"]
    assert elsewhere.exists()
    note = (elsewhere.parent / f"{elsewhere.name}.error.txt").read_text(encoding="utf-8")
    assert "langkah 2" in note and "02-front-office" in note and "03-verifikator" in note
    assert reg.verify_chain() == []


MB = 1 << 20


@pytest.mark.timeout(120)
def test_a_megabyte_note_is_refused_before_the_work_lock(office_at):
    """A 1 MB word in the note used to be drawn into every document of the return (30 s
    inside the work lock); it is refused as the form is read, before the lock is taken."""
    home = office_at(2)
    (form,) = visible(home.desks / "02-front-office")
    fill(form, {**form_values(2), "keputusan": "kembalikan", "catatan": "W" * MB})
    watcher = Watcher(home, config.load(home.root), once=True)
    watcher.pending[form] = (watcher._signature(form), 0.0)  # saved, and still since
    reg = Register(home.register_path)
    try:
        with WorkLock(home):  # someone else works: a refusal must not wait for them
            result: list[str] = []
            worker = threading.Thread(target=lambda: result.append(watcher.handle(reg, form)))
            started = time.perf_counter()
            worker.start()
            worker.join(timeout=30)
            took = time.perf_counter() - started
        worker.join()
        assert result == ["refused"] and took < 30
        assert [e["action"] for e in reg.events(CASE)] == ["diterima"]
        assert reg.get(CASE).step == 2
    finally:
        reg.close()
    note = (form.parent / f"{form.name}.error.txt").read_text(encoding="utf-8")
    assert "Catatan terlalu panjang" in note and "1.048.576" in note


def test_a_long_note_from_the_terminal_is_refused_at_once(office_at):
    home = office_at(2)
    word = "W" * 100_000  # the longest a command-line argument may be is 128 KiB
    refused = kkwna(home, "decide", CASE, "--step", "2", "--return", word, "--officer",
                    form_values(2)["petugas_nip"])
    assert refused.returncode == 1, refused.stdout + refused.stderr[-300:]
    assert refused.stderr.count("\n") == 1 and "Catatan terlalu panjang" in refused.stderr
    reg = Register(home.register_path)
    try:
        assert [e["action"] for e in reg.events(CASE)] == ["diterima"]
    finally:
        reg.close()
