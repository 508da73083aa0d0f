"""One handler per SOP step: what its form is pre-filled with, its rules, the documents a
decision files, the identities it records and what it leaves for the next step.

A new step is a row in a service's table (`pipeline.sop.STEPS` for KK WNA) naming its
handler by key, and the handler's class here under that key.
"""

from __future__ import annotations

from pipeline import sop
from pipeline.steps.base import Automatic, Handler
from pipeline.steps.change_data_entry import ChangeDataEntry
from pipeline.steps.change_review import ChangeHeadReview, ChangeReview
from pipeline.steps.change_verification import ChangeFrontOffice, ChangeVerification
from pipeline.steps.data_entry import DataEntry
from pipeline.steps.front_office import FrontOffice
from pipeline.steps.handover import Collection, ToHandOverDesk
from pipeline.steps.printing import Printing
from pipeline.steps.review import HeadReview, Review
from pipeline.steps.tte import Signature, TteRequest
from pipeline.steps.verification import Verification

# handler key (a step's `handler`) -> its class
CLASSES: dict[str, type[Handler]] = {
    "front_office": FrontOffice, "verification": Verification, "data_entry": DataEntry,
    "review": Review, "head_review": HeadReview, "tte_request": TteRequest,
    "signature": Signature, "printing": Printing, "to_handover_desk": ToHandOverDesk,
    "collection": Collection,
    # Perubahan Data KK WNA (`pipeline.services.perubahan_data`)
    "change_front_office": ChangeFrontOffice, "change_verification": ChangeVerification,
    "change_data_entry": ChangeDataEntry, "change_review": ChangeReview,
    "change_head_review": ChangeHeadReview,
}


def handler_class(key: str) -> type[Handler]:
    found = CLASSES.get(key)
    if found is None:
        raise KeyError(f"penangan langkah {key!r} tidak dikenal")
    return found


# the KK WNA table's handlers, by step number
HANDLERS: dict[int, Handler] = {s.number: handler_class(s.handler)(s.number)
                                for s in sop.STEPS if s.handler}


def handler(number: int) -> Handler:
    """The handler of step *number* (a plain one for a step not built yet)."""
    found = HANDLERS.get(number)
    if found is None:
        found = HANDLERS[number] = Handler(number)
    return found


def data_entry_step() -> int:
    """The step where the family data is entered (`kkwna enter`)."""
    return next(n for n, h in HANDLERS.items() if isinstance(h, DataEntry))


def signature() -> Signature:
    """The handler of the head of office's signature step (`kkwna sign`)."""
    return next(h for h in HANDLERS.values() if isinstance(h, Signature))


def automatic(number: int) -> Automatic | None:
    found = handler(number)
    return found if isinstance(found, Automatic) else None


__all__ = ["CLASSES", "HANDLERS", "Automatic", "Handler", "automatic", "data_entry_step",
           "handler", "handler_class", "signature"]
