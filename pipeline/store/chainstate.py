"""What an event commits to: the state its case is left in, beyond status and step.

Hashing the events alone left the rest of a case row open to hand edits (issue 14): the
collection code, the family data, the title, the identities the duplicate check compares,
the documents' checksums. So every event now carries `case_state`, a canonical JSON of
those, and its hash covers it; `verify_chain` recomputes each case's state from its rows
and compares it with its last event's, naming the field (and the document) that differs.

The values are hashed (SHA-256 of their canonical JSON), the documents listed by name with
their full SHA-256: the event then commits to every filed byte, and a difference still names
the document. Pure functions over rows; the database is read by the caller.

The case's service is committed only when it is not KK WNA ("layanan"), and the case whose
KK it changes only when there is one ("mengganti", `Register.set_replaces`): every state
sealed before either existed is a KK WNA case's changing nothing, and must read the same
today. The link is kept in clear (a case id is no secret), so a difference names it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from pipeline.services import DEFAULT as DEFAULT_SERVICE

# field -> how a problem names it (Indonesian, as the messages are)
LABELS = {
    "judul": "judul",
    "kode_pengambilan": "kode pengambilan",
    "data_keluarga": "data keluarga",
    "identitas": "identitas",
    "dokumen": "dokumen",
    "layanan": "layanan",
    "mengganti": "KK yang diganti",
}


# one encoder reused writes what json.dumps with these options writes, without building
# an encoder per call (six calls per case in `archive verify`)
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def _digest(value: Any) -> str:
    return hashlib.sha256(_CANONICAL(value).encode("utf-8")).hexdigest()


def canonical(value: Any) -> str:
    return _CANONICAL(value)


def state(title: str, collection_code: str | None, data_json: str,
          identities: Iterable[tuple[str, str]], documents: Iterable[tuple[str, str]],
          service: str = DEFAULT_SERVICE, replaces: str | None = None) -> str:
    """The canonical JSON an event commits to (see the module notes)."""
    data = json.loads(data_json or "{}")
    code = collection_code or ""
    committed: dict[str, Any] = {
        "judul": _digest(title),
        "kode_pengambilan": hashlib.sha256(code.encode("utf-8")).hexdigest() if code else "",
        "data_keluarga": _digest(data.get("keluarga", {})),
        "identitas": _digest(sorted([k, v] for k, v in identities)),
        "dokumen": dict(sorted(documents)),
    }
    if service != DEFAULT_SERVICE:
        committed["layanan"] = service
    if replaces:
        committed["mengganti"] = replaces
    return canonical(committed)


def differences(recorded: str, current: str) -> list[str]:
    """The fields that differ, as the messages name them: e.g. ``kode pengambilan`` or
    ``dokumen 08 kartu keluarga WNA.pdf`` (a document changed, added or removed)."""
    if recorded == current:
        return []
    try:
        was: Mapping[str, Any] = json.loads(recorded)
    except ValueError:
        return ["catatan keadaan kasus"]
    now = json.loads(current)
    out = []
    for key, label in LABELS.items():
        if key == "dokumen":
            docs_was, docs_now = was.get(key) or {}, now.get(key) or {}
            for name in sorted(set(docs_was) | set(docs_now)):
                if docs_was.get(name) != docs_now.get(name):
                    out.append(f"{label} {name}")
        elif was.get(key) != now.get(key):
            out.append(label)
    return out or ["catatan keadaan kasus"]


def current_states(db: Any) -> dict[str, str]:
    """{case id: its state now} for every case, in three queries (not three per case)."""
    idents: dict[str, list[tuple[str, str]]] = {}
    for row in db.execute("SELECT case_id, kind, value FROM identities"):
        idents.setdefault(row[0], []).append((row[1], row[2]))
    docs: dict[str, list[tuple[str, str]]] = {}
    for row in db.execute("SELECT case_id, name, sha256 FROM documents"):
        docs.setdefault(row[0], []).append((row[1], row[2]))
    return {row[0]: state(row[1], row[2], row[3], idents.get(row[0], []), docs.get(row[0], []),
                          row[4], row[5])
            for row in db.execute("SELECT id, title, collection_code, data, service, replaces"
                                  " FROM cases")}


def current_state(db: Any, cid: str) -> str:
    row = db.execute("SELECT title, collection_code, data, service, replaces FROM cases"
                     " WHERE id = ?", (cid,)).fetchone()
    idents = db.execute("SELECT kind, value FROM identities WHERE case_id = ?", (cid,))
    docs = db.execute("SELECT name, sha256 FROM documents WHERE case_id = ?", (cid,))
    return state(row[0], row[1], row[2], [(r[0], r[1]) for r in idents],
                 [(r[0], r[1]) for r in docs], row[3], row[4])
