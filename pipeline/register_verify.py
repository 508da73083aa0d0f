"""`Register.verify_chain`: the register's history checked against itself, its chain log
and each case's rows (the checks are listed in `pipeline.register`'s docstring)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Protocol

from pipeline import chainlog, chainstate
from pipeline.event_chain import event_fields as _event_fields
from pipeline.event_chain import event_hash as _event_hash

CHAIN_LOG_KEY = "chain_log"  # = register.CHAIN_LOG_KEY (not imported: register imports this)


class Register(Protocol):
    """What the check reads of a `pipeline.register.Register`."""

    db: sqlite3.Connection

    @property
    def chain_path(self) -> Path: ...

    def _meta(self, key: str) -> str | None: ...

    def log_reach(self) -> int: ...


def verify_chain(reg: Register) -> list[str]:
    """One Indonesian line per problem, naming the case and event; empty when sound."""
    problems: list[str] = []
    rows = list(reg.db.execute("SELECT * FROM events ORDER BY id"))
    by_id: dict[int, sqlite3.Row] = {}
    last_of_case: dict[str, sqlite3.Row] = {}
    prev_hash, prev_id = "", 0
    for row in rows:
        eid, cid = row["id"], row["case_id"]
        by_id[eid] = row
        last_of_case[cid] = row
        if row["prev_hash"] != prev_hash:
            after = f"#{prev_id}" if prev_id else "awal register"
            problems.append(f"Peristiwa #{eid} ({cid}) tidak bersambung dengan {after}: "
                            f"ada peristiwa yang dihapus, disisipkan atau diubah.")
        if row["hash"] != _event_hash(row["prev_hash"], _event_fields(row)):
            problems.append(f"Peristiwa #{eid} ({cid}) diubah di luar program: isinya "
                            f"tidak cocok dengan hash-nya.")
        prev_hash, prev_id = row["hash"], eid
    if reg.chain_path.exists():
        logged = {eid: (row["case_id"], row["hash"]) for eid, row in by_id.items()}
        problems += chainlog.compare(reg.chain_path, logged, reg.log_reach())
    elif reg._meta(CHAIN_LOG_KEY) is not None:
        name = reg.chain_path.name
        problems.append(f"{name} hilang: riwayat register tidak dapat dibandingkan dengan "
                        f"log rantainya. Pulihkan {name} dari cadangan.")
    states = chainstate.current_states(reg.db)
    for case in reg.db.execute("SELECT id, status, step FROM cases ORDER BY year, seq"):
        last = last_of_case.get(case["id"])
        if last is None:
            if (case["status"], case["step"]) != ("intake", 1):
                problems.append(f"Kasus {case['id']} berstatus '{case['status']}' langkah "
                                f"{case['step']} tanpa satu pun peristiwa: status diubah "
                                f"di luar program atau peristiwanya dihapus.")
        elif last["case_status"] and (last["case_status"], last["case_step"]) != (
                case["status"], case["step"]):
            problems.append(
                f"Kasus {case['id']}: status '{case['status']}' langkah {case['step']} "
                f"tidak sesuai dengan peristiwa terakhirnya #{last['id']} "
                f"('{last['case_status']}', langkah {last['case_step']}): status diubah "
                f"di luar program, atau peristiwa sesudahnya dihapus.")
        elif last["case_state"] and last["case_state"] != states[case["id"]]:
            fields = ", ".join(chainstate.differences(last["case_state"],
                                                      states[case["id"]]))
            problems.append(
                f"Kasus {case['id']}: {fields} tidak sesuai dengan peristiwa terakhirnya "
                f"#{last['id']}: diubah di luar program, atau peristiwa sesudahnya "
                f"dihapus.")
    return problems
