"""The signature verdicts `/verifikasi` keeps, by the SHA-256 of the file: a card does not
change, so the same bytes need not be verified again (the register is still asked every
time, by `register_check.with_register`)."""

from __future__ import annotations

from collections import OrderedDict

from pipeline.signing.verify import Verdict


class Verdicts:
    """The last signature verdicts by SHA-256 of the file (an LRU of *size*)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[str, tuple[Verdict, bool]] = OrderedDict()

    def get(self, key: str) -> tuple[Verdict, bool] | None:
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
        return found

    def put(self, key: str, value: tuple[Verdict, bool]) -> None:
        if self.size <= 0:
            return
        self._kept[key] = value
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
