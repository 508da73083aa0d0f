"""What every step handler has: the defaults a step overrides.

A handler answers, for its step: what its desk form is pre-filled with, its rules, which
documents a decision files under which names, which identities it records for the
duplicate-data check, and what it leaves for the next step. It never writes: it returns
`Doc`s whose `write` draws a document when `flow` carries the plan out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pipeline.domain import sop
from pipeline.domain.actions import Action
from pipeline.domain.case import Case
from pipeline.domain.model import Context, Decision, Doc, Env, Plan, Refused, Transition
from pipeline.office.config import Officer
from pipeline.render import documents
from pipeline.services import Service
from pipeline.store.register import Register

YES = {"ya", "y", "yes", "true", "1", "on"}
NO = {"tidak", "t", "no", "false", "0", "off", ""}
RETURN_LETTER = "surat pengembalian berkas"
# fields every desk form has (INTERFACE.md), besides a step's own
COMMON_FIELDS = ("kasus", "langkah", "keputusan", "catatan", "petugas_nama", "petugas_nip")

Record = tuple[dict[str, Any], list[str]]  # what a decision established; what is missing
Executor = Callable[[Env, Register, Case, Plan], None]  # flow.carry_out, passed in (no cycle)


def truthy(value: str | bool | None) -> bool:
    if isinstance(value, bool):
        return value
    text = (value or "").strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"isi 'ya' atau 'tidak', bukan {value!r}")


def flag(fields: Mapping[str, str], key: str, label: str, problems: list[str]) -> bool:
    try:
        return truthy(fields.get(key, ""))
    except ValueError:
        problems.append(f"{label}: isi 'ya' atau 'tidak', bukan {fields.get(key)!r}")
        return False


class Handler:
    """A step decided by a person; subclasses override what their step does differently."""

    fields: tuple[str, ...] = ()  # the step's own form fields (besides COMMON_FIELDS)
    approved = Action.APPROVED  # the event an approval records

    def __init__(self, service: Service, number: int) -> None:
        self.service = service  # the table the step belongs to: what follows it, its desks
        self.step = service.step(number)

    # --- the desk form --------------------------------------------------------------------

    def prefill(self, case: Case) -> dict[str, Any]:
        """Field values the form is placed with."""
        return {}

    def layout_data(self, case: Case) -> dict[str, Any]:
        """What the form's layout shows besides its fields."""
        return {}

    def attachment(self, env: Env, case: Case) -> Path | None:
        """A document the form carries behind its own page (the draft KK for reviews)."""
        return None

    def on_enter(self, reg: Register, case: Case) -> None:
        """Prepare the case's data when it arrives at this step (before its form is placed)."""

    def form_data(self, env: Env, case: Case, extra: Mapping[str, Any]) -> dict[str, Any]:
        """The data the form's layout gets: the case, the pre-filled fields, *extra* on top."""
        data = documents.base_data(env.cfg, case)
        data.update(self.layout_data(case))
        extra = dict(extra)  # taken apart below; the caller's stays whole
        data["fields"] = {**self.prefill(case), **extra.pop("fields", {})}
        data.update(extra)
        return data

    def draw_form(self, env: Env, case: Case, extra: Mapping[str, Any], path: Path) -> Path:
        """Draw the desk form at *path*."""
        return documents.render_form(env.home, self.step.layout or "",
                                     self.form_data(env, case, extra), path, case=case,
                                     step=self.step.number, attach=self.attachment(env, case))

    # --- the decision ---------------------------------------------------------------------

    def take_desk_file(self, env: Env, reg: Register, case: Case, path: Path, digest: str,
                       carry_out: Executor) -> str:
        """A file saved on the desk of a step not decided by a form's fields (a signature,
        the hand-over): what happened to it; raises Refused to leave it there with its
        problems beside it. By default nothing: it is left untouched."""
        return "untouched"

    def context(self, reg: Register, case: Case, d: Decision, ctx: Context) -> Context:
        """What the rules need from the register besides the decision."""
        return ctx

    def rule(self, d: Decision, ctx: Context, problems: list[str]) -> Record:
        """Add this step's problems; return what the decision established."""
        return {}, []

    def refused(self, case: Case, d: Decision, refused: Refused,
                ctx: Context) -> dict[str, Any] | None:
        """A refused decision from a form: what to place the form again with (None: the
        form stays as it is, with its error file)."""
        return None

    def documents(self, env: Env, case: Case, d: Decision, t: Transition,
                  taken: set[str]) -> list[Doc]:
        """The documents this decision files (besides the return letter)."""
        return []

    def detail(self, d: Decision, t: Transition) -> dict[str, Any]:
        """What the event keeps of the decision besides the note and its record."""
        return {}

    def hand_over(self, case: Case, d: Decision, t: Transition) -> dict[str, Any]:
        """What the decision leaves in the case's data for the step it sends the case to:
        a return inside the office leaves its reason for the form of the step before."""
        if t.approve or t.next_step is None:
            return {}
        who = f"{t.officer.nama}, {self.step.role.name}, putaran {t.round}"
        return {f"catatan_kembali_{t.next_step}": f"{d.note.strip()} ({who})"}

    def fields_help(self) -> str:
        """The step's own fields, as `kkwna decide --help` lists them."""
        return ", ".join(self.fields) or "(tidak ada)"

    def identities(self, data: Mapping[str, Any]) -> list[tuple[str, str]]:
        """What the duplicate-data check will find the case by once this step is decided."""
        return []

    def replaces(self, record: Mapping[str, Any]) -> str | None:
        """The case whose KK an approval of this step names as the one this case changes
        (the register links them in the same commit); None: this step links nothing."""
        return None

    # --- shared documents -----------------------------------------------------------------

    def filed_form(self, env: Env, case: Case, d: Decision, t: Transition,
                   name: str, attach: Path | Callable[[Path], object] | None = None,
                   extra: Mapping[str, Any] | None = None) -> Doc:
        """The filled form, drawn flat as a PDF/A copy for the case folder; *attach* is a
        document behind it, or how to draw one (into a temporary file beside it)."""
        data = self.form_data(env, case, extra or {})
        data.update(documents.officer_data(t.officer))
        data["fields"] = {**dict(d.fields), "keputusan": "setuju" if t.approve else "kembalikan",
                          "catatan": d.note, "petugas_nama": t.officer.nama,
                          "petugas_nip": t.officer.nip_display}
        layout, number = self.step.layout or "", self.step.number

        def write(path: Path) -> None:
            if not callable(attach):
                documents.render_filed(env.home, layout, data, path, case=case, step=number,
                                       attach=attach)
                return
            drawn = path.with_name(f".lampiran-{path.name}")
            try:
                attach(drawn)
                documents.render_filed(env.home, layout, data, path, case=case, step=number,
                                       attach=drawn)
            finally:
                drawn.unlink(missing_ok=True)
        return Doc(name, write)

    def return_letter(self, env: Env, case: Case, d: Decision, t: Transition) -> Doc:
        """The letter returning the application to the applicant (a copy to print/)."""
        step = self.step
        data = {**documents.base_data(env.cfg, case), **documents.officer_data(t.officer),
                "nomor": f"{case.id}/{step.number:02d}",
                "langkah_nama": f"Langkah {step.number}: {step.action} ({step.role.name})",
                "alasan": d.note.strip(), "kekurangan": t.missing}

        def write(path: Path) -> Path:
            return documents.render_filed(env.home, "surat_pengembalian", data, path,
                                          case=case, step=step.number)
        return Doc(sop.document_name(step.number, RETURN_LETTER), write, to_print=True)


class Automatic(Handler):
    """A step nothing human decides (the TTE request, printing): the pipeline carries it
    out as soon as the case reaches it, recorded under the officer of the step's role who
    last acted on the case."""

    action = Action.CARRIED_OUT

    def acting_officer(self, env: Env, reg: Register, case: Case) -> Officer:
        role = self.step.role.key
        for event in reversed(reg.events(case.id)):
            officer = env.cfg.officer(event["officer_nip"], role) if event["officer_nip"] \
                else None
            if officer is not None:
                return officer
        return env.cfg.officers_for(role)[0]

    def run(self, env: Env, reg: Register, case: Case, taken: set[str]) -> Plan:
        """The plan of carrying the step out now."""
        raise NotImplementedError
