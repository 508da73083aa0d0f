"""The register's tables, and bringing a register kept by an older kkwna up to them.

Apart from `register` so that module keeps to the cases, events and chain: an older
register gains the columns added since (events' committed state, `cases.service`,
`cases.replaces`) when it is opened, and no event is rewritten by it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager

from pipeline import services
from pipeline.domain.errors import KkwnaError


class RegisterError(KkwnaError):
    """Defined here so the upgrade can raise it; `pipeline.store.register` exports it."""


# The cases table, by name: an older register's is rebuilt under a new name (`_rebuild`).
CASES = """
CREATE TABLE IF NOT EXISTS <name> (
    id TEXT PRIMARY KEY,
    service TEXT NOT NULL DEFAULT 'kk-wna',   -- pipeline.services code; numbers are its own
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
    replaces TEXT,                 -- the case whose KK this one changes (Register.set_replaces)
    UNIQUE (service, year, seq)
);
"""
CASE_INDEXES = """
CREATE INDEX IF NOT EXISTS cases_source ON cases (source_key);
CREATE INDEX IF NOT EXISTS cases_status ON cases (status, step);    -- kkwna status
CREATE INDEX IF NOT EXISTS cases_received ON cases (received_at);   -- the monthly report
CREATE INDEX IF NOT EXISTS cases_code ON cases (collection_code);   -- kkwna collect
"""
# Indexes added after registers were first kept, made by `upgrade` (in a transaction, and
# after the columns they need): the KK a change replaces, and an issued card by its No. KK
# (the change service's verification finds the card it changes by it; data entry stores
# the family data normalised, so the JSON holds the number as the card prints it).
LATER_INDEXES = {
    "cases_replaces": "CREATE INDEX IF NOT EXISTS cases_replaces ON cases (replaces)",
    "cases_no_kk": "CREATE INDEX IF NOT EXISTS cases_no_kk"
                   " ON cases (json_extract(data, '$.keluarga.no_kk'))",
}
SCHEMA = CASES.replace("<name>", "cases") + CASE_INDEXES + """
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
    hash TEXT NOT NULL,
    case_status TEXT NOT NULL DEFAULT '',   -- the case's status after this event ('' : older)
    case_step INTEGER NOT NULL DEFAULT 0,   -- and its step
    case_state TEXT NOT NULL DEFAULT ''     -- and the rest it commits to (chainstate; '': older)
);
CREATE INDEX IF NOT EXISTS events_case ON events (case_id);
CREATE INDEX IF NOT EXISTS events_at ON events (at);                -- the monthly report
CREATE TABLE IF NOT EXISTS documents (
    case_id TEXT NOT NULL REFERENCES cases (id),
    name TEXT NOT NULL,            -- relative to the case folder: "NN <document>.pdf" (sop)
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
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Columns added after registers were first kept; an older database gains them on opening.
# (`cases.service` too, but by a rebuild: its numbers' uniqueness changes with it.)
EVENT_COLUMNS = {
    "case_status": "TEXT NOT NULL DEFAULT ''",
    "case_step": "INTEGER NOT NULL DEFAULT 0",
    "case_state": "TEXT NOT NULL DEFAULT ''",
}
CASE_COLUMNS = {"replaces": "TEXT"}  # NULL in every older case: it changes no KK

Transaction = Callable[[], AbstractContextManager[sqlite3.Connection]]


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def upgrade(db: sqlite3.Connection, transaction: Transaction) -> None:
    """Give a register opened on *db* every column and index of SCHEMA it lacks; each change
    in a *transaction* of the register's (re-checked inside: another process may have
    upgraded it meanwhile). A register that has them all is not written to."""
    def add_columns(table: str, columns: dict[str, str]) -> None:
        if not set(columns) <= _columns(db, table):
            with transaction() as tx:
                have = _columns(tx, table)
                for name, kind in columns.items():
                    if name not in have:
                        tx.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    add_columns("events", EVENT_COLUMNS)
    if "service" not in _columns(db, "cases"):
        _rebuild(db, transaction)  # the new table has every column of CASES
    add_columns("cases", CASE_COLUMNS)
    have = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    if not set(LATER_INDEXES) <= have:
        with transaction() as tx:
            for statement in LATER_INDEXES.values():
                tx.execute(statement)


def _rebuild(db: sqlite3.Connection, transaction: Transaction) -> None:
    """A register kept before services: every case is KK WNA's, and numbers become
    unique per service and year. SQLite cannot change a table's UNIQUE constraint, so
    the table is rebuilt (in one transaction; the foreign keys pointing at it are
    switched off meanwhile, as SQLite's own procedure has it). No event changes: a KK
    WNA case's committed state has no service in it (`chainstate.state`)."""
    db.execute("PRAGMA foreign_keys=OFF")  # not inside a transaction: a no-op there
    try:
        with transaction() as tx:
            old = [row[1] for row in tx.execute("PRAGMA table_info(cases)")]
            if "service" in old:
                return  # another process upgraded it just now
            columns = ", ".join(old)
            tx.execute(CASES.replace("<name>", "cases_upgraded"))
            tx.execute(f"INSERT INTO cases_upgraded ({columns}, service)"
                       f" SELECT {columns}, ? FROM cases", (services.DEFAULT,))
            tx.execute("DROP TABLE cases")
            tx.execute("ALTER TABLE cases_upgraded RENAME TO cases")
            for index in CASE_INDEXES.strip().splitlines():
                tx.execute(index.split("--")[0])
            if tx.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise RegisterError("register rusak: peristiwa tanpa kasus")
    finally:
        db.execute("PRAGMA foreign_keys=ON")
