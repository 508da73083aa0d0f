"""Filing finished and returned cases into the archive, the way the paper binders are kept.

archive/<YYYY>/odner-<NN>/<register no> <TITLE>/ holds the case documents numbered by
SOP step, scans/ (the originals), riwayat.pdf (the history) and SHA256SUMS, which
`sha256sum -c SHA256SUMS` checks inside the folder.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pipeline import clock, documents
from pipeline.config import Config
from pipeline.fsutil import atomic_write_text, fsync_dir, sha256_file
from pipeline.home import Home
from pipeline.register import Case, Register

log = logging.getLogger(__name__)
SUMS = "SHA256SUMS"


def odner_number(cfg: Config, case: Case) -> int:
    return (case.seq - 1) // cfg.cases_per_odner + 1


def target_folder(home: Home, cfg: Config, case: Case) -> Path:
    return (home.archive / str(case.year) / f"odner-{odner_number(cfg, case):02d}"
            / f"{case.id} {case.title}")


def write_sums(folder: Path) -> None:
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel != SUMS and not path.name.startswith(".tmp-"):
            lines.append(f"{sha256_file(path)}  {rel}\n")
    atomic_write_text(folder / SUMS, "".join(lines))


def file_case(home: Home, cfg: Config, reg: Register, case: Case) -> Path:
    """Move a finished or returned case into its binder, with its history and checksums."""
    source = home.root / case.folder
    target = target_folder(home, cfg, case)
    if not source.exists() and target.exists():  # moved before a crash; only the commit left
        source = target
    documents.write_history(home, cfg, reg, case, source / documents.HISTORY)
    write_sums(source)
    if source != target:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(source, target)
        fsync_dir(target.parent)
        fsync_dir(source.parent)
    now = clock.now(cfg.tz)
    with reg.transaction() as db:
        reg.update(db, case, folder=target.relative_to(home.root).as_posix())
        history = target / documents.HISTORY
        reg.add_document(db, case.id, name=documents.HISTORY, step=case.step,
                         sha256=sha256_file(history), size=history.stat().st_size, at=now)
    log.info("%s filed in %s", case.id, target.relative_to(home.root))
    return target


def recover(home: Home, cfg: Config, reg: Register) -> None:
    """Finish filing returned cases a crash left in cases/ (or moved but not recorded)."""
    for case in reg.cases("returned"):
        if not case.folder.startswith("archive/") or not (home.root / case.folder).exists():
            file_case(home, cfg, reg, case)
