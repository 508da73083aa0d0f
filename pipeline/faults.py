"""What the watcher could not do, kept where `kkwna status` can show it (.kkwna/faults.json).

Three kinds of record, each an Indonesian line a clerk can act on:

- ``inbox``: an inbox entry waiting because of a fault of the machine (a full disk, a
  folder it may not read), not of the application; removed once the entry is taken;
- ``register``: the register is behind the case folders, or its event chain has problems
  (written at watcher start and when intake refuses to give a number);
- ``held``: what is left of an inbox folder after its case was opened (a scan added while
  the bundle was being made, files intake skips). Such a folder is never taken again
  while it is held; the clerk decides what to do with it (the note beside it says so);
- ``tte``: the TTE service could not be reached when the head of office approved
  (`kkwna sign` with `[tte] backend = "bsre"`); cleared by the next signature it makes.

The file is small, rewritten whole (atomically) on each change, and read leniently: a
damaged or missing file reads as "nothing known".
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.fsutil import atomic_write_text, read_untrusted
from pipeline.home import Home

log = logging.getLogger(__name__)

FILENAME = "faults.json"
MAX_BYTES = 4 << 20


@dataclass
class Faults:
    inbox: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> {pesan, sejak}
    register: list[str] = field(default_factory=list)
    held: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> {kasus, sejak}
    tte: dict[str, str] = field(default_factory=dict)  # {pesan, sejak} or empty

    def as_json(self) -> dict[str, Any]:
        return {"inbox": self.inbox, "register": self.register, "held": self.held,
                "tte": self.tte}

    def lines(self) -> list[str]:
        """Everything a clerk should know, one Indonesian line each."""
        out = [f"register: {line}" for line in self.register]
        out += [f"inbox/{name}: {item['pesan']} (sejak {item['sejak']})"
                for name, item in sorted(self.inbox.items())]
        out += [f"inbox/{name}: sisa berkas setelah kasus {item['kasus']} dibuka; tidak "
                f"diterima otomatis (lihat catatan di sebelahnya)"
                for name, item in sorted(self.held.items())]
        if self.tte:
            out.append(f"TTE: {self.tte['pesan']} (sejak {self.tte['sejak']}); KK tetap "
                       f"menunggu di langkah 8, ulangi `kkwna sign`")
        return out


def load(home: Home) -> Faults:
    path = home.state / FILENAME
    try:
        raw = json.loads(read_untrusted(path, MAX_BYTES).decode("utf-8"))
    except FileNotFoundError:
        return Faults()
    except (OSError, ValueError) as exc:
        log.warning("%s tidak dapat dibaca (%s); dianggap kosong", path, exc)
        return Faults()
    if not isinstance(raw, dict):
        return Faults()
    return Faults(inbox=dict(raw.get("inbox") or {}), register=list(raw.get("register") or []),
                  held=dict(raw.get("held") or {}), tte=dict(raw.get("tte") or {}))


def save(home: Home, faults: Faults) -> None:
    home.state.mkdir(parents=True, exist_ok=True)
    atomic_write_text(home.state / FILENAME,
                      json.dumps(faults.as_json(), ensure_ascii=False, indent=1) + "\n")


def set_inbox(home: Home, name: str, message: str, when: datetime) -> None:
    faults = load(home)
    old = faults.inbox.get(name)
    if old and old.get("pesan") == message:
        return
    faults.inbox[name] = {"pesan": message, "sejak": when.isoformat(timespec="seconds")}
    save(home, faults)


def clear_inbox(home: Home, name: str) -> None:
    faults = load(home)
    if faults.inbox.pop(name, None) is not None:
        save(home, faults)


def set_register(home: Home, lines: list[str]) -> None:
    faults = load(home)
    if faults.register != lines:
        faults.register = list(lines)
        save(home, faults)


def hold(home: Home, name: str, case_id: str, when: datetime, identity: str = "") -> None:
    """Hold inbox entry *name* (left over from *case_id*); *identity* tells this entry from
    a later one of the same name (its inode)."""
    faults = load(home)
    faults.held[name] = {"kasus": case_id, "sejak": when.isoformat(timespec="seconds"),
                         "identitas": identity}
    save(home, faults)


def release(home: Home, name: str) -> None:
    faults = load(home)
    changed = faults.held.pop(name, None) is not None
    changed |= faults.inbox.pop(name, None) is not None
    if changed:
        save(home, faults)


def set_tte(home: Home, message: str, when: datetime) -> None:
    faults = load(home)
    if not faults.tte:
        faults.tte = {"pesan": message, "sejak": when.isoformat(timespec="seconds")}
        save(home, faults)


def clear_tte(home: Home) -> None:
    faults = load(home)
    if faults.tte:
        faults.tte = {}
        save(home, faults)
