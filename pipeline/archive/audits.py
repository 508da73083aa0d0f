"""The history of the archive's fixity audits: every `kkwna archive verify` is recorded
in the register's event chain, so an archivist (or an auditor from ANRI) can see when the
archive was last checked whole, and a rewritten audit history is found like any other
edited event.

An audit belongs to no case: its event is recorded under the fixed marker ``ARSIP`` as
case id. The events table's foreign key to the cases table is relaxed for that one insert
(SQLite checks foreign keys per connection; the pragma cannot change inside a transaction,
so it is set just around it); `verify_chain` already checks every event's hash and its
place in the chain log whatever its case, and compares states only for real cases.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from pipeline.archive.sums import FILED_STATUSES
from pipeline.domain.actions import Action
from pipeline.store.register import Register

NO_STEP = 0  # an audit is no SOP step
AUDIT_CASE = "ARSIP"
AUDIT_ACTION = Action.AUDITED
FULL = "penuh"
WARN_DAYS = 30
KEPT_PROBLEMS = 20  # the first ones are kept in the event; the count says how many in all


@dataclass(frozen=True)
class Audit:
    at: datetime
    scope: str
    ok: bool
    problems: int


def record(reg: Register, at: datetime, scope: str, cases: list[str],
           problems: list[str]) -> None:
    """Record one audit (scope "penuh", "tahun 2026" or "sampel 5") as a chain event."""
    detail = {"lingkup": scope, "hasil": "bermasalah" if problems else "utuh",
              "kasus_diperiksa": len(cases), "jumlah_masalah": len(problems),
              "masalah": problems[:KEPT_PROBLEMS]}
    if scope.startswith("sampel"):
        detail["kasus"] = cases  # which cases the sample drew
    reg.db.execute("PRAGMA foreign_keys=OFF")  # ARSIP is no case (see the module notes)
    try:
        with reg.transaction() as db:
            reg.add_event(db, AUDIT_CASE, at=at, step=NO_STEP, action=AUDIT_ACTION,
                          detail=detail)
    finally:
        reg.db.execute("PRAGMA foreign_keys=ON")


def history(reg: Register) -> list[Audit]:
    """Every recorded audit, oldest first."""
    out = []
    for e in reg.events(AUDIT_CASE):
        detail = json.loads(e["detail"])
        out.append(Audit(datetime.fromisoformat(e["at"]), str(detail.get("lingkup", "")),
                         detail.get("hasil") == "utuh", int(detail.get("jumlah_masalah", 0))))
    return out


def last_full_audit(reg: Register) -> Audit | None:
    full = [a for a in history(reg) if a.scope == FULL]
    return full[-1] if full else None


def filed_cases(reg: Register, year: int | None = None) -> list[str]:
    """The ids of the archived cases (of *year*), in the register's order: two columns
    read, not every case parsed whole (`archive verify` asks it of a year of thousands)."""
    marks = ",".join("?" * len(FILED_STATUSES))
    rows = reg.db.execute(f"SELECT id, year, folder FROM cases"  # noqa: S608
                          f" WHERE status IN ({marks}) ORDER BY year, seq, service",
                          FILED_STATUSES)
    return [cid for cid, case_year, folder in rows
            if folder.startswith("archive/") and (year is None or case_year == year)]


def _any_filed(reg: Register) -> bool:
    """Whether any case is filed: one indexed row, not every case of the register (`kkwna
    status` asks it of an office that has never audited its archive)."""
    marks = ",".join("?" * len(FILED_STATUSES))
    return reg.db.execute(f"SELECT 1 FROM cases WHERE status IN ({marks})"  # noqa: S608
                          " AND folder LIKE 'archive/%' LIMIT 1",
                          FILED_STATUSES).fetchone() is not None


def sample(reg: Register, n: int, rng: random.Random | None = None) -> list[str]:
    """*n* filed cases drawn at random (all of them when there are fewer)."""
    cases = filed_cases(reg)
    return sorted((rng or random.SystemRandom()).sample(cases, min(n, len(cases))))


def status_lines(reg: Register, now: datetime) -> list[str]:
    """What `kkwna status` says about the audits: the last full one, and a warning when
    it is older than WARN_DAYS (or there was none while cases are filed)."""
    last = last_full_audit(reg)
    if last is None:
        if not _any_filed(reg):
            return []
        return ["PERHATIAN: arsip belum pernah diaudit penuh; jalankan `kkwna archive verify`"]
    local = last.at.astimezone(now.tzinfo)
    result = "utuh" if last.ok else f"{last.problems} masalah"
    lines = [f"Audit arsip penuh terakhir: {local:%d-%m-%Y} ({result})"]
    age = (now - last.at) // timedelta(days=1)
    if age > WARN_DAYS:
        lines.append(f"PERHATIAN: audit arsip penuh terakhir {age} hari lalu; jalankan "
                     f"`kkwna archive verify` (paling lama tiap {WARN_DAYS} hari)")
    return lines

