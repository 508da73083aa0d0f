"""The electronic register book (archive/register.sqlite3): cases, events, documents.

It is the source of truth for register numbers and history. Numbers
``KKWNA-YYYY-NNNN`` are allocated inside the transaction that records the case,
so they are unique and gap-free; the year is the office's (WITA) calendar year.

Tamper evidence. Every event row carries the hash of the one before it and the status
and step its case was left in, and every commit appends the new events to the chain log
beside the database (`chainlog`, archive/register.chain). `verify_chain` then reports,
naming the case and event: an edited event (its hash), a removed or inserted one (the
next event's link), a deleted tail or a rewritten history (the log), and a case whose
status or step was changed by hand (its last event). A crash between the commit and the
append leaves the newest events not yet in the log: that is not reported (nothing is
missing from the register), and the next commit appends them.

`check_against_disk` compares the highest numbers with the case folders on disk, so a
register restored from an old copy (or deleted and recreated) is caught before it
gives a number twice.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline import chainlog, chainstate, services
from pipeline.errors import KkwnaError
from pipeline.event_chain import event_fields as _event_fields
from pipeline.event_chain import event_hash as _event_hash
from pipeline.fsutil import atomic_copy, create_temp, fsync_dir, unique_path
from pipeline.register_disk import PREFIX, numbers_on_disk

log = logging.getLogger(__name__)


# The cases table, by name: an older register's is rebuilt under a new name (`_migrate`).
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
    UNIQUE (service, year, seq)
);
"""
CASE_INDEXES = """
CREATE INDEX IF NOT EXISTS cases_source ON cases (source_key);
CREATE INDEX IF NOT EXISTS cases_status ON cases (status, step);    -- kkwna status
CREATE INDEX IF NOT EXISTS cases_received ON cases (received_at);   -- the monthly report
CREATE INDEX IF NOT EXISTS cases_code ON cases (collection_code);   -- kkwna collect
"""
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
CHAIN_LOG_KEY = "chain_log"  # in meta once the chain log exists: its loss is then noticed
# in meta: the highest event id the chain log was seen to hold after an append, so a log
# cut short or emptied is noticed (written after the append: a crash leaves it behind)
REACH_KEY = "chain_log_reach"
CHECKPOINT_KEY = "chain_checkpoint"  # in meta: "<event id> <head>" of the last checkpoint


class RegisterError(KkwnaError):
    pass


class RegisterBehind(RegisterError):
    """The case folders on disk carry numbers the register does not know: it was restored
    from an old copy or recreated. str() is one Indonesian line saying what to do."""


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
    service: str = services.DEFAULT  # its `pipeline.services` code

    def round(self, step: int | None = None) -> int:
        return self.rounds.get(self.step if step is None else step, 1)


def case_id(year: int, seq: int, prefix: str = PREFIX) -> str:
    return f"{prefix}-{year}-{seq:04d}"


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
        data=json.loads(row["data"]), service=row["service"],
    )


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
        self._tx_events: list[int] = []  # events added in the open transaction
        self._tx_cases: set[str] = set()  # cases changed in it
        self._migrate()
        if self._meta(CHAIN_LOG_KEY) is None:
            self._start_chain_log()

    @property
    def chain_path(self) -> Path:
        """The chain log beside the database (archive/register.chain)."""
        return chain_path_for(self.path)

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        have = {row["name"] for row in self.db.execute("PRAGMA table_info(events)")}
        if not set(EVENT_COLUMNS) <= have:
            with self.transaction() as db:
                have = {row["name"] for row in db.execute("PRAGMA table_info(events)")}
                for name, kind in EVENT_COLUMNS.items():
                    if name not in have:
                        db.execute(f"ALTER TABLE events ADD COLUMN {name} {kind}")
        if "service" not in self._case_columns(self.db):
            self._add_service_column()

    @staticmethod
    def _case_columns(db: sqlite3.Connection) -> list[str]:
        return [row["name"] for row in db.execute("PRAGMA table_info(cases)")]

    def _add_service_column(self) -> None:
        """A register kept before services: every case is KK WNA's, and numbers become
        unique per service and year. SQLite cannot change a table's UNIQUE constraint, so
        the table is rebuilt (in one transaction; the foreign keys pointing at it are
        switched off meanwhile, as SQLite's own procedure has it). No event changes: a KK
        WNA case's committed state has no service in it (`chainstate.state`)."""
        self.db.execute("PRAGMA foreign_keys=OFF")  # not inside a transaction: a no-op there
        try:
            with self.transaction() as db:
                old = self._case_columns(db)
                if "service" in old:
                    return  # another process upgraded it just now
                columns = ", ".join(old)
                db.execute(CASES.replace("<name>", "cases_upgraded"))
                db.execute(f"INSERT INTO cases_upgraded ({columns}, service)"
                           f" SELECT {columns}, ? FROM cases", (services.DEFAULT,))
                db.execute("DROP TABLE cases")
                db.execute("ALTER TABLE cases_upgraded RENAME TO cases")
                for index in CASE_INDEXES.strip().splitlines():
                    db.execute(index.split("--")[0])
                if db.execute("PRAGMA foreign_key_check").fetchone() is not None:
                    raise RegisterError("register rusak: peristiwa tanpa kasus")
        finally:
            self.db.execute("PRAGMA foreign_keys=ON")

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic, durable change; BEGIN IMMEDIATE serialises writers across processes.

        Before the commit each event added is sealed with the state its case is left in;
        after it the new events are appended to the chain log.
        """
        self.db.execute("BEGIN IMMEDIATE")
        self._tx_events, self._tx_cases = [], set()
        try:
            yield self.db
            self._seal(self.db)
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
        if self._tx_events:
            self._anchor()

    # --- cases ----------------------------------------------------------------------------

    def open_case(self, db: sqlite3.Connection, *, year: int, title: str, received_at: datetime,
                  clock_start: datetime, outside_hours: bool, folder_for: Any,
                  source_name: str, source_key: str,
                  service: str = services.DEFAULT) -> Case:
        """Allocate the next number of *service* in *year* and record the case (inside a
        transaction): ids are ``<the service's prefix>-YYYY-NNNN``."""
        prefix = services.get(service).prefix  # an unknown service gets no number
        seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM cases"
                         " WHERE service = ? AND year = ?", (service, year)).fetchone()[0]
        cid = case_id(year, seq, prefix)
        db.execute(
            "INSERT INTO cases (id, service, year, seq, title, status, step, rounds,"
            " received_at, clock_start, outside_hours, step_since, folder, source_name,"
            " source_key) VALUES (?, ?, ?, ?, ?, 'intake', 1, '{}', ?, ?, ?, ?, ?, ?, ?)",
            (cid, service, year, seq, title, received_at.isoformat(), clock_start.isoformat(),
             int(outside_hours), received_at.isoformat(), folder_for(cid), source_name,
             source_key),
        )
        self._tx_cases.add(cid)
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
            rows = self.db.execute("SELECT * FROM cases WHERE status = ?"
                                   " ORDER BY year, seq, service", (status,))
        else:
            rows = self.db.execute("SELECT * FROM cases ORDER BY year, seq, service")
        return [_case(r) for r in rows]

    def by_source(self, source_key: str) -> Case | None:
        """The case an inbox entry already became (its entry not yet removed). A cancelled
        case never counts: the same files dropped again are a new application."""
        row = self.db.execute(
            "SELECT * FROM cases WHERE source_key = ? AND source_removed = 0"
            " AND status != 'cancelled' ORDER BY year DESC, seq DESC LIMIT 1",
            (source_key,)).fetchone()
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
        self._tx_cases.add(case.id)

    def mark_source_removed(self, cid: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE cases SET source_removed = 1 WHERE id = ?", (cid,))

    # --- events and documents ---------------------------------------------------------------

    def add_event(self, db: sqlite3.Connection, cid: str, *, at: datetime, step: int,
                  action: str, officer_name: str = "", officer_nip: str = "", round_no: int = 1,
                  detail: dict[str, Any] | None = None, source_sha256: str = "") -> None:
        """Record an event of case *cid* (inside a transaction). The case's status and step
        are sealed into it at the commit, so `update` may come before or after."""
        last = db.execute("SELECT hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        prev = last[0] if last else ""
        row = db.execute("SELECT status, step FROM cases WHERE id = ?", (cid,)).fetchone()
        status, case_step = (row[0], row[1]) if row else ("", 0)
        state = chainstate.current_state(db, cid) if row else ""
        detail_json = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
        fields = (cid, at.isoformat(), step, action, officer_name, officer_nip, round_no,
                  detail_json, source_sha256)
        hashed = (*fields, status, case_step, state) if status else fields
        cursor = db.execute(
            "INSERT INTO events (case_id, at, step, action, officer_name, officer_nip, round,"
            " detail, source_sha256, prev_hash, hash, case_status, case_step, case_state)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (*fields, prev, _event_hash(prev, hashed), status, case_step,
             state if status else ""))
        if cursor.lastrowid is not None:
            self._tx_events.append(cursor.lastrowid)
        self._tx_cases.add(cid)

    def events(self, cid: str) -> list[sqlite3.Row]:
        return list(self.db.execute("SELECT * FROM events WHERE case_id = ? ORDER BY id",
                                    (cid,)))

    def has_event_from(self, cid: str, step: int, source_sha256: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM events WHERE case_id=? AND step=? AND source_sha256=?",
            (cid, step, source_sha256)).fetchone() is not None

    def chain_ok(self) -> tuple[bool, str]:
        """(True, "ok") or (False, the first problem `verify_chain` finds)."""
        problems = self.verify_chain()
        return (not problems, problems[0] if problems else "ok")

    def add_document(self, db: sqlite3.Connection, cid: str, *, name: str, step: int,
                     sha256: str, size: int, at: datetime) -> None:
        db.execute(
            "INSERT INTO documents (case_id, name, step, sha256, size, at) VALUES (?,?,?,?,?,?)"
            " ON CONFLICT (case_id, name) DO UPDATE SET step=excluded.step,"
            " sha256=excluded.sha256, size=excluded.size, at=excluded.at",
            (cid, name, step, sha256, size, at.isoformat()))
        self._tx_cases.add(cid)  # the checksums are sealed into the case's last event

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
        self._tx_cases.add(cid)

    def by_collection_code(self, code: str) -> Case | None:
        row = self.db.execute("SELECT * FROM cases WHERE collection_code = ?",
                              (code,)).fetchone()
        return _case(row) if row else None

    def same_identity(self, cid: str, kind: str, value: str) -> list[Case]:
        rows = self.db.execute(
            "SELECT c.* FROM identities i JOIN cases c ON c.id = i.case_id"
            " WHERE i.kind = ? AND i.value = ? AND i.case_id != ?"
            " AND c.status != 'cancelled' ORDER BY c.year, c.seq", (kind, value, cid))
        return [_case(r) for r in rows]

    # --- the event chain ----------------------------------------------------------------------

    def _seal(self, db: sqlite3.Connection) -> None:
        """Leave every case changed in this transaction agreeing with its last event.

        The last event added to a case in this transaction takes the state the case is
        left in (status, step and `chainstate`; the transaction's events are re-hashed);
        a committed field changed with no event at all is refused, since it could not be
        told from a hand edit.
        """
        first = min(self._tx_events, default=None)
        restamped = False
        for cid in sorted(self._tx_cases):
            case = db.execute("SELECT status, step FROM cases WHERE id = ?", (cid,)).fetchone()
            if case is None:
                continue
            last = db.execute("SELECT id, case_status, case_step, case_state FROM events"
                              " WHERE case_id = ? ORDER BY id DESC LIMIT 1", (cid,)).fetchone()
            status = (case["status"], case["step"])
            committed = chainstate.current_state(db, cid)
            if last is None:
                if status != ("intake", 1):
                    raise RegisterError(f"{cid}: status {status} set without an event")
            elif ((last["case_status"], last["case_step"]) == status
                  and last["case_state"] == committed):
                continue
            elif first is not None and last["id"] >= first:
                db.execute("UPDATE events SET case_status = ?, case_step = ?, case_state = ?"
                           " WHERE id = ?", (*status, committed, last["id"]))
                restamped = True
            elif last["case_status"] and (last["case_status"], last["case_step"]) != status:
                raise RegisterError(f"{cid}: status {status} set without an event")
            elif last["case_state"]:  # an older event without a state cannot disagree
                changed = ", ".join(chainstate.differences(last["case_state"], committed))
                raise RegisterError(f"{cid}: {changed} changed without an event")
        if restamped and first is not None:
            self._rehash(db, first)

    @staticmethod
    def _rehash(db: sqlite3.Connection, first: int) -> None:
        before = db.execute("SELECT hash FROM events WHERE id < ? ORDER BY id DESC LIMIT 1",
                            (first,)).fetchone()
        prev = before[0] if before else ""
        for row in list(db.execute("SELECT * FROM events WHERE id >= ? ORDER BY id", (first,))):
            digest = _event_hash(prev, _event_fields(row))
            db.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?",
                       (prev, digest, row["id"]))
            prev = digest

    def _anchors_after(self, last_logged: int) -> list[chainlog.Anchor]:
        rows = self.db.execute("SELECT id, case_id, hash FROM events WHERE id > ? ORDER BY id",
                               (last_logged,))
        return [chainlog.Anchor(r["id"], r["case_id"], r["hash"]) for r in rows]

    def _anchor(self) -> None:
        """Append the committed events the log does not have yet. Never raises: the commit
        has happened; what is not appended now is appended after the next commit."""
        if not self.chain_path.exists():
            log.error("%s hilang: riwayat register tidak lagi dicatat ke log rantainya "
                      "(pulihkan dari cadangan; lihat Register.restart_chain_log)",
                      self.chain_path)
            return
        try:
            reach = chainlog.append(self.chain_path, self._anchors_after)
        except OSError:
            log.exception("tidak dapat menambah %s; dicoba lagi pada penyimpanan berikutnya",
                          self.chain_path)
            return
        self._remember_reach(reach)

    def _remember_reach(self, reach: int) -> None:
        """Record in meta how far the log reached (never lowered: another process may have
        recorded more meanwhile). After the append, so a crash leaves it behind the log."""
        try:
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET"
                " value = CAST(MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))"
                " AS TEXT)", (REACH_KEY, str(reach)))
        except sqlite3.Error:
            log.exception("jangkauan %s tidak tercatat di register", self.chain_path.name)

    def log_reach(self) -> int:
        """How far the register remembers the chain log reached (0: not known)."""
        value = self._meta(REACH_KEY)
        return int(value) if value and value.isdigit() else 0

    def _start_chain_log(self) -> None:
        """A register without a chain log (new, or kept before logs): log what it holds."""
        with self.transaction() as db:
            if self._meta(CHAIN_LOG_KEY) is not None:
                return  # another process started it just now
            reach = chainlog.append(self.chain_path, self._anchors_after)
            db.execute("INSERT INTO meta (key, value) VALUES (?, '1')", (CHAIN_LOG_KEY,))
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                       (REACH_KEY, str(reach)))

    def restart_chain_log(self) -> Path | None:
        """Start a new chain log from the register as it is now, after the office decided
        the register is right (e.g. restored from a backup without its log). The old log
        is kept beside it as ``register.chain.old`` (then ``register.chain (2).old`` ...);
        returns where (None if there was none)."""
        kept = None
        if self.chain_path.exists():
            kept = unique_path(self.chain_path.parent, f"{self.chain_path.name}.old")
            os.rename(self.chain_path, kept)
        reach = chainlog.append(self.chain_path, self._anchors_after, remark="log dimulai ulang")
        fsync_dir(self.chain_path.parent)
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                        (REACH_KEY, str(reach)))  # the new log is the one to hold to
        return kept

    def verify_chain(self) -> list[str]:
        """What is wrong with the register's history, one Indonesian line per problem naming
        the case and event; empty when the register is sound (see the module docstring and
        `register_verify`)."""
        from pipeline.register_verify import verify_chain  # it imports this module
        return verify_chain(self)

    def chain_head(self) -> str:
        """The newest event's hash, shortened (16 hex digits) for printing in the register
        book and case histories: a paper copy a rewritten register cannot match. "" if
        there are no events yet."""
        row = self.db.execute("SELECT hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        return row[0][:16] if row else ""

    # --- numbers against the disk, and backups -------------------------------------------------

    def highest_numbers(self, service: str = services.DEFAULT) -> dict[int, int]:
        """{year: highest number given} over every case of *service*, cancelled ones too."""
        return {row[0]: row[1] for row in self.db.execute(
            "SELECT year, MAX(seq) FROM cases WHERE service = ? GROUP BY year", (service,))}

    def check_against_disk(self, roots: list[Path]) -> None:
        """Raise RegisterBehind if a case folder under *roots* (cases/, archive/) carries a
        number higher than the register has given its service in its year."""
        behind: list[str] = []
        for svc in services.all():
            known = self.highest_numbers(svc.code)
            for year, seq in sorted(numbers_on_disk(roots, svc.prefix).items()):
                if seq > known.get(year, 0):
                    given = (svc.case_id(year, known[year]) if year in known
                             else f"(belum ada nomor {year})")
                    behind.append(f"folder {svc.case_id(year, seq)} ada, register hanya "
                                  f"sampai {given}")
        if not behind:
            return
        what = "; ".join(behind)
        raise RegisterBehind(
            f"Register tertinggal dari folder kasus ({what}): register dipulihkan dari salinan "
            f"lama atau dibuat ulang. Hentikan penerimaan, pulihkan cadangan register terbaru "
            f"ke {self.path}, dan jangan hapus folder kasus.")

    def backup(self, dest: Path) -> None:
        """A consistent copy of the register at *dest* (and its chain log beside it), safe
        while other processes write: sqlite's online backup copies one snapshot.

        The log is copied first, so it never holds an event the copied register lacks.
        """
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if chain_path_for(dest) == dest or dest.resolve() == self.path.resolve():
            raise RegisterError(f"cannot back up the register onto {dest}")
        copied_reach = None
        if self.chain_path.exists():
            atomic_copy(self.chain_path, chain_path_for(dest))
            copied_reach = max((a.event_id for a in chainlog.read(chain_path_for(dest))),
                               default=0)
        fd, tmp = create_temp(dest.parent, dest.suffix)
        os.close(fd)
        try:
            copy = sqlite3.connect(tmp)
            try:
                self.db.backup(copy)  # all pages in one step: one snapshot
                if copied_reach is not None:
                    _fit_meta_to_log(copy, chain_path_for(dest), copied_reach)
            finally:
                copy.close()
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, dest)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fsync_dir(dest.parent)


DATABASE_SUFFIXES = (".sqlite3", ".sqlite", ".db")


def _fit_meta_to_log(copy: sqlite3.Connection, log_copy: Path, reach: int) -> None:
    """The copied register may remember events or a checkpoint appended after its log was
    copied: remember only what the copied log holds, so the copy verifies."""
    copy.execute("UPDATE meta SET value = ? WHERE key = ? AND CAST(value AS INTEGER) > ?",
                 (str(reach), REACH_KEY, reach))
    row = copy.execute("SELECT value FROM meta WHERE key = ?", (CHECKPOINT_KEY,)).fetchone()
    if row and f"# checkpoint {row[0]} " not in log_copy.read_text(encoding="utf-8"):
        copy.execute("DELETE FROM meta WHERE key = ?", (CHECKPOINT_KEY,))
    copy.commit()


def chain_path_for(database: Path) -> Path:
    """archive/register.sqlite3 -> archive/register.chain; any other name gains ".chain"
    (reg.2026-06-01 -> reg.2026-06-01.chain: two dated backups never share one log)."""
    if database.suffix in DATABASE_SUFFIXES:
        return database.with_suffix(".chain")
    return database.with_name(database.name + ".chain")
