"""What the engine decides about: decisions, their context, transitions and plans.

Pure data. A desk form, a `kkwna decide`/`kkwna enter` command or the pipeline itself
(automatic steps) becomes a `Decision`; the engine judges it into a `Transition` or
`Refused`, and the step's handler turns the transition into a `Plan` that `flow`
carries out (documents to file, the event, the next desk, the archive).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pipeline.domain.case import Case
from pipeline.domain.errors import KkwnaError
from pipeline.office.config import Config, Officer, TteConfig
from pipeline.office.home import Home

__all__ = ["STATUS", "Case", "Context", "Decision", "Doc", "Duplicate", "Env", "Plan",
           "Refused", "Transition", "applicant_name"]

STATUS = {"intake": "sedang diterima", "open": "dalam proses",
          "returned": "dikembalikan kepada pemohon", "issued": "KK sudah diserahkan",
          "cancelled": "dibatalkan"}


def applicant_name(case: Case) -> str:
    """The applicant as documents name them: the head of the family once the data is
    entered, before that the name the front office confirmed, else the drop's title."""
    for member in case.data.get("keluarga", {}).get("anggota", []):
        if member.get("status_hubungan") == "KEPALA KELUARGA" and member.get("nama_lengkap"):
            return str(member["nama_lengkap"])
    return str(case.data.get("nama_pemohon") or case.title)


@dataclass(frozen=True)
class Env:
    """The office a step works in: its folders and its profile."""

    home: Home
    cfg: Config

    @property
    def tte(self) -> TteConfig:
        """The office's [tte] section with its paths made absolute."""
        return self.cfg.tte.resolved(self.home.root)


@dataclass(frozen=True)
class Decision:
    case_id: str
    step: int
    approve: bool | None  # None: no decision chosen on the form
    note: str
    officer_name: str
    officer_nip: str
    fields: Mapping[str, str]
    source_sha256: str = ""  # of the saved form, when it came from a desk


@dataclass(frozen=True)
class Duplicate:
    case_id: str
    title: str
    status: str
    what: str  # "paspor sama", "KITAP sama", "nama sama"


@dataclass(frozen=True)
class Context:
    cfg: Config
    today: date
    duplicates: Sequence[Duplicate] = ()  # the register check for this case (verification)
    other_kk_niks: Mapping[str, str] = field(default_factory=dict)  # NIK -> other case
    case: Case | None = None  # what a rule checks the decision against (the hand-over)


@dataclass
class Transition:
    officer: Officer
    approve: bool
    step: int
    round: int
    next_step: int | None  # None: the case leaves the desks (returned, or handed over)
    status: str  # open | returned | issued
    record: dict[str, Any]  # what the decision established, kept in the case's data
    missing: list[str] = field(default_factory=list)  # for the return letter


class Refused(KkwnaError):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Doc:
    """A document a step files in the case folder: its name and how to draw it there."""

    name: str
    write: Callable[[Path], object]
    to_print: bool = False  # a copy goes to print/ for the applicant


@dataclass
class Plan:
    """Everything one step's outcome changes, decided before anything is written."""

    step: int
    action: str  # the event: diterima, disetujui, dikembalikan, diajukan ...
    at: datetime
    round: int
    status: str  # the case's status afterwards
    next_step: int | None  # the step the case waits on afterwards (None: it stays)
    officer: Officer | None = None
    detail: dict[str, Any] = field(default_factory=dict)  # kept in the event
    record: dict[str, Any] = field(default_factory=dict)  # merged into the case's data
    documents: list[Doc] = field(default_factory=list)
    identities: list[tuple[str, str]] = field(default_factory=list)
    archive: bool = False  # the case leaves the office: file it in the archive
    # the case whose KK this case changes, linked in the same commit (`Register.set_replaces`)
    replaces: str | None = None
    source_sha256: str = ""  # the saved form this plan came from

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.documents]
