"""File operations the pipeline trusts: durable writes, safe reads of untrusted files, names.

Writes: every file is written through `atomic_writer` (a temporary file in the same
folder, flush, fsync, rename, fsync of the folder), so a crash at any moment leaves
either the old file or the complete new one, never a half-written document with the
final name. New files get the mode the umask gives (staff reaching the share under
their own accounts can open them), or the office's `[files]` policy (`set_file_policy`).

Reads of files that someone else put in a folder (inbox/, desks/) go through
`open_untrusted`: no link is followed, a FIFO or device is never read (it would block
or never end), and the size is bounded.
"""

from __future__ import annotations

import errno
import grp
import hashlib
import os
import re
import secrets
import shutil
import stat
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20
NAME_MAX = 255  # bytes in one file name on ext4, XFS, btrfs (and what SMB shares accept)
TEMP_PREFIX = ".tmp-"  # hidden: the watcher, tests and the benchmark skip such names

_UNTRUSTED_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO must not hang the worker
    | getattr(os, "O_NOCTTY", 0)  # a terminal device must never become ours
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

# The office's file policy (see set_file_policy): None = leave it to the umask / the group
# the folder gives.
_policy_mode: int | None = None
_policy_gid: int | None = None


# ---------------------------------------------------------------- reading untrusted files


class UntrustedFile(OSError):
    """A file that is not read: a link, not a regular file (FIFO, device, folder), or too
    large. str(exc) and .reason_id are the Indonesian reason; .code is one of "symlink",
    "not-a-file", "too-large"; .size the size seen (for "too-large").

    A subclass of OSError, so code that already copes with an unreadable file copes
    with this one too.
    """

    def __init__(self, reason_id: str, *, code: str, size: int = 0) -> None:
        super().__init__(reason_id)
        self.reason_id = reason_id
        self.code = code
        self.size = size


def _size_text(n: int) -> str:
    for unit, size in (("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.0f} {unit}"
    return f"{n} byte"


def _symlink() -> UntrustedFile:
    return UntrustedFile("bukan berkas biasa, hanya tautan (pintasan) ke berkas lain",
                         code="symlink")


def _not_a_file() -> UntrustedFile:
    return UntrustedFile("bukan berkas biasa (FIFO/perangkat/folder)", code="not-a-file")


def _too_large(size: int, max_bytes: int) -> UntrustedFile:
    return UntrustedFile(f"berkas terlalu besar ({_size_text(size)}, batas "
                         f"{_size_text(max_bytes)})", code="too-large", size=size)


def open_untrusted(path: Path, max_bytes: int | None, *,
                   follow_links: bool = False) -> BinaryIO:
    """Open a file someone else put here for reading, refusing anything but a regular file.

    Never follows a link (unless *follow_links*), never blocks (a FIFO is refused, not
    waited on), never opens a device, and refuses a file over *max_bytes* (None: any
    size). Raises UntrustedFile for those, other OSErrors (missing, no permission) as
    they come.
    """
    path = Path(path)
    # Judge by the name first: opening some devices has effects of its own.
    seen = os.stat(path) if follow_links else os.lstat(path)
    if stat.S_ISLNK(seen.st_mode):
        raise _symlink()
    if not stat.S_ISREG(seen.st_mode):
        raise _not_a_file()
    try:
        fd = os.open(path, _UNTRUSTED_FLAGS | (0 if follow_links else _NOFOLLOW))
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):  # replaced by a link just now
            raise _symlink() from exc
        if exc.errno == errno.EISDIR:
            raise _not_a_file() from exc
        raise
    fh = os.fdopen(fd, "rb")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # replaced by a FIFO or device just now
            raise _not_a_file()
        if max_bytes is not None and info.st_size > max_bytes:
            raise _too_large(info.st_size, max_bytes)
    except BaseException:
        fh.close()
        raise
    return fh


def read_untrusted(path: Path, max_bytes: int) -> bytes:
    """The whole file, read through `open_untrusted` (a file growing past *max_bytes*
    while it is read is refused too)."""
    with open_untrusted(path, max_bytes) as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    return data


def sha256_untrusted(path: Path, max_bytes: int | None) -> str:
    """SHA-256 (hex) of a file read through `open_untrusted`."""
    h = hashlib.sha256()
    read = 0
    with open_untrusted(path, max_bytes) as fh:
        while chunk := fh.read(CHUNK):
            read += len(chunk)
            if max_bytes is not None and read > max_bytes:
                raise _too_large(read, max_bytes)
            h.update(chunk)
    return h.hexdigest()


def sha256_file(path: Path) -> str:
    """SHA-256 (hex) of one of the program's own files. Follows a link, but like every
    read never blocks on a FIFO or reads a device (raises UntrustedFile instead)."""
    h = hashlib.sha256()
    with open_untrusted(path, None, follow_links=True) as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------- writing


def set_file_policy(mode: int | None = None, group: str | int | None = None) -> None:
    """The mode and group of every file written from now on (call once at start-up with the
    `[files]` settings). mode None: the umask decides; group None or "": the folder's.

    Raises ValueError for a mode that would lock the program out of its own files, an
    unknown group, or one this user is not a member of (every write would fail later).
    """
    global _policy_mode, _policy_gid
    if mode is not None and (not 0 <= mode <= 0o777 or mode & 0o600 != 0o600):
        raise ValueError(f"file mode {mode:o}: must be between 600 and 777 (the owner "
                         f"reads and writes)")
    gid: int | None = None
    if group not in (None, ""):
        try:
            gid = group if isinstance(group, int) else grp.getgrnam(str(group)).gr_gid
        except KeyError:
            raise ValueError(f"unknown group {group!r}") from None
        if gid != os.getegid() and gid not in os.getgroups():
            raise ValueError(f"this user is not a member of group {group!r}")
    _policy_mode, _policy_gid = mode, gid


def apply_file_policy(path: Path) -> None:
    """Give a file written by someone else's code (a library's own temporary file, moved
    into place) the office's mode and group, as `create_temp` gives its files."""
    if _policy_gid is not None:
        os.chown(path, -1, _policy_gid, follow_symlinks=False)
    if _policy_mode is not None:
        os.chmod(path, _policy_mode)


def file_policy() -> tuple[int | None, int | None]:
    """(mode, gid) set by `set_file_policy` (None: not set)."""
    return _policy_mode, _policy_gid


def create_temp(folder: Path, suffix: str = "", mode: int | None = None) -> tuple[int, Path]:
    """A new, empty, hidden file in *folder*: (descriptor open for reading and writing, path).

    Unlike tempfile.mkstemp (always 0600) the file gets the mode the umask gives, then
    the office's policy, then *mode* if given, so staff on a share can open it.
    """
    flags = (os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
             | getattr(os, "O_BINARY", 0))
    for _ in range(100):
        path = folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}{suffix}"
        try:
            fd = os.open(path, flags, 0o666)  # the kernel applies the umask
        except FileExistsError:
            continue
        try:
            if _policy_gid is not None:
                os.fchown(fd, -1, _policy_gid)
            wanted = mode if mode is not None else _policy_mode
            if wanted is not None:
                os.fchmod(fd, wanted)
        except BaseException:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise
        return fd, path
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in *folder* durable."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some platforms/filesystems cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_writer(path: Path, mode: int | None = None) -> Iterator[BinaryIO]:
    """A binary stream whose content replaces *path* in one step when the block ends.

    Written to a hidden temporary file in the same folder, flushed, fsynced, renamed
    over *path*, the folder fsynced. If the block raises, the temporary file is removed
    and *path* is left as it was. The file's mode: the umask's, the office policy's, or
    *mode*. Suits writers that want a stream (pyHanko, pikepdf, shutil.copyfileobj); it is
    readable and seekable too, so pyHanko signs into it directly instead of buffering
    the whole document in memory.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = create_temp(path.parent, path.suffix, mode)
    try:
        with os.fdopen(fd, "w+b") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def atomic_write_bytes(path: Path, data: bytes, mode: int | None = None) -> None:
    with atomic_writer(path, mode) as fh:
        fh.write(data)


def atomic_write_text(path: Path, text: str, mode: int | None = None) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def atomic_copy(src: Path, dst: Path, mode: int | None = None) -> None:
    """Copy *src* to *dst* byte for byte, durably, streaming (no whole-file read).

    *src* is opened like an untrusted file: a link, FIFO or device there is refused
    (UntrustedFile), never followed or waited on.
    """
    with open_untrusted(src, None) as inp, atomic_writer(dst, mode) as out:
        shutil.copyfileobj(inp, out, CHUNK)


# ---------------------------------------------------------------- names


def remove_tree(path: Path) -> None:
    """Remove a file or folder (never following a symbolic link out of it)."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path)
    fsync_dir(path.parent)


_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def _split_extension(name: str) -> tuple[str, str]:
    """("scan", ".pdf"); a name that is all extension (".hidden") or a folder such as
    "Dr. John" keeps its whole name as the stem."""
    ext = _EXTENSION.search(name)
    return (name[:ext.start()], ext.group()) if ext and ext.start() else (name, "")


def unique_path(folder: Path, name: str) -> Path:
    """*folder/name*, or *name (2)*, *name (3)* ... if that is taken (before a file's
    extension: ``scan (2).pdf``; a folder such as ``Dr. John`` becomes ``Dr. John (2)``)."""
    stem, suffix = _split_extension(name)
    candidate = folder / name
    n = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = folder / f"{stem} ({n}){suffix}"
        n += 1
    return candidate


ELLIPSIS = "~"  # marks a shortened name; ASCII, so every file system and share takes it


def _joins_previous(char: str) -> bool:
    """True for a character drawn together with the one before it: an accent or vowel
    sign, a zero-width joiner, a variation selector or an emoji skin tone."""
    return (char == "\u200d" or "\ufe00" <= char <= "\ufe0f"
            or "\U0001f3fb" <= char <= "\U0001f3ff"
            or unicodedata.category(char) in ("Mn", "Mc", "Me"))


def fit_name(name: str, max_bytes: int = NAME_MAX, reserve: int = 0) -> str:
    """*name* shortened so that its UTF-8 form plus *reserve* bytes (for what the caller
    will append, such as ``.error.txt`` or `` (2)``) fits in *max_bytes*.

    A name that fits is returned unchanged. Otherwise the stem is cut between
    characters (never inside one, never leaving a joiner or combining mark dangling),
    trailing spaces and dots are dropped, ``~`` marks the cut, and the extension stays.
    """
    budget = max_bytes - reserve
    if len(name.encode("utf-8")) <= budget:
        return name
    stem, ext = _split_extension(name)
    room = budget - len(ext.encode("utf-8")) - len(ELLIPSIS)
    if room < 1:
        raise ValueError(f"no room for a name in {max_bytes} bytes (reserve {reserve})")
    keep = len(stem.encode("utf-8")[:room].decode("utf-8", errors="ignore"))
    # a letter with its accents, or an emoji sequence, is kept whole or dropped whole
    while keep and ((keep < len(stem) and _joins_previous(stem[keep]))
                    or stem[keep - 1] == "\u200d"):
        keep -= 1
    cut = stem[:keep].rstrip(" .")
    return f"{cut}{ELLIPSIS}{ext}"
