"""Records management: each filed case's classification and retention (JRA) as recorded at
filing, and the cases whose retention has ended (`kkwna archive due`).

The classification in force when a case is filed goes into the detail of its filing
event ("diarsipkan", which the chain commits to) and into its provenance.json; a later
change of kkwna.toml changes only the cases filed after it. A retention ends `aktif +
inaktif` years after the filing date; kkwna lists such cases with their final disposition
for the archivist's decision and never deletes anything.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from pipeline.archive.sums import FILED_STATUSES
from pipeline.domain.actions import Action
from pipeline.office.config import Config
from pipeline.office.config_archive import RecordsClass
from pipeline.store.register import Register

KEY = "klasifikasi"


def from_event(e: sqlite3.Row) -> RecordsClass | None:
    """The classification a filing event recorded (None for one filed before it was)."""
    detail = json.loads(e["detail"] or "{}")
    raw = detail.get(KEY)
    try:
        return RecordsClass.from_detail(raw) if isinstance(raw, dict) else None
    except (KeyError, TypeError, ValueError):
        return None


def filing_event(events: Iterable[sqlite3.Row]) -> sqlite3.Row | None:
    """The case's (last) filing event among *events*."""
    found = None
    for e in events:
        if e["action"] == Action.FILED:
            found = e
    return found


def add_years(day: date, years: int) -> date:
    """*day* plus whole *years* (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def short(rec: RecordsClass) -> str:
    """For a table cell: "470/KK-WNA (5+5 th, dinilai kembali)"."""
    return f"{rec.kode} ({rec.aktif}+{rec.inaktif} th, {rec.nasib_akhir})"


@dataclass(frozen=True)
class Ended:
    """A filed case whose retention has ended."""
    case_id: str
    filed: date
    ends: date
    records: RecordsClass
    recorded: bool  # False: filed before kkwna recorded it; today's kkwna.toml is assumed


def classes(reg: Register, case_ids: Iterable[str]) -> list[RecordsClass]:
    """The distinct classifications recorded for these cases, in first-seen order."""
    out: list[RecordsClass] = []
    for cid in case_ids:
        e = filing_event(reg.events(cid))
        rec = from_event(e) if e is not None else None
        if rec is not None and rec not in out:
            out.append(rec)
    return out


def retention_ended(cfg: Config, reg: Register, today: date) -> list[Ended]:
    """The filed cases whose retention ended on or before *today*, oldest end first."""
    out = []
    rows = reg.db.execute(
        "SELECT e.* FROM events e JOIN cases c ON c.id = e.case_id"
        " WHERE e.action = ? AND c.status IN (?, ?) ORDER BY e.id",
        (Action.FILED, *FILED_STATUSES)).fetchall()
    last: dict[str, sqlite3.Row] = {}
    for e in rows:
        last[e["case_id"]] = e
    for cid, e in last.items():
        rec = from_event(e)
        recorded = rec is not None
        rec = rec or cfg.records_class()
        filed = datetime.fromisoformat(e["at"]).astimezone(cfg.tz).date()
        ends = add_years(filed, rec.years)
        if ends <= today:
            out.append(Ended(cid, filed, ends, rec, recorded))
    return sorted(out, key=lambda x: (x.ends, x.case_id))
