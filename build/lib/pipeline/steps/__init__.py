"""One handler per SOP step: what its form is pre-filled with, its rules, the documents a
decision files, the identities it records and what it leaves for the next step.

A new step is a row in `pipeline.sop.STEPS` and a handler here.
"""

from __future__ import annotations

from pipeline.steps.base import Automatic, Handler
from pipeline.steps.data_entry import DataEntry
from pipeline.steps.front_office import FrontOffice
from pipeline.steps.handover import Collection, ToHandOverDesk
from pipeline.steps.review import HeadReview, Review
from pipeline.steps.tte import Signature, TteRequest
from pipeline.steps.verification import Verification

_CLASSES: dict[int, type[Handler]] = {
    2: FrontOffice, 3: Verification, 4: DataEntry, 5: Review, 6: HeadReview,
    7: TteRequest, 8: Signature, 10: ToHandOverDesk, 11: Collection,
}
HANDLERS: dict[int, Handler] = {n: cls(n) for n, cls in _CLASSES.items()}


def handler(number: int) -> Handler:
    """The handler of step *number* (a plain one for a step not built yet)."""
    found = HANDLERS.get(number)
    if found is None:
        found = HANDLERS[number] = Handler(number)
    return found


def data_entry_step() -> int:
    """The step where the family data is entered (`kkwna enter`)."""
    return next(n for n, h in HANDLERS.items() if isinstance(h, DataEntry))


def automatic(number: int) -> Automatic | None:
    found = handler(number)
    return found if isinstance(found, Automatic) else None


__all__ = ["HANDLERS", "Automatic", "Handler", "automatic", "data_entry_step", "handler"]
