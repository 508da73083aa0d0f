"""A backlog of inbox entries (an office importing its old binders) taken on every core.

The drawing, which is most of intake's time (the scan bundle, the checklist), goes to
worker processes (`pipeline.intake.drawing_pool`); everything else stays with ONE writer, this
loop, in drop order, exactly as `taking.take` does it for one entry:

    judge (writer) -> bundle in staging (worker) -> number, in drop order (writer)
    -> draw the checklist, number known, in staging (worker)
    -> case folder, checklist onto the desk, commit as open, inbox removal (writer)

Numbers are given as the bundles come back, in the order the entries were judged, never
out of it: they stay gap-free and follow the drop. A crash anywhere leaves what one
entry's crash leaves today, for each entry in flight: a number recorded as 'intake' with
its entry still in the inbox, which the restart completes under the same number
(`taking.begin` finds it by the entry's fingerprint), or an entry without a number.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pipeline import services
from pipeline.desks import placing
from pipeline.domain.case import Case
from pipeline.domain.model import Env
from pipeline.intake import drawing_pool, taking
from pipeline.intake.drawing_pool import Pool
from pipeline.office.config import Config
from pipeline.office.home import Home, WorkLock
from pipeline.steps import handler
from pipeline.store.register import Register

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class _Drawing:
    attempt: taking.Attempt
    case: Case
    bundled: taking.Bundled
    job: placing.Drawing | None  # None: its handler draws its own form, in the writer
    out: Path
    future: Future[tuple[tuple[str | None, str], int]] | None


class Backlog:
    """Take *entries* (in drop order) with *pool*. The watcher's hooks: *ready* (still
    unchanged since judged still; False: leave it), *done* (its outcome) and *failed* (an
    exception, contained by the watcher as for one entry)."""

    def __init__(self, home: Home, cfg: Config, reg: Register, pool: Pool, *,
                 ready: Callable[[Path], bool], done: Callable[[Path, str], None],
                 failed: Callable[[Path, Exception], None], stop: threading.Event) -> None:
        self.home, self.cfg, self.reg, self.pool = home, cfg, reg, pool
        self.env = Env(home, cfg)
        self.ready, self.done, self.failed, self.stop = ready, done, failed, stop
        self.window = 4 * pool.workers  # entries in flight: keeps every worker busy
        self.pids: set[int] = set()
        self.inline = False  # the pool could not start: the writer draws

    def run(self, entries: list[Path]) -> None:
        try:  # once for the backlog: the case folders are the writer's own from here on
            with WorkLock(self.home):
                self.reg.check_against_disk([self.home.cases, self.home.archive])
            checked = True
        except Exception:  # noqa: BLE001 - each entry's own check says why, and waits
            checked = False
        todo = deque(entries)
        bundling: deque[tuple[taking.Attempt, Future[tuple[taking.Bundled, int]]]] = deque()
        drawing: deque[_Drawing] = deque()
        while todo or bundling or drawing:
            while todo and len(bundling) + len(drawing) < self.window \
                    and not self.stop.is_set():
                entry = todo.popleft()
                if not self.ready(entry):
                    continue
                got = self._turn(entry, functools.partial(taking.begin, self.home, self.cfg,
                                                          self.reg, entry, checked))
                if isinstance(got, taking.Attempt):
                    bundling.append((got, self._submit(drawing_pool.bundle_job, got)))
                elif isinstance(got, str):
                    self.done(entry, got)
            if self.stop.is_set():
                todo.clear()  # not judged yet: left pending for the next run
            moved = False
            if drawing and (drawing[0].future is None or drawing[0].future.done()):
                self._finish(drawing.popleft())
                moved = True
            if bundling and bundling[0][1].done():
                item = self._numbered(*bundling.popleft())
                if item is not None:
                    drawing.append(item)
                moved = True
            if not moved:
                heads: list[Future[Any]] = [
                    f for f in (bundling[0][1] if bundling else None,
                                drawing[0].future if drawing else None) if f is not None]
                wait(heads, return_when=FIRST_COMPLETED)
        if self.pids:
            log.info("antrean %d berkas inbox diterima dengan %d proses penggambar",
                     len(entries), len(self.pids))

    def _turn(self, entry: Path, work: Callable[[], T]) -> T | None:
        """One of the writer's turns for *entry*, as `watcher.handle` takes one entry:
        under the work lock, a fault of the machine as MachineFault; a failure goes to the
        watcher (None)."""
        try:
            with WorkLock(self.home), taking.machine_faults(self.home, entry):
                return work()
        except Exception as exc:  # noqa: BLE001 - the watcher contains it, as for one entry
            self.failed(entry, exc)
            return None

    def _submit(self, job: Callable[..., tuple[T, int]], *args: Any) -> Future[tuple[T, int]]:
        """*job* on the pool; done here, in the writer, when the pool cannot start (no
        /dev/shm, no processes left): slower, never stuck."""
        if not self.inline:
            try:
                return self.pool.get().submit(job, *args)
            except (OSError, RuntimeError) as exc:  # BrokenProcessPool is a RuntimeError
                log.warning("proses penggambar tidak dapat dimulai (%s); antrean digambar "
                            "oleh satu proses", exc)
                self.inline = True
                self.pool.close()  # the next backlog tries a new pool
        done: Future[tuple[T, int]] = Future()
        try:
            done.set_result(job(*args))
        except Exception as failure:  # noqa: BLE001 - the writer's turn raises it
            done.set_exception(failure)
        return done

    def _result(self, future: Future[tuple[T, int]]) -> T:
        try:
            value, pid = future.result()
        except BrokenProcessPool as exc:  # a worker killed (out of memory): the pool goes
            self.pool.close()
            raise taking.MachineFault("proses penggambar berhenti mendadak; berkas tetap di "
                                      "inbox dan dicoba lagi otomatis") from exc
        if pid != os.getpid():
            self.pids.add(pid)
        return value

    def _numbered(self, attempt: taking.Attempt,
                  future: Future[tuple[taking.Bundled, int]]) -> _Drawing | None:
        entry = attempt.entry

        def number() -> str | _Drawing:
            try:
                bundled = self._result(future)
            except BaseException:
                attempt.staged.unlink(missing_ok=True)
                raise
            case = taking.number(self.home, self.cfg, self.reg, attempt, bundled)
            if isinstance(case, str):
                return case
            out = self.home.staging / f"{taking.FORM_PREFIX}{case.id}.pdf"
            with taking.undone_on_failure(self.home, self.cfg, self.reg, case, attempt, out):
                case.data = taking.case_data(attempt, bundled)
                service = services.of(case)  # the service of the inbox it was dropped in
                first = service.first_desk.number
                handler(service, first).on_enter(self.reg, case)
                job = placing.drawing(self.env, case, first)
                drawn = self._submit(drawing_pool.draw_job, job, out) if job else None
            return _Drawing(attempt, case, bundled, job, out, drawn)

        got = self._turn(entry, number)
        if isinstance(got, str):
            self.done(entry, got)
            return None
        return got

    def _finish(self, item: _Drawing) -> None:
        attempt, case = item.attempt, item.case
        first = services.of(case).first_desk.number

        def finish() -> str:
            with taking.undone_on_failure(self.home, self.cfg, self.reg, case, attempt,
                                          item.out):
                if item.job is None or item.future is None:
                    def place() -> None:
                        placing.place(self.env, case, first)
                else:
                    read = self._result(item.future)
                    job = item.job

                    def place() -> None:
                        placing.put(case, job, item.out, read, self.home)
                taking.open_case(self.env, self.reg, case, attempt, item.bundled, place)
            return taking.removed(self.home, self.cfg, self.reg, case, attempt)

        got = self._turn(attempt.entry, finish)
        if got is not None:
            self.done(attempt.entry, got)
