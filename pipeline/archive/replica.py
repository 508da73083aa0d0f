"""`kkwna archive replicate DEST` and `kkwna archive restore SRC`: a second copy of the
archive on another disk (a NAS share, a USB disk, a mounted bucket) and the way back.

DEST/archive/ mirrors archive/: the case folders, the binders' sheets and books, and a
consistent backup of the register with its chain log (`Register.backup`). What a copy may
take in is decided by the register, never by the source disk alone:

- the source must pass its fixity check first (`verify_archive`): a changed or lost case
  file refuses the whole run, nothing is copied;
- the register is snapshotted first, and only the cases that snapshot knows are copied,
  each file checked against the checksum the snapshot RECORDED, while reading the source
  and again after writing the copy; the snapshot is put in place last, so the copy's
  register never lists a file the copy lacks;
- incremental: DEST/.kkwna-replika.json remembers each copied file's checksum, size and
  mtime; a file that still matches is not read again;
- nothing in DEST is ever deleted: a file the source no longer has is reported (the copy
  keeps it); a case file whose copy is damaged is copied again (and reported as repaired).

Files outside the case folders (books, labels, contents lists, old chain logs) carry no
recorded checksum: they are rewritten by kkwna as cases are filed, so a newer version is
copied over the older one, checked against the source's bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.archive.filing import FILE_MODE, FILED_STATUSES, SUMS, _read_only
from pipeline.archive.fixity import verify_archive
from pipeline.archive.hashing import files_in, sha256_path
from pipeline.office.fsutil import atomic_write_text, create_temp, fsync_dir
from pipeline.office.home import Home
from pipeline.store.register import Register, chain_path_for

MANIFEST = ".kkwna-replika.json"
STAGING = ".kkwna-replika"
BLOCK = 1 << 20
REGISTER_FILES = ("register.sqlite3", "register.sqlite3-wal", "register.sqlite3-shm",
                  "register.chain")


@dataclass
class Result:
    copied: list[str] = field(default_factory=list)  # relative to archive/
    repaired: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    refused: bool = False  # the source failed its fixity check: nothing was copied


def _recorded(snapshot: Path) -> dict[str, str]:
    """{path relative to archive/: recorded sha256} of the filed cases in the snapshot."""
    db = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
    try:
        out = {}
        marks = ",".join("?" * len(FILED_STATUSES))
        for folder, name, digest in db.execute(
                "SELECT c.folder, d.name, d.sha256 FROM documents d JOIN cases c"
                f" ON c.id = d.case_id WHERE c.status IN ({marks})"
                " AND c.folder LIKE 'archive/%'", FILED_STATUSES):
            out[f"{folder.removeprefix('archive/')}/{name}"] = digest
        return out
    finally:
        db.close()


def _case_dir(rel: str) -> str:
    """The case folder (<year>/odner-NN/<case>) a path lies in, or "" (books, sheets)."""
    parts = rel.split("/")
    return "/".join(parts[:3]) if len(parts) >= 4 and parts[1].startswith("odner-") else ""


def _skipped(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return rel in REGISTER_FILES or name.startswith(".") or "/.tmp-" in f"/{rel}"


def _copy_checked(src: Path, dst: Path, expect: str | None,
                  mode: int = 0o644) -> tuple[str, str | None]:
    """Copy *src* to *dst* through a temporary file, hashing while reading and again after
    writing; returns (the source's sha256, a problem or None). With *expect* a source that
    differs is not copied."""
    h = hashlib.sha256()
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = create_temp(dst.parent, ".part")
    try:
        with open(src, "rb") as inp, os.fdopen(fd, "wb") as out:
            while chunk := inp.read(BLOCK):
                h.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        digest = h.hexdigest()
        if expect is not None and digest != expect:
            return digest, "isi berubah di sumber (tidak cocok dengan checksum di register)"
        if sha256_path(str(tmp)) != digest:
            return digest, "salinan tidak cocok dengan sumber sesudah ditulis"
        os.chmod(tmp, mode)
        os.replace(tmp, dst)
        fsync_dir(dst.parent)
        return digest, None
    finally:
        Path(tmp).unlink(missing_ok=True)


def replicate(home: Home, reg: Register, dest: Path, **checks: Any) -> Result:
    """Bring DEST up to date with the archive (see the module notes)."""
    result = Result()
    found = verify_archive(home, reg, **checks)
    if found:
        result.problems, result.refused = found, True
        return result
    dest_archive, staging = dest / "archive", dest / STAGING
    staging.mkdir(parents=True, exist_ok=True)
    snapshot = staging / "register.sqlite3"
    reg.backup(snapshot)
    recorded = _recorded(snapshot)
    manifest_path = dest / MANIFEST
    manifest: dict[str, list[Any]] = (json.loads(manifest_path.read_text(encoding="utf-8"))
                                      if manifest_path.exists() else {})
    source = {rel for rel in files_in(str(home.archive)) if not _skipped(rel)}
    case_dirs = {_case_dir(rel) for rel in recorded}
    try:
        for rel in sorted(source | set(recorded)):
            src, dst = home.archive / rel, dest_archive / rel
            case_dir = _case_dir(rel)
            if case_dir and rel not in recorded and (
                    case_dir not in case_dirs or rel != f"{case_dir}/{SUMS}"):
                continue  # a case filed after the snapshot: the next run takes it
            _one(src, dst, rel, recorded.get(rel), manifest, result, bool(case_dir))
        for rel in sorted(set(manifest) - source):
            result.problems.append(f"{rel}: tidak ada lagi di sumber; salinannya tetap "
                                   "disimpan di tujuan")
        dest_archive.mkdir(parents=True, exist_ok=True)
        os.replace(chain_path_for(snapshot), dest_archive / "register.chain")
        os.replace(snapshot, dest_archive / "register.sqlite3")
        fsync_dir(dest_archive)
    finally:
        atomic_write_text(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=0,
                                                    sort_keys=True))
    return result


def _one(src: Path, dst: Path, rel: str, expect: str | None, manifest: dict[str, list[Any]],
         result: Result, in_case: bool) -> None:
    if not src.exists():
        return  # a recorded file the source lacks failed the fixity check already
    known = manifest.get(rel)
    if dst.exists():
        st = dst.stat()
        if known and known[1:] == [st.st_size, st.st_mtime_ns] and (
                expect is None and sha256_path(str(src)) == known[0] or known[0] == expect):
            return  # unchanged since it was copied and checked
        have = sha256_path(str(dst))
        want = expect if expect is not None else sha256_path(str(src))
        if have == want:
            manifest[rel] = [have, st.st_size, st.st_mtime_ns]
            return
    digest, problem = _copy_checked(src, dst, expect, FILE_MODE if in_case else 0o644)
    if problem:
        result.problems.append(f"{rel}: {problem}; tidak disalin")
        return
    st = dst.stat()
    if known is not None and expect is not None:
        result.repaired.append(rel)
    result.copied.append(rel)
    manifest[rel] = [digest, st.st_size, st.st_mtime_ns]


class RestoreError(Exception):
    pass


def restore(src: Path, home: Home) -> int:
    """Copy the archive back from a copy made by `replicate` into *home*, whose register
    must hold no case yet; returns how many files. The caller then runs `verify_archive`."""
    copy = src / "archive"
    if not (copy / "register.sqlite3").exists():
        raise RestoreError(f"{src} bukan salinan arsip kkwna (archive/register.sqlite3 "
                           "tidak ada)")
    if home.register_path.exists():
        db = sqlite3.connect(f"file:{home.register_path}?mode=ro", uri=True)
        try:
            held = db.execute("SELECT COUNT(*) FROM cases").fetchone()[0]
        except sqlite3.Error:
            held = 0
        finally:
            db.close()
        if held:
            raise RestoreError(f"register {home.register_path} sudah berisi {held} kasus; "
                               "pemulihan hanya ke kantor yang registernya kosong")
    count = 0
    for rel in sorted(files_in(str(copy))):
        if rel.startswith(".") or "/." in rel:
            continue
        target = home.archive / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        for leftover in ("-wal", "-shm"):
            if rel == "register.sqlite3":
                Path(str(target) + leftover).unlink(missing_ok=True)
        digest, problem = _copy_checked(copy / rel, target, None)
        if problem:
            raise RestoreError(f"{rel}: {problem}")
        count += 1
    for year in home.archive.iterdir():
        for folder in year.glob("odner-*/*") if year.is_dir() else []:
            if folder.is_dir():
                _read_only(folder)  # as filed: the case folders are read-only
    return count
