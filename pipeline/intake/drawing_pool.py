"""The worker processes a backlog's drawing runs in: the scan bundle and the checklist.

Only pure work goes here: each job is a function of plain data (the files, a staging path,
the form's data) that writes into staging and returns what it found. The register, the
case folders, the desks and the inbox are the one writer's (`pipeline.intake.backlog`), in drop
order, so numbers stay gap-free whatever the workers do.

The workers are forked from a `forkserver` that has already imported the drawing code
(a fork of the watcher itself would copy its threads' locks; a fresh interpreter per
worker would take a second to start). A worker dies with the watcher that made it
(`_die_with`): a watcher killed in the middle of a backlog leaves no worker behind still
writing into staging while the next watcher takes the same entries again. As with every
forkserver or spawn pool, a script that runs the watcher must guard its start with
``if __name__ == "__main__":`` (workers import the main module); `kkwna` and
``python -m pipeline`` do.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pipeline.desks import placing
from pipeline.intake import taking

IDLE_SECONDS = 120.0  # a pool unused this long is shut down (its workers hold ~100 MB each)


def _die_with(watcher: int) -> None:
    """A worker ends the moment the watcher that made it does. Its parent is the fork
    server, which in turn waits on its workers: neither notices the watcher gone, so a
    thread watches the watcher's pidfd (a watcher already gone: end now).

    Ctrl-C in a terminal and a service manager's SIGTERM reach the whole process group:
    the watcher alone decides, finishing the entries in hand, then shutting the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        fd = os.pidfd_open(watcher)
    except ProcessLookupError:
        os._exit(1)
    except (OSError, AttributeError):  # no pidfd (old kernel): poll instead
        fd = -1

    def watch() -> None:
        if fd >= 0:
            select.select([fd], [], [])
        else:
            while _exists(watcher):
                time.sleep(0.2)
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="kkwna-watcher-gone").start()


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def bundle_job(attempt: taking.Attempt) -> tuple[taking.Bundled, int]:
    return taking.bundle(attempt), os.getpid()


def draw_job(job: placing.Drawing, out: Path) -> tuple[tuple[str | None, str], int]:
    return placing.draw(job, out), os.getpid()


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class Pool:
    """A process pool started when a backlog first needs it and kept warm for the next
    one; `close` (the watcher stopping) or IDLE_SECONDS without use shut it down."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.executor: ProcessPoolExecutor | None = None
        self.last_used = 0.0

    @property
    def warm(self) -> bool:
        return self.executor is not None

    def get(self) -> ProcessPoolExecutor:
        if self.executor is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["pipeline.intake.drawing_pool"])
            self.executor = ProcessPoolExecutor(self.workers, mp_context=ctx,
                                                initializer=_die_with,
                                                initargs=(os.getpid(),))
        self.last_used = time.monotonic()
        return self.executor

    def idle_check(self) -> None:
        if self.executor is not None and time.monotonic() - self.last_used > IDLE_SECONDS:
            self.close()

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
