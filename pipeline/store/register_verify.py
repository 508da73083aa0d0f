"""`Register.verify_chain`: the register's history checked against itself, its chain log
and each case's rows (the checks are listed in `pipeline.store.register`'s docstring)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Protocol

from pipeline.store import chainlog, chainstate
from pipeline.store.event_chain import HASHED, hashed_fields
from pipeline.store.event_chain import event_hash as _event_hash

CHAIN_LOG_KEY = "chain_log"  # = register.CHAIN_LOG_KEY (not imported: register imports this)


class Register(Protocol):
    """What the check reads of a `pipeline.store.register.Register`."""

    db: sqlite3.Connection

    @property
    def chain_path(self) -> Path: ...

    def _meta(self, key: str) -> str | None: ...

    def log_reach(self) -> int: ...


def verify_chain(reg: Register) -> list[str]:
    """One Indonesian line per problem, naming the case and event; empty when sound.

    Rows are read as plain tuples (by position: sqlite3.Row's lookups by name were a
    third of the loop), the events' hashed columns in `HASHED` order."""
    problems: list[str] = []
    events = reg.db.cursor()
    events.row_factory = None
    events.execute(f"SELECT id, prev_hash, hash, {', '.join(HASHED)} FROM events ORDER BY id")
    logged: dict[int, tuple[str, str]] = {}
    # case id -> its last event: (id, case_status, case_step, case_state)
    last_of_case: dict[str, tuple[int, str, int, str]] = {}
    prev_hash, prev_id = "", 0
    for row in events:
        eid, prev, digest, cid = row[0], row[1], row[2], row[3]
        logged[eid] = (cid, digest)
        last_of_case[cid] = (eid, row[12], row[13], row[14])
        if prev != prev_hash:
            after = f"#{prev_id}" if prev_id else "awal register"
            problems.append(f"Peristiwa #{eid} ({cid}) tidak bersambung dengan {after}: "
                            f"ada peristiwa yang dihapus, disisipkan atau diubah.")
        if digest != _event_hash(prev, hashed_fields(row[3:])):
            problems.append(f"Peristiwa #{eid} ({cid}) diubah di luar program: isinya "
                            f"tidak cocok dengan hash-nya.")
        prev_hash, prev_id = digest, eid
    if reg.chain_path.exists():
        problems += chainlog.compare(reg.chain_path, logged, reg.log_reach())
    elif reg._meta(CHAIN_LOG_KEY) is not None:
        name = reg.chain_path.name
        problems.append(f"{name} hilang: riwayat register tidak dapat dibandingkan dengan "
                        f"log rantainya. Pulihkan {name} dari cadangan.")
    states = chainstate.current_states(reg.db)
    cases = reg.db.cursor()
    cases.row_factory = None
    for cid, status, step in cases.execute("SELECT id, status, step FROM cases"
                                           " ORDER BY year, seq"):
        last = last_of_case.get(cid)
        if last is None:
            if (status, step) != ("intake", 1):
                problems.append(f"Kasus {cid} berstatus '{status}' langkah {step} tanpa satu "
                                f"pun peristiwa: status diubah di luar program atau "
                                f"peristiwanya dihapus.")
            continue
        last_id, last_status, last_step, last_state = last
        if last_status and (last_status, last_step) != (status, step):
            problems.append(
                f"Kasus {cid}: status '{status}' langkah {step} tidak sesuai dengan "
                f"peristiwa terakhirnya #{last_id} ('{last_status}', langkah {last_step}): "
                f"status diubah di luar program, atau peristiwa sesudahnya dihapus.")
        elif last_state and last_state != states[cid]:
            fields = ", ".join(chainstate.differences(last_state, states[cid]))
            problems.append(
                f"Kasus {cid}: {fields} tidak sesuai dengan peristiwa terakhirnya "
                f"#{last_id}: diubah di luar program, atau peristiwa sesudahnya dihapus.")
    return problems
