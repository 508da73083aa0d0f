"""Crash points you can name: a test-only hook that kills the process at an exact moment.

`KKWNA_CRASH_AT=<point>` (or `<point>@<step>`) makes `point()` end the process at once,
as a power cut would: no cleanup, no flush. Tests run every step with a crash at every
point, restart, and check that the step took effect exactly once.
"""

from __future__ import annotations

import os

EXIT = 86  # what a crashed process exits with, so a test can tell it from other failures

POINTS = (
    "intake-numbered",  # the register number is committed as 'intake'
    "intake-written",  # the case folder and the checklist are written
    "documents",  # a step's documents are written, nothing committed
    "next-form",  # the next desk's form is placed, nothing committed
    "committed",  # the step's transaction is committed
    "removed",  # the input (inbox entry or desk form) is removed
)


def point(name: str, step: int | None = None) -> None:
    wanted = os.environ.get("KKWNA_CRASH_AT")
    if wanted and (wanted == name or (step is not None and wanted == f"{name}@{step}")):
        os._exit(EXIT)
