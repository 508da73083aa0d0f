"""The watcher meets a FIFO, a link to a device and a link to a real form on a desk: none is
read, none hangs it, none counts as a decision, and the register stays sound."""

from __future__ import annotations

import os

import pytest

from pipeline.register import Register
from tests.office import fill, jpeg, run_once, visible
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
