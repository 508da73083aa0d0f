"""One handler per SOP step: what its form is pre-filled with, its rules, the documents a
decision files, the identities it records and what it leaves for the next step.

A new step is a row in a service's table (`Service.steps`) naming its handler by key, and
the handler's class here under that key. Each service gets its own handlers, bound to its
own steps (`handler(service, number)`), so a handler asks its service, never the KK WNA
module globals, what follows its step.
"""

from __future__ import annotations

from typing import overload

from pipeline import services
from pipeline.services import Service
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


# service code -> (the service value the table was built for, its handlers by step number).
# Keyed by code but checked by identity: a service registered again under the same code
# (a test's replaced value) gets a table of its own, never the old one's.
_TABLES: dict[str, tuple[Service, dict[int, Handler]]] = {}


def table(service: Service) -> dict[int, Handler]:
    """*service*'s handlers by step number, built once per service value."""
    cached = _TABLES.get(service.code)
    if cached is not None and cached[0] is service:
        return cached[1]
    built = {s.number: handler_class(s.handler)(service, s.number)
             for s in service.steps if s.handler}
    _TABLES[service.code] = (service, built)
    return built


# the KK WNA table's handlers, by step number (kept for the modules reading it)
HANDLERS: dict[int, Handler] = table(services.default())


@overload
def handler(service: Service, number: int) -> Handler: ...
@overload
def handler(service: int) -> Handler: ...
def handler(service: Service | int, number: int | None = None) -> Handler:
    """The handler of step *number* of *service* (a plain one for a step not built yet).
    `handler(number)` alone: KK WNA's, for callers that know no case."""
    if isinstance(service, int):  # the old form: KK WNA's step
        return handler(services.default(), service)
    if number is None:
        raise TypeError("handler(service, number): the step's number is missing")
    handlers = table(service)
    found = handlers.get(number)
    if found is None:
        found = handlers[number] = Handler(service, number)
    return found


def data_entry_step(service: Service | None = None) -> int:
    """The step where the family data is entered (`kkwna enter`), KK WNA's by default."""
    service = service or services.default()
    found = next((n for n, h in table(service).items() if isinstance(h, DataEntry)), None)
    if found is None:
        raise KeyError(f"layanan {service.code} tidak memiliki langkah perekaman data")
    return found


def signature_of(service: Service) -> Signature | None:
    """The handler of *service*'s signature step, or None when it has none."""
    return next((h for h in table(service).values() if isinstance(h, Signature)), None)


def signature(service: Service | None = None) -> Signature:
    """The handler of the head of office's signature step (`kkwna sign`), KK WNA's by
    default."""
    service = service or services.default()
    found = signature_of(service)
    if found is None:
        raise KeyError(f"layanan {service.code} tidak memiliki langkah tanda tangan")
    return found


@overload
def automatic(service: Service, number: int) -> Automatic | None: ...
@overload
def automatic(service: int) -> Automatic | None: ...
def automatic(service: Service | int, number: int | None = None) -> Automatic | None:
    if isinstance(service, int):
        found = handler(service)
    elif number is None:
        raise TypeError("automatic(service, number): the step's number is missing")
    else:
        found = handler(service, number)
    return found if isinstance(found, Automatic) else None


__all__ = ["CLASSES", "HANDLERS", "Automatic", "Handler", "automatic", "data_entry_step",
           "handler", "handler_class", "signature", "signature_of", "table"]
