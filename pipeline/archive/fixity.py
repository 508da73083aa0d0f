"""`kkwna archive verify`: is the archive still what was filed?

Every archived case folder is checked against its own SHA256SUMS and against the
register's checksums (documents table): files missing, added or changed. The register's
event chain is checked, folders the register does not know are reported, and the signed
KKs' signatures are checked through a callable the signing module provides. Each problem
is one Indonesian line naming the file or event.

The files are hashed in a child process (forked) on two threads, reading each file once
into a reused buffer, while this process checks the register's chain: the chain checks are
pure Python and hold the GIL, which in one process stalled the hashing threads at every
file (each needs the GIL back between its reads). Without fork, or when other threads
already run here (fork would copy their locks), the threads run in this process. A run goes
faster than `sha256sum -c` on the same tree (bench/archive_bench.py).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import struct
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pipeline.archive.sums import FILED_STATUSES, SUMS, read_sums
from pipeline.archive.versions import current_kk
from pipeline.domain import sop
from pipeline.office.home import Home
from pipeline.store import checkpoint
from pipeline.store.register import Register

SIGNED_KK = sop.filed_name(sop.Kind.SIGNATURE)
BLOCK = 1 << 20
THREADS = 2

Progress = Callable[[int, int], None]
SignatureCheck = Callable[[Path], "str | None"]


@dataclass(frozen=True)
class _Job:
    case_id: str
    rel: str  # the case folder, relative to the home (as the messages name it)
    path: str
    register: dict[str, str]  # the register's checksums of the case's documents


@dataclass(frozen=True)
class _Checked:
    """What one case folder's files say, checked on a hashing thread."""

    missing: bool  # the folder itself is not there
    no_sums: bool  # its SHA256SUMS is missing or unreadable
    listing: list[str]  # files missing or unlisted
    contents: list[str]  # files that do not match, or cannot be read
    hashed: int


_buffers = threading.local()


def sha256_path(path: str) -> str:
    """A file's SHA-256, read through a reused 1 MiB buffer (no buffer allocated per file;
    hashlib releases the GIL on it, so two threads hash on two cores)."""
    buf = getattr(_buffers, "buf", None)
    if buf is None:
        buf = _buffers.buf = bytearray(BLOCK)
    view = memoryview(buf)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        h = hashlib.sha256()
        while n := os.readv(fd, [buf]):
            h.update(view[:n])
        return h.hexdigest()
    finally:
        os.close(fd)


def _files(folder: Path) -> set[str]:
    """Every file under *folder* as a relative POSIX name (os.walk: pathlib is slower)."""
    out: set[str] = set()
    top = str(folder)
    for here, dirs, files in os.walk(top):
        rel = os.path.relpath(here, top)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        out.update(prefix + name for name in files)
        out.update(prefix + name for name in dirs if os.path.islink(os.path.join(here, name)))
    return out


def _chain_problems(reg: Register) -> list[str]:
    verify_chain = getattr(reg, "verify_chain", None)
    if callable(verify_chain):
        return [f"register: {p}" for p in verify_chain()]
    ok, message = reg.chain_ok()
    return [] if ok else [f"register: rantai kejadian rusak: {message}"]


def verify_archive(home: Home, reg: Register, year: int | None = None,
                   progress: Progress | None = None,
                   check_signature: SignatureCheck | None = None, *,
                   seal_cert: Any = None, trust: Any = None,
                   require_seal: bool = False, only: set[str] | None = None) -> list[str]:
    """Check the archive (one year, or all); returns the problems (empty: all is well).

    *seal_cert* (the office seal's `cryptography` certificate) checks the chain's signed
    checkpoints, *trust* their timestamps' TSA; without it only a checkpoint removed from
    the log is found, and with *require_seal* (the command) checkpoints that cannot be
    checked are reported. *only*: check just these cases' folders (a sample audit); the
    chain and the binders' folders are checked whole all the same. *progress* is called
    here, as the hashing process reports each folder done."""
    documents = _documents(reg)
    known: set[Path] = set()
    slots: list[str | _Job] = []  # in case order: a problem found here, or a folder to check
    for cid, case_year, status, folder in _filed(reg):
        if year is not None and case_year != year:
            continue
        path = home.root / folder
        known.add(path)
        if only is not None and cid not in only:
            continue
        if not folder.startswith("archive/"):
            slots.append(f"{folder}: {cid} berstatus {status} tetapi belum diarsipkan")
            continue
        slots.append(_Job(cid, folder, str(path), documents.get(cid, {})))
    jobs = [slot for slot in slots if isinstance(slot, _Job)]
    expected = sum(len(job.register) for job in jobs)
    if progress:
        progress(0, expected)
    hashing = _Hashing(jobs)
    try:
        # the register is read here, and only here (its connection is this process's)
        chain = _chain_problems(reg)
        found = (checkpoint.problems(reg, seal_cert, trust)
                 if seal_cert is not None or require_seal else checkpoint.removed(reg))
        done = 0
        for hashed in hashing.progress():
            done += hashed
            if progress:
                progress(min(done, expected), expected)
        checked = hashing.results()
    finally:
        hashing.close()
    if progress and done < expected:
        progress(expected, expected)

    problems: list[str] = []
    listing: list[str] = []
    contents: list[str] = []
    folders: list[_Job] = []
    results = iter(checked)
    for slot in slots:
        if isinstance(slot, str):
            problems.append(slot)
            continue
        result = next(results)
        if result.missing:
            problems.append(f"{slot.rel}: map kasus {slot.case_id} hilang dari arsip")
            continue
        if result.no_sums:
            problems.append(f"{slot.rel}/{SUMS}: hilang atau tidak terbaca")
        folders.append(slot)
        listing += result.listing
        contents += result.contents
    problems = (chain + [f"register: {p}" for p in found] + problems
                + _unknown_folders(home, known, year) + listing + contents)

    if check_signature is not None:
        for f in folders:
            # the newest version: an original whose timestamp expired was renewed (renew)
            name = current_kk(f.register) or SIGNED_KK
            kk = Path(f.path) / name
            if kk.exists():
                problem = check_signature(kk)
                if problem:
                    problems.append(f"{f.rel}/{name}: tanda tangan elektronik: {problem}")
    return problems


def _filed(reg: Register) -> list[tuple[str, int, str, str]]:
    """(id, year, status, folder) of the filed cases, in the register's order: four
    columns, not a whole `Case` each (its dates and JSON parsed: 0.05 s on 2,000 cases)."""
    marks = ",".join("?" * len(FILED_STATUSES))
    return reg.db.execute(f"SELECT id, year, status, folder FROM cases"  # noqa: S608
                          f" WHERE status IN ({marks}) ORDER BY year, seq, service",
                          FILED_STATUSES).fetchall()


def _documents(reg: Register) -> dict[str, dict[str, str]]:
    """{case id: {document name: sha256}} in one query (a query per case was a fifth of
    the register's time on 1,000 cases)."""
    out: dict[str, dict[str, str]] = {}
    for cid, name, digest in reg.db.execute(
            "SELECT case_id, name, sha256 FROM documents ORDER BY case_id, name"):
        out.setdefault(cid, {})[name] = digest
    return out


_FRAME = struct.Struct("<I")  # the files one folder had hashed, as the child reports it


class _Hashing:
    """The folders checked on two threads: in a forked child when that is safe (see the
    module notes), else in this process. The child reports each folder done down a pipe
    and leaves its results, pickled, in an unnamed temporary file."""

    def __init__(self, jobs: list[_Job]) -> None:
        self._jobs = jobs
        self._pid = 0
        self._pool: ThreadPoolExecutor | None = None
        self._local: Iterator[_Checked] | None = None
        self._checked: list[_Checked] = []
        if hasattr(os, "fork") and threading.active_count() == 1 and jobs:
            self._out: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
            self._read, write = os.pipe()
            sys.stdout.flush()
            sys.stderr.flush()
            self._pid = os.fork()
            if self._pid == 0:
                os.close(self._read)
                _child(jobs, write, self._out)  # never returns
            os.close(write)
        else:
            self._pool = ThreadPoolExecutor(max_workers=THREADS)
            self._local = self._pool.map(_check_folder, jobs)

    def progress(self) -> Iterator[int]:
        """The files hashed, one folder at a time, as the folders are done."""
        if self._local is not None:
            for result in self._local:
                self._checked.append(result)
                yield result.hashed
            return
        if not self._pid:
            return
        pending = b""
        while chunk := os.read(self._read, 64 * 1024):
            pending += chunk
            whole = len(pending) - len(pending) % _FRAME.size
            for (hashed,) in _FRAME.iter_unpack(pending[:whole]):
                yield hashed
            pending = pending[whole:]

    def results(self) -> list[_Checked]:
        if not self._pid:
            return self._checked
        for _ in self.progress():  # whatever the caller did not read yet
            pass
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        code = os.waitstatus_to_exitcode(status)
        self._out.seek(0)
        if code != 0:
            raise RuntimeError(f"the hashing process ended with {code}")
        ok, value = pickle.load(self._out)
        if not ok:
            raise value
        checked: list[_Checked] = value
        return checked

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        if self._pid:  # left early (an exception here): do not leave the child behind
            os.kill(self._pid, 9)
            os.waitpid(self._pid, 0)
            self._pid = 0
        if hasattr(self, "_out"):
            os.close(self._read)
            self._out.close()


def _child(jobs: list[_Job], write: int, out: IO[bytes]) -> None:
    """In the forked child: check the folders on two threads, report each done, leave the
    results in *out*, and end without running the parent's clean-up (os._exit: the
    register's connection and the caller's state are the parent's)."""
    code = 0
    try:
        try:
            with ThreadPoolExecutor(max_workers=THREADS) as pool:
                results = []
                for result in pool.map(_check_folder, jobs):
                    results.append(result)
                    os.write(write, _FRAME.pack(result.hashed))
            pickle.dump((True, results), out)
        except Exception as exc:  # re-raised in the parent
            pickle.dump((False, exc), out)
        out.flush()
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _check_folder(job: _Job) -> _Checked:
    """On a hashing thread: the folder's SHA256SUMS, its files, and the digest of each
    file SHA256SUMS or the register lists (each read once), compared."""
    path = Path(job.path)
    if not os.path.isdir(job.path):
        return _Checked(True, False, [], [], 0)
    try:
        sums: dict[str, str] | None = read_sums(path)
    except (OSError, UnicodeDecodeError):
        sums = None
    on_disk = _files(path) - {SUMS}
    base = job.path + os.sep
    digests: dict[str, str | OSError] = {}
    for name in sorted(on_disk):
        if (sums is not None and name in sums) or name in job.register:
            try:
                digests[name] = sha256_path(base + name)
            except OSError as exc:
                digests[name] = exc
    return _Checked(False, sums is None, _listing_problems(job, sums, on_disk),
                    _compared(job.rel, sums, job.register, digests), len(digests))


def _listing_problems(job: _Job, sums: dict[str, str] | None, on_disk: set[str]) -> list[str]:
    """Files missing from the folder, and files in it that SHA256SUMS or the register do
    not list."""
    problems = []
    listed = set(sums or {}) | set(job.register)
    for name in sorted(listed - on_disk):
        where = []
        if sums is not None and name in sums:
            where.append(SUMS)
        if name in job.register:
            where.append("register")
        problems.append(f"{job.rel}/{name}: hilang (tercatat di {' dan '.join(where)})")
    for name in sorted(on_disk):
        if sums is not None and name not in sums:
            problems.append(f"{job.rel}/{name}: berkas tambahan, tidak ada di {SUMS}")
        if name not in job.register:
            problems.append(f"{job.rel}/{name}: berkas tidak tercatat di register")
    return problems


def _compared(rel: str, sums: dict[str, str] | None, register: dict[str, str],
              digests: dict[str, str | OSError]) -> list[str]:
    """The digests compared with SHA256SUMS and the register."""
    problems: list[str] = []
    for name, digest in digests.items():
        if isinstance(digest, OSError):
            problems.append(f"{rel}/{name}: tidak dapat dibaca ({digest.strerror})")
            continue
        if sums is not None and name in sums and sums[name] != digest:
            problems.append(f"{rel}/{name}: isi berubah (tidak cocok dengan {SUMS})")
        if name in register and register[name] != digest:
            problems.append(f"{rel}/{name}: isi tidak cocok dengan checksum di register")
    return problems


def _unknown_folders(home: Home, known: set[Path], year: int | None) -> list[str]:
    """Case folders in the binders that no filed case of the register points to (listed
    with os.scandir, whose entries know they are folders without a stat each)."""
    problems = []
    years = [home.archive / str(year)] if year is not None else sorted(
        p for p in home.archive.iterdir() if p.is_dir() and p.name.isdigit())
    for year_dir in years:
        for folder in sorted(Path(e.path) for odner in _subfolders(year_dir)
                             if odner.name.startswith("odner-") for e in _subfolders(odner)):
            if folder not in known:
                rel = folder.relative_to(home.root).as_posix()
                problems.append(f"{rel}: map tidak tercatat di register sebagai kasus yang "
                                "diarsipkan")
    return problems


def _subfolders(path: Path | os.DirEntry[str]) -> list[os.DirEntry[str]]:
    """The folders in *path* whose names do not start with a dot (none if it is not one)."""
    try:
        with os.scandir(path) as entries:
            return [e for e in entries if not e.name.startswith(".") and e.is_dir()]
    except (FileNotFoundError, NotADirectoryError):
        return []
