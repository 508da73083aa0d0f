"""The electronic register book (archive/register.sqlite3): cases, events, documents.

It is the source of truth for register numbers and history. Numbers
``KKWNA-YYYY-NNNN`` are allocated inside the transaction that records the case,
so they are unique and gap-free; the year is the office's (WITA) calendar year.
Every event row carries the hash of the one before it, so `chain_ok` can tell
whether the history was edited behind the program's back.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.errors import KkwnaError

PREFIX = "KKWNA"

SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,          -- intake | open | returned | issued | cancelled
    step INTEGER NOT NULL,         -- the SOP step the case waits on
    rounds TEXT NOT NULL DEFAULT '{}',   -- JSON {step: how many times the case entered it}
    received_at TEXT NOT NULL,     -- ISO, office time zone
    clock_start TEXT NOT NULL,     -- SOP clock start (next opening when taken outside hours)
    outside_hours INTEGER NOT NULL DEFAULT 0,
    step_since TEXT NOT NULL,      -- when the case reached its current step
    folder TEXT NOT NULL,          -- relative to the home
    source_name TEXT NOT NULL,     -- the inbox entry's name
    source_key TEXT NOT NULL,      -- fingerprint of the inbox entry (content and identity)
    source_removed INTEGER NOT NULL DEFAULT 0,
    collection_code TEXT,
    data TEXT NOT NULL DEFAULT '{}',     -- JSON: checklist, verification, family data ...
    UNIQUE (year, seq)
);
CREATE INDEX IF NOT EXISTS cases_source ON cases (source_key);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL REFERENCES cases (id),
    at TEXT NOT NULL,
    step INTEGER NOT NULL,
    action TEXT NOT NULL,          -- diterima | disetujui | dikembalikan | ...
    officer_name TEXT NOT NULL DEFAULT '',
    officer_nip TEXT NOT NULL DEFAULT '',
    round INTEGER NOT NULL DEFAULT 1,
    detail TEXT NOT NULL DEFAULT '{}',
    source_sha256 TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_case ON events (case_id);
CREATE TABLE IF NOT EXISTS documents (
    case_id TEXT NOT NULL REFERENCES cases (id),
    name TEXT NOT NULL,            -- relative to the case folder, e.g. "02 lembar checklist.pdf"
    step INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (case_id, name)
);
CREATE TABLE IF NOT EXISTS identities (   -- what the duplicate-data check compares
    case_id TEXT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,            -- paspor | kitap | nama_lahir | nik
    value TEXT NOT NULL,
    PRIMARY KEY (case_id, kind, value)
);
CREATE INDEX IF NOT EXISTS identities_value ON identities (kind, value);
"""


class RegisterError(KkwnaError):
    pass


@dataclass
class Case:
    id: str
    year: int
    seq: int
    title: str
    status: str
    step: int
    rounds: dict[int, int]
    received_at: datetime
    clock_start: datetime
    outside_hours: bool
    step_since: datetime
    folder: str
    source_name: str
    source_key: str
    source_removed: bool
    collection_code: str | None
    data: dict[str, Any]

    def round(self, step: int | None = None) -> int:
        return self.rounds.get(self.step if step is None else step, 1)


def case_id(year: int, seq: int) -> str:
    return f"{PREFIX}-{year}-{seq:04d}"


def _case(row: sqlite3.Row) -> Case:
    return Case(
        id=row["id"], year=row["year"], seq=row["seq"], title=row["title"],
        status=row["status"], step=row["step"],
        rounds={int(k): v for k, v in json.loads(row["rounds"]).items()},
        received_at=datetime.fromisoformat(row["received_at"]),
        clock_start=datetime.fromisoformat(row["clock_start"]),
        outside_hours=bool(row["outside_hours"]),
        step_since=datetime.fromisoformat(row["step_since"]),
        folder=row["folder"], source_name=row["source_name"], source_key=row["source_key"],
        source_removed=bool(row["source_removed"]), collection_code=row["collection_code"],
        data=json.loads(row["data"]),
    )


def _event_hash(prev: str, fields: tuple[Any, ...]) -> str:
    payload = json.dumps([prev, *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


class Register:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE below)
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic, durable change; BEGIN IMMEDIATE serialises writers across processes."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- cases ----------------------------------------------------------------------------

    def open_case(self, db: sqlite3.Connection, *, year: int, title: str, received_at: datetime,
                  clock_start: datetime, outside_hours: bool, folder_for: Any,
                  source_name: str, source_key: str) -> Case:
        """Allocate the next number of *year* and record the case (inside a transaction)."""
        seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM cases WHERE year = ?",
                         (year,)).fetchone()[0]
        cid = case_id(year, seq)
        db.execute(
            "INSERT INTO cases (id, year, seq, title, status, step, rounds, received_at,"
            " clock_start, outside_hours, step_since, folder, source_name, source_key)"
            " VALUES (?, ?, ?, ?, 'intake', 1, '{}', ?, ?, ?, ?, ?, ?, ?)",
            (cid, year, seq, title, received_at.isoformat(), clock_start.isoformat(),
             int(outside_hours), received_at.isoformat(), folder_for(cid), source_name,
             source_key),
        )
        return self.get(cid, db)

    def get(self, cid: str, db: sqlite3.Connection | None = None) -> Case:
        row = (db or self.db).execute("SELECT * FROM cases WHERE id = ?", (cid,)).fetchone()
        if row is None:
            raise RegisterError(f"kasus {cid} tidak ada di register")
        return _case(row)

    def find(self, cid: str) -> Case | None:
        row = self.db.execute("SELECT * FROM cases WHERE id = ?", (cid,)).fetchone()
        return _case(row) if row else None

    def cases(self, status: str | None = None) -> list[Case]:
        if status:
            rows = self.db.execute("SELECT * FROM cases WHERE status = ? ORDER BY year, seq",
                                   (status,))
        else:
            rows = self.db.execute("SELECT * FROM cases ORDER BY year, seq")
        return [_case(r) for r in rows]

    def by_source(self, source_key: str) -> Case | None:
        row = self.db.execute(
            "SELECT * FROM cases WHERE source_key = ? AND source_removed = 0"
            " ORDER BY year DESC, seq DESC LIMIT 1", (source_key,)).fetchone()
        return _case(row) if row else None

    def update(self, db: sqlite3.Connection, case: Case, **changes: Any) -> None:
        for key, value in changes.items():
            setattr(case, key, value)
        db.execute(
            "UPDATE cases SET title=?, status=?, step=?, rounds=?, step_since=?, folder=?,"
            " source_removed=?, collection_code=?, data=? WHERE id=?",
            (case.title, case.status, case.step, json.dumps(case.rounds), case.step_since
             .isoformat(), case.folder, int(case.source_removed), case.collection_code,
             json.dumps(case.data, ensure_ascii=False), case.id))

    def mark_source_removed(self, cid: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE cases SET source_removed = 1 WHERE id = ?", (cid,))

    # --- events and documents ---------------------------------------------------------------

    def add_event(self, db: sqlite3.Connection, cid: str, *, at: datetime, step: int,
                  action: str, officer_name: str = "", officer_nip: str = "", round_no: int = 1,
                  detail: dict[str, Any] | None = None, source_sha256: str = "") -> None:
        last = db.execute("SELECT hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        prev = last[0] if last else ""
        detail_json = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
        fields = (cid, at.isoformat(), step, action, officer_name, officer_nip, round_no,
                  detail_json, source_sha256)
        db.execute(
            "INSERT INTO events (case_id, at, step, action, officer_name, officer_nip, round,"
            " detail, source_sha256, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (*fields, prev, _event_hash(prev, fields)))

    def events(self, cid: str) -> list[sqlite3.Row]:
        return list(self.db.execute("SELECT * FROM events WHERE case_id = ? ORDER BY id",
                                    (cid,)))

    def has_event_from(self, cid: str, step: int, source_sha256: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM events WHERE case_id=? AND step=? AND source_sha256=?",
            (cid, step, source_sha256)).fetchone() is not None

    def chain_ok(self) -> tuple[bool, str]:
        prev = ""
        for row in self.db.execute("SELECT * FROM events ORDER BY id"):
            fields = (row["case_id"], row["at"], row["step"], row["action"],
                      row["officer_name"], row["officer_nip"], row["round"], row["detail"],
                      row["source_sha256"])
            if row["prev_hash"] != prev or row["hash"] != _event_hash(prev, fields):
                return False, f"event {row['id']} ({row['case_id']}) does not match its hash"
            prev = row["hash"]
        return True, "ok"

    def add_document(self, db: sqlite3.Connection, cid: str, *, name: str, step: int,
                     sha256: str, size: int, at: datetime) -> None:
        db.execute(
            "INSERT INTO documents (case_id, name, step, sha256, size, at) VALUES (?,?,?,?,?,?)"
            " ON CONFLICT (case_id, name) DO UPDATE SET step=excluded.step,"
            " sha256=excluded.sha256, size=excluded.size, at=excluded.at",
            (cid, name, step, sha256, size, at.isoformat()))

    def documents(self, cid: str) -> list[sqlite3.Row]:
        return list(self.db.execute("SELECT * FROM documents WHERE case_id = ? ORDER BY name",
                                    (cid,)))

    # --- duplicate-data check -----------------------------------------------------------------

    def set_identities(self, db: sqlite3.Connection, cid: str,
                       pairs: list[tuple[str, str]]) -> None:
        kinds = {k for k, _ in pairs}
        for kind in kinds:
            db.execute("DELETE FROM identities WHERE case_id=? AND kind=?", (cid, kind))
        db.executemany("INSERT OR IGNORE INTO identities VALUES (?, ?, ?)",
                       [(cid, k, v) for k, v in pairs if v])

    def same_identity(self, cid: str, kind: str, value: str) -> list[Case]:
        rows = self.db.execute(
            "SELECT c.* FROM identities i JOIN cases c ON c.id = i.case_id"
            " WHERE i.kind = ? AND i.value = ? AND i.case_id != ?"
            " AND c.status != 'cancelled' ORDER BY c.year, c.seq", (kind, value, cid))
        return [_case(r) for r in rows]
