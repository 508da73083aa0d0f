"""What an event's hash covers, apart from the register that stores it (so that
`register_verify` can recompute hashes without importing `register`)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

# the columns an event's hash covers, in the order it covers them
HASHED = ("case_id", "at", "step", "action", "officer_name", "officer_nip", "round", "detail",
          "source_sha256", "case_status", "case_step", "case_state")

# json.dumps with these options builds a new encoder on every call; one encoder reused
# writes the same bytes (a tenth of `archive verify`'s chain check went to building them)
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def hashed_fields(values: Sequence[Any]) -> tuple[Any, ...]:
    """What an event's hash covers, from its *values* in `HASHED` order. Events recorded
    before the case state was kept (case_status '') are hashed as they were then."""
    fields = tuple(values[:9])
    if values[9]:
        fields += (values[9], values[10])
    if values[11]:
        fields += (values[11],)
    return fields


def event_fields(row: sqlite3.Row) -> tuple[Any, ...]:
    """What an event's hash covers (see `hashed_fields`)."""
    return hashed_fields([row[name] for name in HASHED])


def event_hash(prev: str, fields: tuple[Any, ...]) -> str:
    return hashlib.sha256(_ENCODE([prev, *fields]).encode()).hexdigest()
