"""The register's chain log (archive/register.chain): the event chain, kept outside the database.

Every event in the register carries the hash of the one before it. That alone proves
nothing: the hashes are unkeyed, so whoever edits the database can recompute them, and
deleting the newest events leaves a shorter chain that is still whole. So after each
commit the program appends every new event (id, case, hash) to this text file, opened
append-only and fsynced. A register that lost or changed events no longer matches it.

One line per event: ``<event id> <case id> <sha256 hex>``; lines starting with ``#`` are
remarks, and ``# checkpoint ...`` lines are signed heads of the chain (`checkpoint`).
A line a crash cut short is ignored (and the next append starts a fresh line),
so a torn write never reads as tampering.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.office.fsutil import file_policy, fsync_dir

_LINE = re.compile(r"(\d+) (\S+) ([0-9a-f]{64})")
_TAIL = 64 * 1024  # enough to find the last whole line


@dataclass(frozen=True)
class Anchor:
    event_id: int
    case_id: str
    hash: str

    def line(self) -> str:
        return f"{self.event_id} {self.case_id} {self.hash}\n"


def _entries(text: str) -> list[tuple[int, str, str]]:
    """(event id, case id, hash) of every whole line, in file order: plain tuples, as
    `compare` reads ten thousand of them in `archive verify` (a frozen dataclass each
    was most of its time)."""
    match = _LINE.fullmatch
    return [(int(m[1]), m[2], m[3]) for line in text.split("\n")
            if (m := match(line.strip()))]


def _parse(text: str) -> list[Anchor]:
    return [Anchor(*entry) for entry in _entries(text)]


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
    """Append the events *after(last logged id)* returns; return the highest event id
    the log then holds (what the register remembers as the log's reach).

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
        return max([last, *(a.event_id for a in anchors)])
    finally:
        os.close(fd)  # releases the lock


def append_remark(path: Path, line: str) -> None:
    """Append one whole ``# ...`` line (a checkpoint) under the same lock as the events."""
    if not line.startswith("#") or not line.endswith("\n") or "\n" in line[:-1]:
        raise ValueError("a remark is one line starting with #")
    fd = _open_for_append(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _, whole = _last_id(fd)
        data = (b"" if whole else b"\n") + line.encode()
        while data:
            data = data[os.write(fd, data):]
        os.fsync(fd)
    finally:
        os.close(fd)


def compare(path: Path, events: dict[int, tuple[str, str]], reach: int = 0) -> list[str]:
    """The log's events the register no longer has, or has differently; one Indonesian
    line each, naming the case and event. *events*: {event id: (case id, hash)} of the
    register; *reach*: how far the register remembers the log reached.

    Events the log does not have yet (a crash before the append) are no problem. A log
    that ends before *reach* was cut short (or emptied), and an event the log skips
    (below its last line) had its line removed: both are reported.
    """
    name = path.name
    newest = max(events, default=0)
    problems = []
    seen: set[int] = set()
    entries = _entries(path.read_text(encoding="utf-8", errors="replace"))
    last = max((eid for eid, _, _ in entries), default=0)
    if last < reach:
        how = (f"dipendekkan: log hanya sampai peristiwa #{last}" if last else
               "dikosongkan: log tidak memuat satu pun peristiwa")
        problems.append(f"{name} {how}, padahal sudah mencatat sampai #{reach}; "
                        f"pulihkan {name} dari cadangan.")
    logged = {eid for eid, _, _ in entries}
    for eid in sorted(e for e in events if e < last and e not in logged):
        problems.append(f"Peristiwa #{eid} ({events[eid][0]}) ada di register tetapi tidak "
                        f"tercatat di {name}: baris log dihapus.")
    for eid, cid, digest in entries:
        if eid in seen:  # written twice by an append a crash interrupted
            continue
        seen.add(eid)
        have = events.get(eid)
        if have is None:
            which = "peristiwa terbaru" if eid > newest else "peristiwa"
            problems.append(f"Peristiwa #{eid} ({cid}) tercatat di "
                            f"{name} tetapi tidak ada lagi di register: {which} dihapus.")
        elif have != (cid, digest):
            problems.append(f"Peristiwa #{eid} ({have[0]}) berbeda dengan yang "
                            f"tercatat di {name}: riwayat diubah di luar program.")
    return problems
