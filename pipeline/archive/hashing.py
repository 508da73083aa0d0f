"""Reading the archive's case folders: each one's SHA256SUMS, its files and their digests.

Apart from `fixity` (which judges what is read here) and light to import, so that
`kkwna archive verify` starts the hashing first, before it loads the settings and the
register: the hashing is most of the command's time, and the rest then runs beside it.

The folders are hashed on two threads in a forked child: the register's chain checks in
this process are pure Python and hold the GIL, which in one process stalled the hashing
threads at every file (each needs the GIL back between its reads). Without fork, or when
other threads already run here (fork would copy their locks), the threads run here. Each
file is read once, into a reused buffer, and only a regular file is opened to be read: a
FIFO or a device put in a case folder is reported, it does not hang the check.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from queue import SimpleQueue
from typing import NamedTuple

from pipeline.archive.sums import SUMS, read_sums

BLOCK = 1 << 20
THREADS = 2

_buffers = threading.local()


def sha256_path(path: str) -> str:
    """A regular file's SHA-256, read through a reused 1 MiB buffer (no buffer allocated
    per file; hashlib releases the GIL on it, so two threads hash on two cores)."""
    buf = getattr(_buffers, "buf", None)
    if buf is None:
        buf = _buffers.buf = bytearray(BLOCK)
    view = memoryview(buf)
    # O_NONBLOCK: opening a FIFO would otherwise wait for a writer that never comes
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "bukan berkas biasa", path)
        h = hashlib.sha256()
        while n := os.readv(fd, [buf]):
            h.update(view[:n])
        return h.hexdigest()
    finally:
        os.close(fd)


def files_in(folder: str) -> set[str]:
    """Every file under *folder* as a relative POSIX name, and the links to folders
    (os.walk: pathlib is slower)."""
    out: set[str] = set()
    for here, dirs, files in os.walk(folder):
        rel = os.path.relpath(here, folder)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        out.update(prefix + name for name in files)
        out.update(prefix + name for name in dirs if os.path.islink(os.path.join(here, name)))
    return out


class Folder(NamedTuple):
    """What one case folder holds, read on a hashing thread."""

    missing: bool  # the folder itself is not there
    sums: dict[str, str] | None  # its SHA256SUMS (None: missing or unreadable)
    on_disk: frozenset[str]  # its files, SHA256SUMS apart
    digests: dict[str, str | OSError]  # each of them hashed, or why it could not be


def read_folder(path: str) -> Folder:
    """A case folder's SHA256SUMS, its files and the digest of each (each read once)."""
    if not os.path.isdir(path):
        return Folder(True, None, frozenset(), {})
    try:
        sums: dict[str, str] | None = read_sums(Path(path))
    except (OSError, UnicodeDecodeError):
        sums = None
    on_disk = frozenset(files_in(path) - {SUMS})
    base = path + os.sep
    digests: dict[str, str | OSError] = {}
    for name in sorted(on_disk):
        try:
            digests[name] = sha256_path(base + name)
        except OSError as exc:
            digests[name] = exc
    return Folder(False, sums, on_disk, digests)


def case_folders(archive: Path, year: int | None = None) -> list[str]:
    """The case folders in the binders (archive/<year>/odner-*/<case>), one year or all,
    year by year and each year's in path order; names starting with a dot are not cases."""
    years = [str(archive / str(year))] if year is not None else sorted(
        e.path for e in _subfolders(str(archive)) if e.name.isdigit())
    out: list[str] = []
    for year_dir in years:
        out += sorted((e.path for odner in _subfolders(year_dir)
                       if odner.name.startswith("odner-") for e in _subfolders(odner.path)),
                      key=lambda p: p.split(os.sep))
    return out


def _subfolders(path: str) -> list[os.DirEntry[str]]:
    """The folders in *path* whose names do not start with a dot (none if it is not one)."""
    try:
        with os.scandir(path) as entries:
            return [e for e in entries if not e.name.startswith(".") and e.is_dir()]
    except (FileNotFoundError, NotADirectoryError):
        return []


_FRAME = struct.Struct("<i")  # a folder done: the files it had hashed; -1: results follow
_Done = tuple[str, Folder] | BaseException


class Hashing:
    """Case folders read and hashed on two threads, in a forked child when that is safe
    (see the module notes), else in this process. *folders* are the folders' paths, or
    what finds them (run in the child too: `case_folders` walks the binders while this
    process goes on). The child reports each folder done down a pipe, then its results,
    pickled. Close it (or use it in `with`): a child left running is killed."""

    def __init__(self, folders: list[str] | Callable[[], list[str]]) -> None:
        self.walked: list[str] | None = None if isinstance(folders, list) else []
        self._pid = 0
        self._read = -1
        self._queue: SimpleQueue[_Done] | None = None
        self._stop = threading.Event()  # closed early: the threads here take no more folders
        self._done: dict[str, Folder] = {}
        self._left = 0
        self._tail = bytearray()
        if hasattr(os, "fork") and threading.active_count() == 1:
            self._read, write = os.pipe()
            sys.stdout.flush()
            sys.stderr.flush()
            self._pid = os.fork()
            if self._pid == 0:
                os.close(self._read)
                _child(folders, write)  # never returns
            os.close(write)
        else:
            paths = folders if isinstance(folders, list) else folders()
            if self.walked is not None:
                self.walked = paths
            self._queue = _hash_on_threads(paths, self._stop)
            self._left = len(paths)

    @classmethod
    def of_archive(cls, archive: Path, year: int | None = None) -> Hashing:
        """Every case folder in the binders (one year, or all), walked and hashed."""
        return cls(lambda: case_folders(archive, year))

    def __enter__(self) -> Hashing:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def progress(self) -> Iterator[int]:
        """The files hashed, one folder at a time, as the folders are done."""
        if self._queue is not None:
            while self._left:
                item = self._queue.get()
                self._left -= 1
                if isinstance(item, BaseException):
                    raise item
                self._done[item[0]] = item[1]
                yield len(item[1].digests)
            return
        if self._read < 0:
            return
        pending = b""
        while chunk := os.read(self._read, 64 * 1024):
            pending += chunk
            whole = len(pending) - len(pending) % _FRAME.size
            for offset in range(0, whole, _FRAME.size):
                (hashed,) = _FRAME.unpack_from(pending, offset)
                if hashed < 0:  # the results, pickled, are the rest of the stream
                    self._tail += pending[offset + _FRAME.size:]
                    self._drain()
                    return
                yield hashed
            pending = pending[whole:]

    def _drain(self) -> None:
        while chunk := os.read(self._read, 1 << 20):
            self._tail += chunk
        os.close(self._read)
        self._read = -1

    def results(self) -> dict[str, Folder]:
        """{folder path: what it holds}, once every folder is done; `walked` is then the
        folders found (None when they were given)."""
        for _ in self.progress():  # whatever the caller did not read yet
            pass
        if not self._pid:
            return self._done
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        code = os.waitstatus_to_exitcode(status)
        if code != 0 or not self._tail:
            raise RuntimeError(f"the hashing process ended with {code}")
        ok, value = pickle.loads(self._tail)
        if not ok:
            raise value
        walked, done = value
        if self.walked is not None:
            self.walked = walked
        self._done = done
        return self._done

    def close(self) -> None:
        self._stop.set()
        if self._pid:  # left early (an exception here): do not leave the child behind
            os.kill(self._pid, 9)
            os.waitpid(self._pid, 0)
            self._pid = 0
        if self._read >= 0:
            os.close(self._read)
            self._read = -1


def _hash_on_threads(paths: list[str], stop: threading.Event | None = None
                     ) -> SimpleQueue[_Done]:
    """Start the hashing threads; each folder done (or an error) arrives on the queue. Once
    *stop* is set they take no more folders."""
    done: SimpleQueue[_Done] = SimpleQueue()
    todo = iter(paths)
    lock = threading.Lock()

    def work() -> None:
        while stop is None or not stop.is_set():
            with lock:
                path = next(todo, None)
            if path is None:
                return
            try:
                done.put((path, read_folder(path)))
            except BaseException as exc:  # handed to the reader, which raises it
                done.put(exc)

    for _ in range(THREADS):
        threading.Thread(target=work, daemon=True).start()
    return done


def _child(folders: list[str] | Callable[[], list[str]], write: int) -> None:
    """In the forked child: find and hash the folders, report each done, then send the
    results, and end without running the parent's clean-up (os._exit: the register's
    connection and the caller's state are the parent's)."""
    code = 0
    try:
        try:
            paths = folders if isinstance(folders, list) else folders()
            queue = _hash_on_threads(paths)
            done: dict[str, Folder] = {}
            for _ in paths:
                item = queue.get()
                if isinstance(item, BaseException):
                    raise item
                done[item[0]] = item[1]
                os.write(write, _FRAME.pack(len(item[1].digests)))
            payload = pickle.dumps((True, (paths, done)))
        except Exception as exc:  # re-raised in the parent
            payload = pickle.dumps((False, exc))
        out = memoryview(_FRAME.pack(-1) + payload)
        while out:
            out = out[os.write(write, out):]
    except BaseException:
        code = 1
    finally:
        os._exit(code)
