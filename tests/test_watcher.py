"""The watcher's stability promise holds for every item, also one that was judged still
while the items before it were being handled."""

from __future__ import annotations

import time

from pipeline import config
from pipeline.register import Register
from pipeline.watcher import Watcher


def test_an_item_written_to_after_it_was_judged_still_waits_again(office):
    desk = office.desks / "02-front-office"
    form = desk / "KKWNA-2026-0001 X - lembar checklist.pdf"
    form.write_bytes(b"%PDF-1.7 first save")
    watcher = Watcher(office, config.load(office.root), once=True)
    watcher.notice(form)
    watcher._collect()
    judged = watcher.pending[form]
    time.sleep(0.01)
    form.write_bytes(b"%PDF-1.7 second save, still being written ...")  # a clerk saves again
    reg = Register(office.register_path)
    try:
        assert watcher.handle(reg, form) == "changed"
    finally:
        reg.close()
    sig, since = watcher.pending[form]
    assert sig != judged[0] and since > judged[1]  # the stability wait starts over
    assert not form.with_name(form.name + ".error.txt").exists()  # it was not read
