"""What a service is: one frozen value per service the office runs on this pipeline.

A service names itself (code, the register's id prefix, its titles as the office writes
them), the SOP it follows (number and date), the requirements its front-office checklist
ticks, and its steps: a table of `pipeline.domain.sop.Step`, each naming its handler by key
(`pipeline.steps.handler_class`). The table's questions (`step`, `after`, `desks` ...) are
asked of the service, so two services with different tables can live side by side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pipeline.domain.sop import Kind, Step

CODE = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
# upper-case letters only: the prefix is followed by "-YYYY-NNNN" in ids and folder names,
# so no prefix can be read as the start of another's id
PREFIX = re.compile(r"[A-Z]{2,10}")
# a service's inbox folder at the top of the office home: "inbox" (KK WNA's, fixed by the
# contract) or "inbox-<something>", so it can never be taken for another top-level folder
INBOX = re.compile(r"inbox(-[a-z0-9]+)*")


@dataclass(frozen=True)
class Requirement:
    """One line of the front office's checklist."""

    key: str  # the checklist form's field, e.g. "cek_kitap"
    label: str  # what it proves, as the sheets and the return letter say it
    required: bool  # needed for "setuju"
    hints: tuple[str, ...] = ()  # words in a scan's file name that pre-tick it; () never
    form_label: str = ""  # the checklist form's line, when it says more than *label*

    @property
    def line(self) -> str:
        """The line the checklist form shows."""
        return self.form_label or self.label


@dataclass(frozen=True)
class Service:
    code: str  # "kk-wna": in the register's `service` column and on the command line
    prefix: str  # "KKWNA": case ids are "<prefix>-YYYY-NNNN", numbered per service and year
    title: str  # the service's name as the office writes it
    product: str  # what the applicant leaves with
    sop_number: str
    sop_date: date | None  # None: not known to us (the office may give it in kkwna.toml)
    requirements: tuple[Requirement, ...]
    steps: tuple[Step, ...]
    total_minutes: float  # the service standard's promise
    sop_revised: date | None = None
    # the folder at the top of the office home where its applications are dropped: a scan
    # dropped there becomes a case of this service (INTERFACE.md, "one inbox per service")
    inbox: str = "inbox"
    # the checklist's note on what the service asks (before "(SOP <number>)"); "" says
    # "Persyaratan: " and the required requirements
    checklist_note: str = ""

    def __post_init__(self) -> None:
        if not CODE.fullmatch(self.code):
            raise ValueError(f"kode layanan {self.code!r} tidak sah (huruf kecil dan '-')")
        if not PREFIX.fullmatch(self.prefix):
            raise ValueError(f"awalan nomor {self.prefix!r} layanan {self.code} tidak sah "
                             f"(2-10 huruf besar)")
        if not INBOX.fullmatch(self.inbox):
            raise ValueError(f"folder inbox {self.inbox!r} layanan {self.code} tidak sah "
                             f"('inbox' atau 'inbox-...', huruf kecil)")
        keys = [r.key for r in self.requirements]
        if len(set(keys)) != len(keys):
            raise ValueError(f"persyaratan layanan {self.code} ganda: {', '.join(keys)}")
        numbers = [s.number for s in self.steps]
        if not numbers or numbers != sorted(set(numbers)):
            raise ValueError(f"langkah layanan {self.code} harus naik tanpa ganda")
        if self.steps[0].kind is not Kind.INTAKE:
            raise ValueError(f"langkah pertama layanan {self.code} harus penerimaan berkas")

    # --- the table --------------------------------------------------------------------------

    @property
    def first(self) -> Step:
        """Intake."""
        return self.steps[0]

    @property
    def first_desk(self) -> Step:
        return next(s for s in self.steps if s.kind is Kind.DESK)

    def step(self, number: int) -> Step:
        for s in self.steps:
            if s.number == number:
                return s
        raise KeyError(f"langkah {number} tidak ada pada layanan {self.code}")

    def after(self, number: int) -> Step | None:
        """The step that follows *number*, or None after the last."""
        return next((s for s in self.steps if s.number > number), None)

    def step_of_desk(self, folder: str) -> Step | None:
        return next((s for s in self.steps if s.desk == folder), None)

    def desks(self) -> list[str]:
        return [s.desk for s in self.steps if s.desk]

    def decided_at_desk(self) -> list[Step]:
        """Steps a staff member decides on a desk form (or with `kkwna decide`)."""
        return [s for s in self.steps if s.kind in (Kind.DESK, Kind.HANDOVER)]

    @property
    def requirements_note(self) -> str:
        """The checklist's note on what the service asks."""
        return self.checklist_note or "Persyaratan: " + "; ".join(
            r.label for r in self.requirements if r.required)

    # --- ids --------------------------------------------------------------------------------

    def case_id(self, year: int, seq: int) -> str:
        return f"{self.prefix}-{year}-{seq:04d}"
