"""The register's chain log (archive/register.chain): the event chain, kept outside the database.

Every event in the register carries the hash of the one before it. That alone proves
nothing: the hashes are unkeyed, so whoever edits the database can recompute them, and
deleting the newest events leaves a shorter chain that is still whole. So after each
commit the program appends every new event (id, case, hash) to this text file, opened
append-only and fsynced. A register that lost or changed events no longer matches it.

One line per event: ``<event id> <case id> <sha256 hex>``; lines starting with ``#`` are
remarks. A line a crash cut short is ignored (and the next append starts a fresh line),
so a torn write never reads as tampering.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.fsutil import file_policy, fsync_dir

_LINE = re.compile(r"(\d+) (\S+) ([0-9a-f]{64})")
_TAIL = 64 * 1024  # enough to find the last whole line


@dataclass(frozen=True)
class Anchor:
    event_id: int
    case_id: str
    hash: str

    def line(self) -> str:
        return f"{self.event_id} {self.case_id} {self.hash}\n"


def _parse(text: str) -> list[Anchor]:
    anchors = []
    for line in text.split("\n"):
        m = _LINE.fullmatch(line.strip())
        if m:
            anchors.append(Anchor(int(m[1]), m[2], m[3]))
    return anchors


def read(path: Path) -> list[Anchor]:
    """Every whole line of the log, in file order (torn lines and remarks left out)."""
    return _parse(path.read_text(encoding="utf-8", errors="replace"))


def _last_id(fd: int) -> tuple[int, bool]:
    """(highest event id logged, whether the file ends with a newline or is empty)."""
    size = os.fstat(fd).st_size
    if size == 0:
        return 0, True
    start = max(0, size - _TAIL)
    while True:
        data = os.pread(fd, size - start, start)
        anchors = _parse(data.decode("utf-8", errors="replace"))
        if anchors or start == 0:
            return max((a.event_id for a in anchors), default=0), data.endswith(b"\n")
        start = max(0, start - _TAIL)


def last_logged(path: Path) -> int:
    """The highest event id the log holds (0 for no log): read from its tail only."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return 0
    try:
        return _last_id(fd)[0]
    finally:
        os.close(fd)


def _open_for_append(path: Path) -> int:
    flags = os.O_RDWR | os.O_APPEND | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        return os.open(path, flags)
    except FileNotFoundError:
        pass
    fd = os.open(path, flags | os.O_CREAT, 0o666)  # the umask decides, as for every file
    mode, gid = file_policy()
    if gid is not None:
        os.fchown(fd, -1, gid)
    if mode is not None:
        os.fchmod(fd, mode)
    fsync_dir(path.parent)
    return fd


def append(path: Path, after: Callable[[int], list[Anchor]], remark: str = "") -> int:
    """Append the events *after(last logged id)* returns; return how many.

    The lock makes the read of the last id and the append one step, so two processes
    committing at once never write an event twice or out of order.
    """
    fd = _open_for_append(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        last, whole = _last_id(fd)
        anchors = after(last)
        text = "".join(a.line() for a in anchors)
        if remark:
            text = f"# {remark}\n{text}"
        if text:
            data = (b"" if whole else b"\n") + text.encode("utf-8")
            while data:
                data = data[os.write(fd, data):]
            os.fsync(fd)
        return len(anchors)
    finally:
        os.close(fd)  # releases the lock


def compare(path: Path, events: dict[int, tuple[str, str]]) -> list[str]:
    """The log's events the register no longer has, or has differently; one Indonesian
    line each, naming the case and event. *events*: {event id: (case id, hash)} of the
    register. Events the log does not have yet (a crash before the append) are no problem.
    """
    name = path.name
    newest = max(events, default=0)
    problems = []
    seen: set[int] = set()
    for anchor in read(path):
        if anchor.event_id in seen:  # written twice by an append a crash interrupted
            continue
        seen.add(anchor.event_id)
        have = events.get(anchor.event_id)
        if have is None:
            which = "peristiwa terbaru" if anchor.event_id > newest else "peristiwa"
            problems.append(f"Peristiwa #{anchor.event_id} ({anchor.case_id}) tercatat di "
                            f"{name} tetapi tidak ada lagi di register: {which} dihapus.")
        elif have != (anchor.case_id, anchor.hash):
            problems.append(f"Peristiwa #{anchor.event_id} ({have[0]}) berbeda dengan yang "
                            f"tercatat di {name}: riwayat diubah di luar program.")
    return problems
