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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline import services
from pipeline.domain.actions import Action
from pipeline.domain.case import Case
from pipeline.office.fsutil import atomic_copy, create_temp, fsync_dir, unique_path
from pipeline.store import chainlog, chainstate, register_schema
from pipeline.store.event_chain import event_fields as _event_fields
from pipeline.store.event_chain import event_hash as _event_hash
from pipeline.store.register_disk import numbers_on_disk
from pipeline.store.register_schema import SCHEMA
from pipeline.store.register_schema import RegisterError as RegisterError  # raised from here too

log = logging.getLogger(__name__)


CHAIN_LOG_KEY = "chain_log"  # in meta once the chain log exists: its loss is then noticed
# in meta: the highest event id the chain log was seen to hold after an append, so a log
# cut short or emptied is noticed (written after the append: a crash leaves it behind)
REACH_KEY = "chain_log_reach"
CHECKPOINT_KEY = "chain_checkpoint"  # in meta: "<event id> <head>" of the last checkpoint


class RegisterBehind(RegisterError):
    """The case folders on disk carry numbers the register does not know: it was restored
    from an old copy or recreated. str() is one Indonesian line saying what to do."""




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
        data=json.loads(row["data"]), service=row["service"], replaces=row["replaces"],
    )


def _signed_at(db: sqlite3.Connection, cid: str) -> datetime | None:
    """When case *cid*'s KK was last signed (the TTE's event), None if it has none in force
    (never signed, or the case was cancelled or returned)."""
    row = db.execute(
        "SELECT MAX(e.at) FROM events e JOIN cases c ON c.id = e.case_id WHERE e.case_id = ?"
        " AND e.action = ? AND c.status NOT IN ('returned', 'cancelled')",
        (cid, Action.SIGNED)).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


def _first_signed(db: sqlite3.Connection, links: Iterable[tuple[str, str]]
                  ) -> dict[str, tuple[str, datetime]]:
    """{old case id: (new case id, signed at)} over (new, old) links: of the changes of one
    card whose new KK is signed, the first (the old card stopped being valid then)."""
    out: dict[str, tuple[str, datetime]] = {}
    for cid, old in links:
        at = _signed_at(db, cid)
        if at is not None and (old not in out or at < out[old][1]):
            out[old] = (cid, at)
    return out


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
        register_schema.upgrade(self.db, self.transaction)

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
        svc = services.get(service)  # an unknown service gets no number
        seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM cases"
                         " WHERE service = ? AND year = ?", (service, year)).fetchone()[0]
        cid = svc.case_id(year, seq)
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

    def issued_with_no_kk(self, no_kk: str) -> list[Case]:
        """The issued cases whose card bears No. KK *no_kk* (normalised), in register order:
        an index lookup (a scan of every issued case was 0.4 s on 10,000)."""
        rows = self.db.execute(
            "SELECT * FROM cases WHERE json_extract(data, '$.keluarga.no_kk') = ?"
            " AND status = 'issued' ORDER BY year, seq, service", (no_kk,))
        return [_case(r) for r in rows]

    def issued_with_member(self, name: str) -> list[Case]:
        """The issued cases whose family data has a member named *name* (as stored:
        normalised), in register order; the JSON is read by SQLite, not parsed case by case
        here."""
        rows = self.db.execute(
            "SELECT * FROM cases c WHERE status = 'issued' AND EXISTS (SELECT 1 FROM"
            " json_each(c.data, '$.keluarga.anggota') m"
            " WHERE json_extract(m.value, '$.nama_lengkap') = ?)"
            " ORDER BY year, seq, service", (name,))
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

    # --- a case that changes an issued KK ------------------------------------------------------

    def set_replaces(self, db: sqlite3.Connection, cid: str, old_cid: str | None) -> None:
        """Record that case *cid* changes the KK issued by case *old_cid* (None: it changes
        none after all), inside a transaction that also adds an event of *cid*: the link is
        committed in that event's case state (`chainstate`), so a hand edit of it is caught
        by `verify_chain`, and a change with no event is refused at the commit. Refused
        (RegisterError, one Indonesian line) when *old_cid* has no signed KK, is already
        replaced or already being changed by another case, or once *cid*'s KK is signed."""
        case = self.get(cid, db)
        if case.replaces == old_cid:
            return
        if _signed_at(db, cid) is not None:
            raise RegisterError(f"{cid} sudah ditandatangani: KK yang diubahnya tidak dapat "
                                f"diganti lagi")
        if old_cid is not None:
            old = self.find(old_cid) if old_cid != cid else None
            if old is None:
                raise RegisterError(f"KK {old_cid} tidak ada di register")
            if _signed_at(db, old_cid) is None:
                raise RegisterError(f"KK {old_cid} belum terbit: hanya KK yang sudah "
                                    f"ditandatangani yang dapat diubah")
            done = self.replacement_of(old_cid, db)
            if done is not None:
                raise RegisterError(f"KK {old_cid} sudah diganti oleh KK {done[0].id}: "
                                    f"ubahlah KK {done[0].id}")
            other = self.open_change_of(old_cid, db)
            if other is not None and other.id != cid:
                raise RegisterError(f"KK {old_cid} sedang diubah oleh kasus {other.id}")
        db.execute("UPDATE cases SET replaces = ? WHERE id = ?", (old_cid, cid))
        self._tx_cases.add(cid)

    def replaces(self, cid: str) -> str | None:
        """The case whose KK case *cid* changes, or None."""
        row = self.db.execute("SELECT replaces FROM cases WHERE id = ?", (cid,)).fetchone()
        return row[0] if row else None

    def replacement_of(self, old_cid: str, db: sqlite3.Connection | None = None
                       ) -> tuple[Case, datetime] | None:
        """The case whose new KK replaced the card of case *old_cid*, and when that KK was
        signed; None while no change of it is signed (the old card is then still valid).
        Were two ever signed, the first: the old card stopped being valid then."""
        conn = db or self.db
        hit = _first_signed(conn, conn.execute(
            "SELECT id, replaces FROM cases WHERE replaces = ?", (old_cid,))).get(old_cid)
        return None if hit is None else (self.get(hit[0], conn), hit[1])

    def replacements(self, db: sqlite3.Connection | None = None
                     ) -> dict[str, tuple[str, datetime]]:
        """Every card replaced: {old case id: (the id of the case whose new KK replaced it,
        when that KK was signed)}, by the rule of `replacement_of` (for the register book)."""
        conn = db or self.db
        return _first_signed(conn, conn.execute(
            "SELECT id, replaces FROM cases WHERE replaces IS NOT NULL"))

    def open_change_of(self, old_cid: str, db: sqlite3.Connection | None = None
                       ) -> Case | None:
        """An active case (neither returned, cancelled nor filed) that changes the KK of
        case *old_cid*: a second change must wait for it (or change its new KK)."""
        row = (db or self.db).execute(
            "SELECT * FROM cases c WHERE replaces = ? AND status NOT IN"
            " ('returned', 'cancelled') AND NOT EXISTS (SELECT 1 FROM events e"
            " WHERE e.case_id = c.id AND e.action = ?) ORDER BY year, seq LIMIT 1",
            (old_cid, Action.FILED)).fetchone()
        return _case(row) if row else None

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
        from pipeline.store.register_verify import verify_chain  # it imports this module
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
