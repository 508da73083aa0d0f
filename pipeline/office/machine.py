"""Faults of the machine, not of the work: a full disk, no permission, a failing disk.

Intake found these first (an inbox entry waits and is tried again); the desks, `kkwna
sign` and `kkwna collect` meet the same disk, so one table says what each fault is and
what to do, in one Indonesian line. Whatever caught the fault left nothing half-done that
counts (a step is one transaction; documents are rewritten by the retry), so every line
says nothing is lost and the work can simply be tried again once the machine is fixed.

sqlite reports a full disk as "database or disk is full" (SQLITE_FULL) or, when the
journal cannot be written, as "disk I/O error" (SQLITE_IOERR); the latter is only called
a full disk when the office folder's disk really has (almost) no room left.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.domain import clock
from pipeline.domain.errors import KkwnaError
from pipeline.office import faults
from pipeline.office.fsutil import UntrustedFile
from pipeline.office.home import Home

# errno values that say the machine is at fault, not the application: wait and retry.
MACHINE_ERRNOS = frozenset({
    errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS, errno.EIO,
    errno.ENOMEM, errno.EMFILE, errno.ENFILE, errno.EAGAIN, errno.EBUSY, errno.ETIMEDOUT,
    errno.ESTALE,
})
FULL = ("disk penuh", "kosongkan ruang disk")
WHY = {
    errno.ENOSPC: FULL,
    errno.EDQUOT: ("kuota disk habis", "kosongkan ruang disk atau naikkan kuotanya"),
    errno.EACCES: ("tidak ada izin membaca atau menulis", "periksa izin folder itu"),
    errno.EPERM: ("tidak ada izin membaca atau menulis", "periksa izin folder itu"),
    errno.EROFS: ("disk hanya dapat dibaca", "periksa disk atau share jaringan"),
    errno.EIO: ("kesalahan baca/tulis disk", "periksa disk atau share jaringan"),
}
OTHER = ("kesalahan sistem sementara", "periksa komputer atau share jaringan")
LOW_BYTES = 8 << 20  # less free room than this on the office's disk counts as full
# sqlite's primary result codes for a full disk and a failed read/write
_SQLITE = {13: errno.ENOSPC, 10: errno.EIO}  # SQLITE_FULL, SQLITE_IOERR


class MachineFault(KkwnaError):
    """The work waits for the machine (disk full, no permission, unreadable folder): str()
    is one Indonesian line saying what and what to do; nothing was lost."""


def _sqlite_errno(exc: BaseException) -> int | None:
    if not isinstance(exc, sqlite3.OperationalError):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _SQLITE:
        return _SQLITE[code & 0xFF]
    text = str(exc).lower()  # a driver without the code: its message
    if "disk is full" in text:
        return errno.ENOSPC
    if "disk i/o error" in text:
        return errno.EIO
    return None


def fault_errno(exc: BaseException) -> int | None:
    """The errno of a machine fault in *exc* or what caused it, or None when it is none."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and not isinstance(current, UntrustedFile) \
                and current.errno in MACHINE_ERRNOS:
            return current.errno
        if (code := _sqlite_errno(current)) is not None:
            return code
        current = current.__cause__  # what it was raised from (never what it met)
    return None


def is_machine_fault(exc: BaseException) -> bool:
    """A fault of the machine, not of the application (a refused link or FIFO is not)."""
    return isinstance(exc, MachineFault) or fault_errno(exc) is not None


def disk_full(root: Path) -> bool:
    """The disk holding *root* has (almost) no room left."""
    try:
        return shutil.disk_usage(root).free < LOW_BYTES
    except OSError:
        return False


def reason(exc: BaseException, root: Path | None = None) -> tuple[str, str]:
    """(what went wrong, what to do), in Indonesian, for a machine fault."""
    code = fault_errno(exc)
    if code == errno.EIO and root is not None and disk_full(root):
        return FULL  # sqlite's "disk I/O error" when its journal found no room
    return WHY.get(code or 0, OTHER)


def fault(exc: BaseException, what: str, root: Path | None = None,
          then: str = "lalu coba lagi") -> MachineFault:
    """One line for *exc*: "<what>: disk penuh (file). Tidak ada yang hilang; kosongkan
    ruang disk, <then>."."""
    if isinstance(exc, MachineFault):
        return exc
    why, todo = reason(exc, root)
    name = getattr(exc, "filename", None)
    where = f" ({name})" if name else ""
    return MachineFault(f"{what}: {why}{where}. Tidak ada yang hilang; {todo}, {then}.")


@contextmanager
def guard(home: Home, tz: ZoneInfo, what: str, label: str) -> Iterator[None]:
    """Run the work *what* (e.g. "kasus X langkah 8"): a machine fault in it becomes
    `MachineFault` (one line starting with *label*), kept for `kkwna status` until the
    work succeeds."""
    try:
        yield
    except Exception as exc:
        if not is_machine_fault(exc):
            raise
        found = fault(exc, label, home.root)
        faults.set_waiting(home, what, str(found), clock.now(tz))
        raise found from exc
    faults.clear_waiting(home, what)


def status_line(home: Home) -> str:
    """A line for `kkwna status` when the office's disk is full now, else ""."""
    if not disk_full(home.root):
        return ""
    free = shutil.disk_usage(home.root).free
    return (f"disk penuh: sisa {free / (1 << 20):.1f} MB di {home.root}; pekerjaan menunggu "
            f"dan dicoba lagi; kosongkan ruang disk.")
