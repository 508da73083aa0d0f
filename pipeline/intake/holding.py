"""Intake's end: only what was taken leaves the inbox; what was not is held, with a note.

Each file whose bytes are those of its copy in the case folder (the register keeps the
copies' digests) is removed; anything else left in a folder (a scan added while the bundle
was made, a ``*.part``, hidden files) keeps the folder *held* (`pipeline.office.faults`) with a
note beside it (``inbox/<name>.error.txt``) until the clerk removes it (`pipeline.intake.taking`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from pathlib import Path

from pipeline import services
from pipeline.domain import clock
from pipeline.domain.case import Case
from pipeline.intake.quarantine import NOTE_SUFFIX, quarantined_name
from pipeline.office import faults
from pipeline.office.config import Config
from pipeline.office.fsutil import (
    UntrustedFile,
    atomic_write_text,
    fit_name,
    fsync_dir,
    sha256_untrusted,
)
from pipeline.office.home import Home
from pipeline.store.register import Register

log = logging.getLogger(__name__)
SCANS = "scans"  # the case folder's copies of what the inbox entry held


def entry_key(entry: Path) -> str:
    """How faults.json names an inbox entry: its name in KK WNA's `inbox/` (as always),
    "<inbox>/<name>" in another service's inbox (two inboxes may hold the same name)."""
    inbox = entry.parent.name
    return entry.name if inbox == services.default().inbox else f"{inbox}/{entry.name}"


def entry_at(home: Home, key: str) -> Path:
    """The inbox entry *key* (`entry_key`) names."""
    inbox, _, name = key.rpartition("/")
    return home.root / (inbox or services.default().inbox) / name


def source_entry(home: Home, case: Case) -> Path:
    """Where *case* was dropped: its name in its own service's inbox."""
    return home.inbox_of(services.of(case)) / case.source_name


def natural_key(text: str) -> list[object]:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", text)]


def taken_copies(reg: Register, case: Case) -> dict[str, str]:
    """{path relative to the inbox entry: SHA-256 of its copy in the case folder}."""
    prefix = f"{SCANS}/"
    return {row["name"][len(prefix):]: row["sha256"] for row in reg.documents(case.id)
            if row["name"].startswith(prefix)}


def same_bytes(path: Path, digest: str | None) -> bool:
    if digest is None:
        return False
    try:
        return sha256_untrusted(path, None) == digest
    except (UntrustedFile, FileNotFoundError):
        return False


def leftovers(entry: Path) -> list[str]:
    """Everything under a folder (hidden files and folders too), relative, sorted."""
    if entry.is_symlink() or not entry.is_dir():
        return [entry.name] if entry.exists() or entry.is_symlink() else []
    found = []
    for folder, dirs, files in os.walk(entry, followlinks=False):
        base = Path(folder)
        found += [(base / f).relative_to(entry).as_posix() for f in files]
        found += [(base / d).relative_to(entry).as_posix() + "/" for d in dirs
                  if not any(True for _ in os.scandir(base / d))]  # an empty folder
    return sorted(found, key=natural_key)


def remove_taken(home: Home, cfg: Config, reg: Register, case: Case, entry: Path) -> str:
    """Remove from the inbox each file whose bytes are those of its copy in the case, and
    the folders that leaves empty; hold the entry if anything else is left in it."""
    copies = taken_copies(reg, case)
    if entry.is_symlink() or not entry.is_dir():
        if same_bytes(entry, copies.get(entry.name)):
            entry.unlink()
    else:
        for rel, digest in copies.items():
            path = entry / rel
            if same_bytes(path, digest):
                path.unlink()
        folders = sorted({p.parent for rel in copies for p in [entry / rel]
                          if p.parent != entry}, key=lambda p: len(p.parts), reverse=True)
        for folder in [*folders, entry]:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if nothing else is in it
    fsync_dir(entry.parent)
    reg.mark_source_removed(case.id)
    faults.clear_inbox(home, entry_key(entry))
    _clear_quarantine_note(home, entry.name)
    left = leftovers(entry)
    if left:
        faults.hold(home, entry_key(entry), case.id, clock.now(cfg.tz), identity(entry))
        _write_note(home, cfg, entry, case.id, left)
        log.warning("%s: %d berkas tidak ikut diterima ke %s dan tetap di inbox (%s)",
                    entry.name, len(left), case.id, ", ".join(left[:5]))
    return case.id


def _clear_quarantine_note(home: Home, name: str) -> None:
    """An entry accepted now: the note of its earlier stay in quarantine no longer
    applies (kept while a same-named entry is still in quarantine)."""
    stored = home.quarantine / quarantined_name(name)
    note = stored.with_name(stored.name + NOTE_SUFFIX)
    if not (stored.exists() or stored.is_symlink()):
        note.unlink(missing_ok=True)


def note_path(home: Home, key: str) -> Path:
    """``inbox/<name>.error.txt``, the note beside a held entry in its own inbox (*key*:
    `entry_key`; the name shortened to fit)."""
    entry = entry_at(home, key)
    return entry.with_name(fit_name(entry.name, reserve=len(NOTE_SUFFIX)) + NOTE_SUFFIX)


def _write_note(home: Home, cfg: Config, entry: Path, case_id: str, left: list[str]) -> None:
    moment = clock.stamp(clock.now(cfg.tz), cfg.tz)
    lines = [
        f"'{entry.name}' sudah diterima sebagai kasus {case_id}, tetapi berkas berikut TIDAK "
        f"ikut diterima dan bukan bagian dari kasus mana pun ({moment}):",
        "",
        *[f"- {name}" for name in left],
        "",
        "Berkas ini masuk ketika berkas permohonan sedang disusun, belum selesai disalin "
        "(.part), atau tersembunyi. kkwna tidak menerima folder ini selama folder ini ada.",
        f"Jika termasuk permohonan {case_id}: kembalikan kasus itu dan susun ulang berkasnya. "
        f"Jika permohonan baru: pindahkan berkasnya ke folder baru di {entry.parent.name}/. "
        "Lalu hapus "
        "folder ini; catatan ini hilang sendiri.",
        "",
    ]
    atomic_write_text(note_path(home, entry_key(entry)), "\n".join(lines))


def still_held(home: Home, cfg: Config, entry: Path, case_id: str) -> str:
    left = leftovers(entry)
    if not left:  # the clerk emptied it: nothing to hold any more
        if entry.is_dir() and not entry.is_symlink():
            entry.rmdir()
        release_gone(home)
        return "released"
    _write_note(home, cfg, entry, case_id, left)
    log.warning("%s masih ditahan: sisa dari %s (%d berkas), lihat %s", entry.name, case_id,
                len(left), note_path(home, entry_key(entry)).name)
    return "held"


def identity(entry: Path) -> str:
    try:
        return str(entry.lstat().st_ino)
    except OSError:
        return ""


def release(home: Home, key: str) -> None:
    faults.release(home, key)
    note_path(home, key).unlink(missing_ok=True)


def release_gone(home: Home) -> list[str]:
    """Forget held entries the clerk removed from the inbox, and their notes."""
    released = []
    for key in faults.load(home).held:
        entry = entry_at(home, key)
        if not (entry.exists() or entry.is_symlink()):
            release(home, key)
            released.append(key)
    return released
