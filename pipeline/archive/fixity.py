"""`kkwna archive verify`: is the archive still what was filed?

Every archived case folder is checked against its own SHA256SUMS and against the
register's checksums (documents table): files missing, added or changed. The register's
event chain is checked, folders the register does not know are reported, and the signed
KKs' signatures are checked through a callable the signing module provides. Each problem
is one Indonesian line naming the file or event.

The folders are read and hashed by `hashing` (in a forked child, on two threads) while
this process checks the register's chain; the command starts that hashing before it even
loads the settings. A run goes faster than `sha256sum -c` on the same tree
(bench/archive_bench.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.archive.hashing import Folder, Hashing, case_folders, read_folder
from pipeline.archive.sums import FILED_STATUSES, SUMS
from pipeline.archive.versions import current_kk
from pipeline.domain import sop
from pipeline.office.home import Home
from pipeline.store import checkpoint
from pipeline.store.register import Register

SIGNED_KK = sop.filed_name(sop.Kind.SIGNATURE)
Progress = Callable[[int, int], None]
SignatureCheck = Callable[[Path], "str | None"]


@dataclass(frozen=True)
class _Job:
    case_id: str
    rel: str  # the case folder, relative to the home (as the messages name it)
    path: str
    register: dict[str, str]  # the register's checksums of the case's documents


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
                   require_seal: bool = False, only: set[str] | None = None,
                   hashing: Hashing | None = None) -> list[str]:
    """Check the archive (one year, or all); returns the problems (empty: all is well).

    *seal_cert* (the office seal's `cryptography` certificate) checks the chain's signed
    checkpoints, *trust* their timestamps' TSA; without it only a checkpoint removed from
    the log is found, and with *require_seal* (the command) checkpoints that cannot be
    checked are reported. *only*: check just these cases' folders (a sample audit); the
    chain and the binders' folders are checked whole all the same. *progress* is called
    here, as the hashing process reports each folder done. *hashing*: the binders of the
    same *year* already being hashed (`Hashing.of_archive`, which the command starts
    first); it is closed here. Without it the filed cases' folders are hashed now."""
    documents = _documents(reg)
    known: set[str] = set()
    slots: list[str | _Job] = []  # in case order: a problem found here, or a folder to check
    for cid, case_year, status, folder in _filed(reg):
        if year is not None and case_year != year:
            continue
        path = str(home.root / folder)
        known.add(path)
        if only is not None and cid not in only:
            continue
        if not folder.startswith("archive/"):
            slots.append(f"{folder}: {cid} berstatus {status} tetapi belum diarsipkan")
            continue
        slots.append(_Job(cid, folder, path, documents.get(cid, {})))
    jobs = [slot for slot in slots if isinstance(slot, _Job)]
    expected = sum(len(job.register) for job in jobs)
    if progress:
        progress(0, expected)
    if hashing is None:
        hashing = Hashing([job.path for job in jobs])
    with hashing:
        # the register is read here, and only here (its connection is this process's)
        chain = _chain_problems(reg)
        found = (checkpoint.problems(reg, seal_cert, trust)
                 if seal_cert is not None or require_seal else checkpoint.removed(reg))
        done = 0
        for hashed in hashing.progress():
            done += hashed
            if progress:
                progress(min(done, expected), expected)
        read = hashing.results()
        walked = hashing.walked
    if progress and done < expected:
        progress(expected, expected)

    problems: list[str] = []
    listing: list[str] = []
    contents: list[str] = []
    folders: list[_Job] = []
    for slot in slots:
        if isinstance(slot, str):
            problems.append(slot)
            continue
        result = read.get(slot.path)
        if result is None:  # a folder the walk did not find (or not where it looks)
            result = read_folder(slot.path)
        if result.missing:
            problems.append(f"{slot.rel}: map kasus {slot.case_id} hilang dari arsip")
            continue
        if result.sums is None:
            problems.append(f"{slot.rel}/{SUMS}: hilang atau tidak terbaca")
        folders.append(slot)
        listing += _listing_problems(slot, result)
        contents += _compared(slot, result)
    if walked is None:
        walked = case_folders(home.archive, year)
    unknown = [f"{Path(p).relative_to(home.root).as_posix()}: map tidak tercatat di register "
               "sebagai kasus yang diarsipkan" for p in walked if p not in known]
    problems = (chain + [f"register: {p}" for p in found] + problems + unknown
                + listing + contents)

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


def _listing_problems(job: _Job, folder: Folder) -> list[str]:
    """Files missing from the folder, and files in it that SHA256SUMS or the register do
    not list."""
    problems = []
    sums, on_disk = folder.sums, folder.on_disk
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


def _compared(job: _Job, folder: Folder) -> list[str]:
    """The digests of the files SHA256SUMS or the register lists, compared with them."""
    problems: list[str] = []
    rel, sums, register = job.rel, folder.sums, job.register
    for name, digest in folder.digests.items():
        if not ((sums is not None and name in sums) or name in register):
            continue  # an unlisted file: reported as such, its content is not a question
        if isinstance(digest, OSError):
            problems.append(f"{rel}/{name}: tidak dapat dibaca ({digest.strerror})")
            continue
        if sums is not None and name in sums and sums[name] != digest:
            problems.append(f"{rel}/{name}: isi berubah (tidak cocok dengan {SUMS})")
        if name in register and register[name] != digest:
            problems.append(f"{rel}/{name}: isi tidak cocok dengan checksum di register")
    return problems


