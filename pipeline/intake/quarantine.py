"""What can't be taken in goes to quarantine/, as it is, with a reason a clerk can read."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.domain import clock
from pipeline.office.fsutil import atomic_write_text, fit_name, fsync_dir, unique_path
from pipeline.office.home import Home

log = logging.getLogger(__name__)

NOTE_SUFFIX = ".error.txt"
# The office default (kkwna.toml office.timezone); callers that have the profile pass its zone.
DEFAULT_TZ = ZoneInfo("Asia/Makassar")
# Room kept for the note's suffix and a " (NNNNNN)" that unique_path may add.
_RESERVE = len(NOTE_SUFFIX) + len(" (999999)")


def error_text(name: str, problems: list[tuple[str, str]], when: datetime | None = None,
               *, tz: ZoneInfo = DEFAULT_TZ, stored_as: str | None = None) -> str:
    """The note beside a quarantined entry. *name* is the entry's full original name;
    *stored_as* the (shortened) name it was given in quarantine/, if different."""
    moment = clock.stamp(when or clock.now(tz), tz)
    lines = [
        f"Berkas '{name}' tidak dapat diterima dan dipindahkan ke karantina ({moment}).",
    ]
    if stored_as and stored_as != name:
        lines += [
            f"Namanya terlalu panjang, sehingga disimpan sebagai '{stored_as}'.",
        ]
    lines.append("")
    for item, reason in problems:
        lines.append(f"- {item}: {reason}")
    lines += [
        "",
        "Perbaiki atau pindai ulang berkas di atas, lalu letakkan kembali seluruh berkas "
        "ke inbox/.",
        "",
    ]
    return "\n".join(lines)


def quarantined_name(name: str) -> str:
    """The name an entry called *name* gets in quarantine/ (before any " (2)")."""
    return fit_name(name, reserve=_RESERVE)


def quarantine(home: Home, entry: Path, problems: list[tuple[str, str]], *,
               tz: ZoneInfo = DEFAULT_TZ) -> Path:
    """Move *entry* (file, folder or link, never followed) to quarantine/ with its reason.

    A name too long to carry ``.error.txt`` is shortened (see fsutil.fit_name); the note
    keeps the full original name. The note is stamped in office time (*tz*).
    """
    home.quarantine.mkdir(parents=True, exist_ok=True)
    target = unique_path(home.quarantine, quarantined_name(entry.name))
    # the reason first: a crash in between leaves a spare note, never a file without one
    atomic_write_text(target.with_name(target.name + NOTE_SUFFIX),
                      error_text(entry.name, problems, tz=tz, stored_as=target.name))
    os.rename(entry, target)
    fsync_dir(home.quarantine)
    fsync_dir(entry.parent)
    log.warning("%s dipindahkan ke karantina: %s", entry.name,
                "; ".join(f"{a}: {b}" for a, b in problems))
    return target
