"""What can't be taken in goes to quarantine/, as it is, with a reason a clerk can read."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

from pipeline.fsutil import atomic_write_text, fsync_dir, unique_path
from pipeline.home import Home

log = logging.getLogger(__name__)


def error_text(name: str, problems: list[tuple[str, str]], when: datetime | None = None) -> str:
    moment = (when or datetime.now().astimezone()).strftime("%d-%m-%Y %H:%M:%S %Z")
    lines = [
        f"Berkas '{name}' tidak dapat diterima dan dipindahkan ke karantina ({moment}).",
        f"The file '{name}' could not be taken in and was moved to quarantine.",
        "",
    ]
    for item, reason in problems:
        lines.append(f"- {item}: {reason}")
    lines += [
        "",
        "Perbaiki atau pindai ulang berkas di atas, lalu letakkan kembali seluruh berkas "
        "ke inbox/.",
        "Fix or rescan the file(s) above, then drop the whole application into inbox/ again.",
        "",
    ]
    return "\n".join(lines)


def quarantine(home: Home, entry: Path, problems: list[tuple[str, str]]) -> Path:
    """Move *entry* (file, folder or link, never followed) to quarantine/ with its reason."""
    home.quarantine.mkdir(parents=True, exist_ok=True)
    target = unique_path(home.quarantine, entry.name)
    # the reason first: a crash in between leaves a spare note, never a file without one
    atomic_write_text(target.with_name(target.name + ".error.txt"),
                      error_text(entry.name, problems))
    os.rename(entry, target)
    fsync_dir(home.quarantine)
    fsync_dir(entry.parent)
    log.warning("quarantined %s: %s", entry.name, "; ".join(f"{a}: {b}" for a, b in problems))
    return target
