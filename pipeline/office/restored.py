"""Is the register older than what the office has done? One check for every command that
writes (watch, decide, enter, sign, collect, report, archive), and the rule that a step
never writes over a document already filed.

A register restored from a backup taken after the last intake numbers nothing twice, so
`Register.check_against_disk` passes; but the steps decided after the backup are gone from
it, and deciding them again would file new documents over the old ones (a new collection
code: the applicant's slip void). Three witnesses outside the database tell:

- the case folders carry numbers the register has not given (`check_against_disk`);
- the chain log (archive/register.chain) holds newer events (`check_chain_log`);
- a case folder holds a document the register has not recorded and no step is writing
  (`unknown_documents`): filed by the history the restored copy lacks.

Any of them raises `RegisterBehind` (one Indonesian line). The last is also the rule when
a step is about to write (`to_compare`, `refuse_changed`): a document that exists with
other bytes is written over only if the register says this step began writing it and has
not recorded it (a crash came before its commit).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from pipeline.domain.case import Case
from pipeline.office.fsutil import sha256_file
from pipeline.office.home import Home
from pipeline.store import chainlog
from pipeline.store.register import Register, RegisterBehind


def check_chain_log(reg: Register) -> None:
    """Raise RegisterBehind if the chain log outside the database holds events newer than
    the register's newest: the register was restored from an older copy (or recreated)
    while the log went on. A log behind the register is a crash between a commit and its
    append, not a restore."""
    logged = chainlog.last_logged(reg.chain_path)
    have = reg.db.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
    if logged > have:
        name = reg.chain_path.name
        raise RegisterBehind(
            f"Register tertinggal dari log rantainya ({name} sampai peristiwa #{logged}, "
            f"register hanya sampai #{have}): register dipulihkan dari salinan lama atau "
            f"dibuat ulang. Hentikan kkwna, pulihkan cadangan register terbaru ke {reg.path}, "
            f"dan jangan hapus {name}.")


# --- what a step is writing: kept in the register's meta table --------------------------

_WRITING = "writing "  # meta key: "writing KKWNA-2026-0001" -> JSON list of document names


def begin_writing(reg: Register, cid: str, names: Iterable[str]) -> None:
    """Record, before a step writes them, the documents it is about to file for *cid*: a
    crash before its commit leaves them on disk unrecorded, and the step run again may
    write over exactly these. Anything else on disk the register does not know was filed
    by a history this register lacks."""
    with reg.transaction() as db:
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key)"
                   " DO UPDATE SET value = excluded.value",
                   (_WRITING + cid, json.dumps(sorted(set(names)), ensure_ascii=False)))


def writing(reg: Register, cid: str) -> set[str]:
    """The documents a step of *cid* began writing and has not committed."""
    row = reg.db.execute("SELECT value FROM meta WHERE key = ?", (_WRITING + cid,)).fetchone()
    return set(json.loads(row[0])) if row else set()


def end_writing(db: sqlite3.Connection, cid: str) -> None:
    """Inside the transaction that records the documents: they are filed now."""
    db.execute("DELETE FROM meta WHERE key = ?", (_WRITING + cid,))


# --- the witnesses ---------------------------------------------------------------------

def unknown_documents(home: Home, reg: Register, case_id: str, folder: str) -> list[str]:
    """The files directly in the case's *folder* (relative to the home) that the register
    neither recorded nor is writing (hidden temporary files left out)."""
    known = {row["name"] for row in reg.documents(case_id)} | writing(reg, case_id)
    return _unknown(home.root / folder, known)


def _unknown(path: Path, known: set[str]) -> list[str]:
    """The files directly in *path* not in *known* (none when it is not a folder)."""
    try:
        with os.scandir(path) as entries:
            return sorted(e.name for e in entries
                          if not e.name.startswith(".") and e.name not in known and e.is_file())
    except (FileNotFoundError, NotADirectoryError):
        return []


def check(home: Home, reg: Register) -> None:
    """Raise RegisterBehind if any witness says the register is older than the office."""
    reg.check_against_disk([home.cases, home.archive])
    check_chain_log(reg)
    # the cases whose folder is still in cases/ and complete ('intake' is redone; a filed
    # case's binder has its own checksums); ids and folders only: a year has thousands
    where = ("FROM cases WHERE status IN ('open', 'returned', 'issued')"
             " AND folder LIKE 'cases/%'")
    rows = reg.db.execute(f"SELECT id, folder {where} ORDER BY year, seq").fetchall()
    # their documents and what their steps are writing in two queries, not two per case
    # (`archive verify` of a year with a thousand open cases spent 0.1 s here)
    known: dict[str, set[str]] = {}
    for cid, name in reg.db.execute("SELECT case_id, name FROM documents WHERE case_id IN"
                                    f" (SELECT id {where})"):
        known.setdefault(cid, set()).add(name)
    for key, value in reg.db.execute("SELECT key, value FROM meta WHERE key LIKE ?",
                                     (_WRITING + "%",)):
        if key.startswith(_WRITING):
            known.setdefault(key.removeprefix(_WRITING), set()).update(json.loads(value))
    for case_id, folder in rows:
        unknown = _unknown(home.root / folder, known.get(case_id, set()))
        if unknown:
            raise RegisterBehind(
                f"Register tertinggal dari folder kasus: '{unknown[0]}' ada di folder "
                f"{case_id} tetapi tidak tercatat di register (register dipulihkan dari "
                f"salinan lama). Hentikan kkwna, pulihkan cadangan register terbaru ke "
                f"{reg.path}, dan jangan hapus folder kasus.")


def to_compare(reg: Register, case: Case, folder: Path, names: Iterable[str]) -> set[str]:
    """Of the documents a step is about to file, those already in *folder* that it may not
    simply write over: all but the unrecorded leftovers of its own interrupted attempt."""
    ours = writing(reg, case.id)
    recorded = {row["name"] for row in reg.documents(case.id)}
    return {name for name in names if (folder / name).exists()
            and not (name in ours and name not in recorded)}


def refuse_changed(reg: Register, case: Case, folder: Path, drafts: dict[str, Path]) -> None:
    """Raise RegisterBehind if a document already filed in *folder* differs from the one
    the step drew (*drafts*: name -> the new drawing): it is never written over."""
    for name, draft in sorted(drafts.items()):
        if sha256_file(folder / name) != sha256_file(draft):
            raise RegisterBehind(
                f"'{name}' sudah ada di folder {case.id} dengan isi lain dan tidak ditimpa: "
                f"dokumen yang sudah diarsipkan tidak pernah ditulis ulang (register "
                f"dipulihkan dari salinan lama?). Tidak ada yang dicatat; pulihkan cadangan "
                f"register terbaru ke {reg.path}.")
