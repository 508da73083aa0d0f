"""What the watcher could not do, kept where `kkwna status` can show it (.kkwna/faults.json).

Three kinds of record, each an Indonesian line a clerk can act on:

- ``inbox``: an inbox entry waiting because of a fault of the machine (a full disk, a
  folder it may not read), not of the application; removed once the entry is taken;
- ``register``: the register is behind the case folders, or its event chain has problems
  (written at watcher start and when intake refuses to give a number);
- ``held``: what is left of an inbox folder after its case was opened (a scan added while
  the bundle was being made, files intake skips). Such a folder is never taken again
  while it is held; the clerk decides what to do with it (the note beside it says so);
- ``waiting``: other work waiting for the machine (a desk form, `kkwna sign` or `kkwna
  collect` of a case met a full disk), keyed by what waits; removed once it succeeds;
- ``email``: a case whose signed KK could not be e-mailed yet, with the last reason; the
  watcher retries it, and removes the record once the e-mail is sent;
- ``tte``: the TTE service could not be reached when the head of office approved
  (`kkwna sign` with `[tte] backend = "bsre"`); cleared by the next signature it makes.

Recording a machine fault must not add a fault of its own: on a disk too full for this
file the record is skipped (logged), and `kkwna status` checks the disk itself.

The file is small, rewritten whole (atomically) on each change, and read leniently: a
damaged or missing file reads as "nothing known".
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.office.fsutil import atomic_write_text, read_untrusted
from pipeline.office.home import Home

log = logging.getLogger(__name__)

FILENAME = "faults.json"
MAX_BYTES = 4 << 20


def _inbox_path(key: str) -> str:
    """An inbox entry's key as the clerk finds it: "inbox/<name>" (KK WNA's inbox), or
    "<inbox>/<name>" as another service's inbox keys it (`intake_held.entry_key`)."""
    return key if "/" in key else f"inbox/{key}"


@dataclass
class Faults:
    inbox: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> {pesan, sejak}
    register: list[str] = field(default_factory=list)
    held: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> {kasus, sejak}
    waiting: dict[str, dict[str, str]] = field(default_factory=dict)  # what -> {pesan, sejak}
    email: dict[str, dict[str, str]] = field(default_factory=dict)  # case -> {pesan, sejak}
    tte: dict[str, str] = field(default_factory=dict)  # {pesan, sejak} or empty

    def as_json(self) -> dict[str, Any]:
        return {"inbox": self.inbox, "register": self.register, "held": self.held,
                "waiting": self.waiting, "email": self.email, "tte": self.tte}

    def lines(self) -> list[str]:
        """Everything a clerk should know, one Indonesian line each."""
        out = [f"register: {line}" for line in self.register]
        out += [f"{_inbox_path(name)}: {item['pesan']} (sejak {item['sejak']})"
                for name, item in sorted(self.inbox.items())]
        out += [f"{_inbox_path(name)}: sisa berkas setelah kasus {item['kasus']} dibuka; tidak "
                f"diterima otomatis (lihat catatan di sebelahnya)"
                for name, item in sorted(self.held.items())]
        out += [f"{item['pesan']} (sejak {item['sejak']})"  # the line names what waits
                for _what, item in sorted(self.waiting.items())]
        out += [f"{item['pesan']} (sejak {item['sejak']})"
                for _case, item in sorted(self.email.items())]
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
                  held=dict(raw.get("held") or {}), waiting=dict(raw.get("waiting") or {}),
                  email=dict(raw.get("email") or {}), tte=dict(raw.get("tte") or {}))


def save(home: Home, faults: Faults) -> None:
    home.state.mkdir(parents=True, exist_ok=True)
    atomic_write_text(home.state / FILENAME,
                      json.dumps(faults.as_json(), ensure_ascii=False, indent=1) + "\n")


def _save_quietly(home: Home, faults: Faults) -> None:
    """Save a fault record; a disk too full even for this file only loses the record."""
    try:
        save(home, faults)
    except OSError as exc:
        log.warning("catatan gangguan tidak dapat disimpan (%s)", exc)


def _set(home: Home, section: str, key: str, message: str, when: datetime) -> None:
    faults = load(home)
    records: dict[str, dict[str, str]] = getattr(faults, section)
    old = records.get(key)
    if old and old.get("pesan") == message:
        return
    records[key] = {"pesan": message, "sejak": when.isoformat(timespec="seconds")}
    _save_quietly(home, faults)


def _clear(home: Home, section: str, key: str) -> None:
    faults = load(home)
    if getattr(faults, section).pop(key, None) is not None:
        _save_quietly(home, faults)


def set_inbox(home: Home, name: str, message: str, when: datetime) -> None:
    _set(home, "inbox", name, message, when)


def clear_inbox(home: Home, name: str) -> None:
    _clear(home, "inbox", name)


def set_waiting(home: Home, what: str, message: str, when: datetime) -> None:
    """*what* (a desk form, a command on a case) waits for the machine: *message* says why."""
    _set(home, "waiting", what, message, when)


def clear_waiting(home: Home, what: str) -> None:
    _clear(home, "waiting", what)


def set_email(home: Home, case_id: str, message: str, when: datetime) -> None:
    """The KK of *case_id* is not e-mailed yet: *message* is the last reason."""
    _set(home, "email", case_id, message, when)


def clear_email(home: Home, case_id: str) -> None:
    _clear(home, "email", case_id)


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
