"""The watcher's stability promise holds for every item, also one that was judged still
while the items before it were being handled."""

from __future__ import annotations

import time

from pipeline.office import config
from pipeline.store.register import Register
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


def _inotify_instances() -> int:
    import os
    fds = os.listdir("/proc/self/fd")
    return sum(1 for fd in fds if "inotify" in _target(f"/proc/self/fd/{fd}"))


def _target(link: str) -> str:
    import os
    try:
        return os.readlink(link)
    except OSError:
        return ""


def test_watch_once_leaves_no_inotify_instance_behind(office):
    """`watch --once` only rescans: it opens no inotify instance (a process that runs it
    many times, such as a long test session, would run out: the limit is 128 per user)."""
    from tests.office import Running, run_once
    before = _inotify_instances()
    for _ in range(3):
        run_once(office)
    assert _inotify_instances() == before
    with Running(office):  # the running watcher has one, and gives it back when it stops
        pass
    assert _inotify_instances() == before
