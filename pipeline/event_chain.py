"""What an event's hash covers, apart from the register that stores it (so that
`register_verify` can recompute hashes without importing `register`)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any


def event_fields(row: sqlite3.Row) -> tuple[Any, ...]:
    """What an event's hash covers. Events recorded before the case state was kept
    (case_status '') are hashed as they were then."""
    fields: tuple[Any, ...] = (
        row["case_id"], row["at"], row["step"], row["action"], row["officer_name"],
        row["officer_nip"], row["round"], row["detail"], row["source_sha256"])
    if row["case_status"]:
        fields += (row["case_status"], row["case_step"])
    if row["case_state"]:
        fields += (row["case_state"],)
    return fields


def event_hash(prev: str, fields: tuple[Any, ...]) -> str:
    payload = json.dumps([prev, *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()
