"""SOP step 1: an inbox entry (one file, or one folder) becomes a case, or goes to quarantine.

Order, so that a crash at any moment loses nothing and never gives a number twice:
judge every file (bad ones: quarantine, no number) -> bundle the scans in staging ->
allocate the number in the transaction that records the case ('intake') -> write the
case folder and the checklist -> commit the case as open -> remove the inbox entry.
A restart finds the entry still in the inbox; its fingerprint names the case already
recorded, so intake resumes with the same number, or just removes the entry.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image

from pipeline import clock, crash, desks, scans, sop
from pipeline.config import Config
from pipeline.fsutil import atomic_copy, fsync_dir, remove_tree, sha256_file
from pipeline.home import Home
from pipeline.model import Env
from pipeline.quarantine import quarantine
from pipeline.register import Case, Register
from pipeline.steps import handler

log = logging.getLogger(__name__)

JUNK_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}
JUNK_PATTERNS = (re.compile(r"^\._"), re.compile(r"^~\$"), re.compile(r"\.(tmp|part)$", re.I))
BERKAS = "01 berkas permohonan.pdf"


def ignored(name: str) -> bool:
    """Hidden files and the usual junk that scanners and desktops leave behind."""
    return (name.startswith(".") or name.lower() in JUNK_NAMES
            or any(p.search(name) for p in JUNK_PATTERNS))


def natural_key(text: str) -> list[object]:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", text)]


def entry_files(entry: Path) -> list[Path]:
    """The files of an inbox entry, in the order they are bundled (natural name order)."""
    if entry.is_symlink() or not entry.is_dir():
        return [entry]
    found = []
    for folder, dirs, files in os.walk(entry, followlinks=False):
        dirs[:] = [d for d in dirs if not ignored(d)]
        base = Path(folder)
        found += [base / f for f in files if not ignored(f)]
        # a symbolic link to a folder is listed in dirs, never followed: judge it as a file
        found += [base / d for d in list(dirs) if (base / d).is_symlink()]
    return sorted(found, key=lambda p: natural_key(str(p.relative_to(entry))))


def signature(entry: Path) -> tuple[object, ...] | None:
    """What must stay still for the entry to count as completely written."""
    try:
        if entry.is_symlink() or not entry.is_dir():
            st = entry.lstat()
            return ((entry.name, st.st_size, st.st_mtime_ns),)
        return tuple((str(f.relative_to(entry)), f.lstat().st_size, f.lstat().st_mtime_ns)
                     for f in entry_files(entry))
    except FileNotFoundError:
        return None


def safe_title(name: str) -> str:
    """A case title from an inbox name, safe as (part of) a folder name on any system."""
    stem = name if Path(name).suffix.lower() not in {".pdf", ".jpg", ".jpeg", ".png", ".tif",
                                                      ".tiff"} else Path(name).stem
    cleaned = re.sub(r'[\x00-\x1f<>:"/\\|?*]+', " ", stem)
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" .")
    return (cleaned or "TANPA NAMA")[:60].strip().upper()


@dataclass
class Judged:
    files: list[Path]
    kinds: list[str]
    key: str  # fingerprint: content and identity of every file


def judge(entry: Path, limits: scans.Limits) -> Judged | list[tuple[str, str]]:
    """The entry's files, or for each bad file its name and (Indonesian, English) reason."""
    files = entry_files(entry)
    bad: list[tuple[str, str]] = []
    kinds: list[str] = []
    digest = hashlib.sha256()
    for f in files:
        rel = str(f.relative_to(entry)) if f != entry else f.name
        try:
            kinds.append(scans.check(f, limits))
        except scans.ScanRejected as exc:
            bad.append((rel, f"{exc.reason_id} / {exc.reason_en}"))
            continue
        st = f.stat()
        digest.update(f"{rel}\0{sha256_file(f)}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n"
                      .encode())
    if bad:
        return bad
    return Judged(files, kinds, digest.hexdigest())


def take(home: Home, cfg: Config, reg: Register, entry: Path) -> str:
    """Handle one stable inbox entry. Returns what happened: case id, or a word."""
    if entry.is_dir() and not entry.is_symlink() and not entry_files(entry):
        return "empty-folder"  # a clerk's new, still empty folder: wait for its files
    limits = scans.Limits(max_bytes=cfg.max_file_mb * 1024 * 1024)
    judged = judge(entry, limits)
    if isinstance(judged, list):
        quarantine(home, entry, judged)
        return "quarantined"

    case = reg.by_source(judged.key)
    if case is not None and case.status != "intake":
        _remove_entry(reg, case, entry)  # taken before a crash; only the removal was left
        return case.id

    staged = home.staging / f"{judged.key[:32]}.pdf"
    try:
        scans.bundle(judged.files, staged, title=f"Berkas permohonan {entry.name}", limits=limits)
    except scans.ScanRejected as exc:
        staged.unlink(missing_ok=True)
        bad = Path(getattr(exc, "path", None) or entry)
        name = str(bad.relative_to(entry)) if bad != entry and bad.is_relative_to(entry) \
            else entry.name
        quarantine(home, entry, [(name, f"{exc.reason_id} / {exc.reason_en}")])
        return "quarantined"

    now = clock.now(cfg.tz)
    outside = not clock.in_service_hours(cfg, now)
    title = safe_title(entry.name)
    if case is None:
        with reg.transaction() as db:
            case = reg.open_case(
                db, year=now.year, title=title, received_at=now,
                clock_start=clock.next_opening(cfg, now), outside_hours=outside,
                folder_for=lambda cid: f"cases/{cid} {title}", source_name=entry.name,
                source_key=judged.key)
        crash.point("intake-numbered")
    _open(Env(home, cfg), reg, case, entry, judged, staged)
    _remove_entry(reg, case, entry)
    crash.point("removed", sop.FIRST.number)
    return case.id


def _open(env: Env, reg: Register, case: Case, entry: Path, judged: Judged,
          staged: Path) -> None:
    home = env.home
    folder = home.root / case.folder
    scans_dir = folder / "scans"
    originals = []
    for f in judged.files:
        rel = f.relative_to(entry) if f != entry else Path(f.name)
        atomic_copy(f, scans_dir / rel)
        originals.append(f"scans/{rel.as_posix()}")
    os.replace(staged, folder / BERKAS)
    fsync_dir(folder)

    names = [Path(o).name for o in originals]
    case.data = {"berkas": names, "halaman": [page_count(f, k) for f, k in
                                              zip(judged.files, judged.kinds, strict=True)]}
    first = sop.FIRST_DESK.number
    handler(first).on_enter(reg, case)
    desks.place(env, case, first)
    crash.point("intake-written")

    now = clock.now(env.cfg.tz)
    with reg.transaction() as db:
        reg.update(db, case, status="open", step=first, rounds={first: 1},
                   step_since=case.clock_start)
        reg.set_identities(db, case.id, [("nama", case.title)])
        reg.add_event(db, case.id, at=case.received_at, step=sop.FIRST.number,
                      action="diterima",
                      detail={"berkas": names, "di_luar_jam_layanan": case.outside_hours,
                              "sumber": entry.name})
        for name in [BERKAS, *originals]:
            path = folder / name
            reg.add_document(db, case.id, name=name, step=sop.FIRST.number,
                             sha256=sha256_file(path), size=path.stat().st_size, at=now)
    crash.point("committed", sop.FIRST.number)
    log.info("%s opened from %s (%d file(s))", case.id, entry.name, len(originals))


def page_count(path: Path, kind: str) -> int:
    """Pages a scan adds to the bundle (for the checklist's list of files)."""
    if kind == "pdf":
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    with Image.open(path) as im:
        return getattr(im, "n_frames", 1) if kind == "tiff" else 1


def _remove_entry(reg: Register, case: Case, entry: Path) -> None:
    remove_tree(entry)
    reg.mark_source_removed(case.id)


def recover(home: Home, reg: Register) -> list[str]:
    """Cases left in 'intake' whose inbox entry is gone (removed by hand while the watcher
    was down) can never be completed: record them as cancelled, so the number is accounted
    for rather than silently skipped."""
    for leftover in home.staging.glob(".scans-*"):  # a bundle a crash interrupted
        remove_tree(leftover)
    cancelled = []
    for case in reg.cases("intake"):
        if not (home.inbox / case.source_name).exists():
            now = case.received_at
            with reg.transaction() as db:
                reg.update(db, case, status="cancelled")
                reg.add_event(db, case.id, at=now, step=sop.FIRST.number, action="dibatalkan",
                              detail={"alasan": "berkas di inbox hilang sebelum selesai diterima"})
            cancelled.append(case.id)
    return cancelled
