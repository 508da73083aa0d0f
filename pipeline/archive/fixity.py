"""`kkwna archive verify`: is the archive still what was filed?

Every archived case folder is checked against its own SHA256SUMS and against the
register's checksums (documents table): files missing, added or changed. The register's
event chain is checked, folders the register does not know are reported, and the signed
KKs' signatures are checked through a callable the signing module provides. Each problem
is one Indonesian line naming the file or event.

Hashing runs on two threads (hashlib releases the GIL on large buffers), reading each file
once in large blocks, while the main thread checks the register's chain: a run goes
faster than `sha256sum -c` on the same tree (bench/archive_bench.py).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import checkpoint, sop
from pipeline.archive.sums import FILED_STATUSES, SUMS, read_sums
from pipeline.archive.versions import current_kk
from pipeline.home import Home
from pipeline.register import Case, Register

SIGNED_KK = sop.filed_name(sop.Kind.SIGNATURE)
BLOCK = 1 << 20
THREADS = 2

Progress = Callable[[int, int], None]
SignatureCheck = Callable[[Path], "str | None"]


@dataclass
class _Folder:
    case_id: str
    path: Path
    rel: str
    sums: dict[str, str] | None  # None: SHA256SUMS missing or unreadable
    register: dict[str, str]
    on_disk: set[str] = field(default_factory=set)


_buffers = threading.local()


def sha256_path(path: str) -> str:
    """A file's SHA-256: small files in one read, large ones through a reused 1 MiB buffer
    (hashlib releases the GIL on both, so two threads hash on two cores)."""
    with open(path, "rb", buffering=0) as fh:
        if os.fstat(fh.fileno()).st_size <= 4 * BLOCK:
            return hashlib.sha256(fh.readall()).hexdigest()
        buf = getattr(_buffers, "buf", None)
        if buf is None:
            buf = _buffers.buf = bytearray(BLOCK)
        view = memoryview(buf)
        h = hashlib.sha256()
        while n := fh.readinto(buf):
            h.update(view[:n])
        return h.hexdigest()


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
    chain and the binders' folders are checked whole all the same."""
    problems: list[str] = []
    known: set[Path] = set()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        # each folder is read (its SHA256SUMS, its listing) and hashed on a worker thread;
        # the register is read here, and only here (its connection is this thread's)
        slots: list[str | tuple[Case, Path, dict[str, str], Future[_Read]]] = []
        expected = 0
        for case in reg.cases():
            if case.status not in FILED_STATUSES or (year is not None and case.year != year):
                continue
            path = home.root / case.folder
            known.add(path)
            if only is not None and case.id not in only:
                continue
            if not case.folder.startswith("archive/"):
                slots.append(f"{case.folder}: {case.id} berstatus {case.status} tetapi belum "
                             "diarsipkan")
                continue
            if not path.is_dir():
                slots.append(f"{case.folder}: map kasus {case.id} hilang dari arsip")
                continue
            register = {r["name"]: r["sha256"] for r in reg.documents(case.id)}
            expected += len(register)
            slots.append((case, path, register, pool.submit(_read_folder, path, register)))
        if progress:
            progress(0, expected)
        # the chain checks are pure Python, the worker threads mostly C without the GIL
        # (hashing, reading): checked here, meanwhile, they cost little more than that
        chain = _chain_problems(reg)
        found = (checkpoint.problems(reg, seal_cert, trust)
                 if seal_cert is not None or require_seal else checkpoint.removed(reg))
        folders: list[_Folder] = []
        for slot in slots:
            if isinstance(slot, str):
                problems.append(slot)
                continue
            case, path, register, future = slot
            sums, on_disk, _ = future.result()
            if sums is None:
                problems.append(f"{case.folder}/{SUMS}: hilang atau tidak terbaca")
            folders.append(_Folder(case.id, path, case.folder, sums, register, on_disk))
        problems += _unknown_folders(home, known, year)
        for f in folders:
            problems += _listing_problems(f)
        hashed: list[str] = []
        done = 0
        for slot in slots:
            if isinstance(slot, str):
                continue
            case, _, register, future = slot
            sums, _, digests = future.result()
            hashed += _compared(case.folder, sums, register, digests)
            done += len(digests)
            if progress:
                progress(min(done, expected), expected)
        if progress and done < expected:
            progress(expected, expected)
    problems = chain + [f"register: {p}" for p in found] + problems + hashed

    if check_signature is not None:
        for f in folders:
            # the newest version: an original whose timestamp expired was renewed (renew)
            name = current_kk(f.register) or SIGNED_KK
            kk = f.path / name
            if kk.exists():
                problem = check_signature(kk)
                if problem:
                    problems.append(f"{f.rel}/{name}: tanda tangan elektronik: {problem}")
    return problems


_Read = tuple["dict[str, str] | None", set[str], dict[str, "str | OSError"]]


def _read_folder(path: Path, register: dict[str, str]) -> _Read:
    """On a worker thread: the folder's SHA256SUMS (None when missing or unreadable), its
    files, and the digest of each file SHA256SUMS or the register lists (each read once)."""
    try:
        sums: dict[str, str] | None = read_sums(path)
    except (OSError, UnicodeDecodeError):
        sums = None
    on_disk = _files(path) - {SUMS}
    base = str(path) + os.sep
    digests: dict[str, str | OSError] = {}
    for name in sorted(on_disk):
        if (sums is not None and name in sums) or name in register:
            try:
                digests[name] = sha256_path(base + name)
            except OSError as exc:
                digests[name] = exc
    return sums, on_disk, digests


def _listing_problems(f: _Folder) -> list[str]:
    """Files missing from the folder, and files in it that SHA256SUMS or the register do
    not list."""
    problems = []
    listed = set(f.sums or {}) | set(f.register)
    for name in sorted(listed - f.on_disk):
        where = []
        if f.sums is not None and name in f.sums:
            where.append(SUMS)
        if name in f.register:
            where.append("register")
        problems.append(f"{f.rel}/{name}: hilang (tercatat di {' dan '.join(where)})")
    for name in sorted(f.on_disk):
        if f.sums is not None and name not in f.sums:
            problems.append(f"{f.rel}/{name}: berkas tambahan, tidak ada di {SUMS}")
        if name not in f.register:
            problems.append(f"{f.rel}/{name}: berkas tidak tercatat di register")
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
    """Case folders in the binders that no filed case of the register points to."""
    problems = []
    years = [home.archive / str(year)] if year is not None else sorted(
        p for p in home.archive.iterdir() if p.is_dir() and p.name.isdigit())
    for year_dir in years:
        for folder in sorted(year_dir.glob("odner-*/*")):
            if folder.is_dir() and not folder.name.startswith(".") and folder not in known:
                rel = folder.relative_to(home.root).as_posix()
                problems.append(f"{rel}: map tidak tercatat di register sebagai kasus yang "
                                "diarsipkan")
    return problems
