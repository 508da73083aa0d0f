"""A case as the register holds it: one application of one service, where it stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline import services


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
    replaces: str | None = None  # the case whose KK this one changes (`set_replaces`)

    def round(self, step: int | None = None) -> int:
        return self.rounds.get(self.step if step is None else step, 1)
