"""The SOP (800/003-SOP/DUKCAPIL/2022) as data: 11 steps, 8 roles.

Status, desks, documents and reports read this table; the step handlers in
`pipeline.steps` carry out what each step does. Nothing else names a step number.

This table is the KK WNA service's (`pipeline.services.kk_wna` builds the service value from
it); the module-level names here are that service's and stay for the modules importing them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

APPLICANT = 0  # "returned to the applicant"


class Kind(Enum):
    """How a step is decided."""

    INTAKE = "intake"  # scans dropped into inbox/ (step 1)
    DESK = "desk"  # a fillable form on a role's desk, or `kkwna decide`
    AUTOMATIC = "automatic"  # nothing human decides: the pipeline carries it out at once
    SIGNATURE = "signature"  # the head of office's electronic signature (TTE)
    HANDOVER = "handover"  # the KK handed over against the collection slip


@dataclass(frozen=True)
class Role:
    key: str
    name: str  # as the SOP names it


@dataclass(frozen=True)
class Step:
    number: int
    role: Role  # who acts, in the SOP's words
    action: str  # what happens, in the SOP's words (short)
    minutes: float  # standard time (mutu baku)
    output: str  # the output document, in the SOP's words
    kind: Kind
    document: str | None  # the case document the step files: "NN <what>.pdf" without NN
    desk: str | None = None  # the desk folder under desks/ where its work waits
    form: str | None = None  # the desk form's name: "<case> <TITLE> - <form>.pdf"
    layout: str | None = None  # the layout (layouts/<name>.toml) of the form and filed copy
    returns_to: int | None = None  # where "kembalikan" goes: a step, APPLICANT, or None
    decided_by: Role | None = None  # who decides it, when not the role that acts
    # the filed flat copy of the desk form, when `document` is something else (step 4 files
    # the draft KK it drew and the form it was drawn from); else `document` is that copy
    form_copy: str | None = None
    handler: str | None = None  # the key of its handler (`pipeline.steps`); None: intake

    @property
    def decider(self) -> Role:
        return self.decided_by or self.role

    @property
    def waits_for(self) -> str:
        """What a case on this step waits for, as `kkwna status` says it."""
        if self.desk:
            return f"desks/{self.desk}"
        return f"{self.action.lower()} (otomatis)"


PEMOHON = Role("pemohon", "Pemohon")
FRONT_OFFICE = Role("front_office", "Front Office")
VERIFIKATOR = Role("verifikator", "Verifikator")
ADM_SIAK = Role("adm_siak", "Adm SIAK Identitas Penduduk")
ANALIS = Role("analis", "Jf. Analis Kebijakan")
KEPALA_BIDANG = Role("kepala_bidang", "Kepala Bidang")
KEPALA_DINAS = Role("kepala_dinas", "Kepala Dinas")
PENYERAHAN = Role("penyerahan", "Petugas Penyerahan Dokumen")

ROLES = (PEMOHON, FRONT_OFFICE, VERIFIKATOR, ADM_SIAK, ANALIS, KEPALA_BIDANG, KEPALA_DINAS,
         PENYERAHAN)
STAFF_ROLES = ROLES[1:]

STEPS: tuple[Step, ...] = (
    Step(1, PEMOHON, "Mengajukan berkas permohonan", 1, "Berkas persyaratan", Kind.INTAKE,
         "berkas permohonan", decided_by=FRONT_OFFICE),
    Step(2, FRONT_OFFICE, "Menerima berkas pemohon", 1,
         "Berkas permohonan dikoreksi dan lembar checklist yang telah diparaf", Kind.DESK,
         "lembar checklist", "02-front-office", "lembar checklist", "checklist", APPLICANT,
         handler="front_office"),
    Step(3, VERIFIKATOR, "Memverifikasi berkas persyaratan", 10,
         "Berkas permohonan, lembar checklist dan lembar verifikasi yang ditandatangani",
         Kind.DESK, "lembar verifikasi", "03-verifikator", "lembar verifikasi", "verifikasi",
         APPLICANT, handler="verification"),
    Step(4, ADM_SIAK, "Menginput data dan mencetak konsep KK", 5, "Konsep KK", Kind.DESK,
         "konsep KK", "04-adm-siak", "formulir input data KK", "input_data",
         form_copy="formulir input data KK", handler="data_entry"),
    Step(5, ANALIS, "Mengoreksi konsep KK", 1, "Konsep KK yang telah dikoreksi", Kind.DESK,
         "konsep KK dikoreksi", "05-analis", "koreksi konsep KK", "review", 4,
         handler="review"),
    Step(6, KEPALA_BIDANG, "Mengoreksi dan memaraf konsep KK", 1,
         "Konsep KK yang telah diparaf", Kind.DESK, "konsep KK diparaf", "06-kepala-bidang",
         "koreksi dan paraf konsep KK", "review", 5, handler="head_review"),
    Step(7, ADM_SIAK, "Mengajukan TTE kepada Kepala Dinas", 0.5, "Draf TTE KK",
         Kind.AUTOMATIC, "draf TTE KK", handler="tte_request"),
    # the SOP names no return for step 8; a card the head will not sign goes back to the
    # head of division, whose paraf sent it up (and who can return it further, to 5 and 4)
    Step(8, KEPALA_DINAS, "Persetujuan TTE", 0.5,
         "Berkas permohonan dan KK yang sudah ditandatangani", Kind.SIGNATURE,
         "kartu keluarga WNA", "08-kepala-dinas", "TTE KK", returns_to=6,
         handler="signature"),
    Step(9, ADM_SIAK, "Mencetak KK yang sudah mendapat persetujuan TTE", 0.5,
         "Kartu Keluarga WNA", Kind.AUTOMATIC, None, handler="printing"),
    # step 10 puts the signed KK on the hand-over desk (and in the collection book); the
    # form waiting there is decided as step 11, when the applicant collects the KK
    Step(10, ADM_SIAK, "Menyerahkan ke bagian pengambilan dokumen", 1, "Kartu Keluarga WNA",
         Kind.AUTOMATIC, None, handler="to_handover_desk"),
    Step(11, PEMOHON, "Menerima KK dengan menunjukkan tanda bukti pengambilan", 0.5,
         "Kartu Keluarga WNA", Kind.HANDOVER, "tanda terima penyerahan", "10-penyerahan",
         "penyerahan KK", "penyerahan", decided_by=PENYERAHAN, handler="collection"),
)

TOTAL_MINUTES = 22  # the service standard's promise
#: which SOP this table is, as the report and the checklist cite it: the service's own
#: data (a second service brings its own SOP)
SOP_NUMBER = "800/003-SOP/DUKCAPIL/2022"
SOP_DATE = date(2022, 8, 1)  # the revision in force
FIRST = STEPS[0]  # intake
FIRST_DESK = next(s for s in STEPS if s.kind is Kind.DESK)


def step(number: int) -> Step:
    for s in STEPS:
        if s.number == number:
            return s
    raise KeyError(f"langkah SOP {number} tidak ada")


def after(number: int) -> Step | None:
    """The step that follows *number*, or None after the last."""
    return next((s for s in STEPS if s.number > number), None)


def step_of_desk(folder: str) -> Step | None:
    return next((s for s in STEPS if s.desk == folder), None)


def desks() -> list[str]:
    return [s.desk for s in STEPS if s.desk]


def decided_at_desk() -> list[Step]:
    """Steps a staff member decides on a desk form (or with `kkwna decide`)."""
    return [s for s in STEPS if s.kind in (Kind.DESK, Kind.HANDOVER)]


def document_name(number: int, what: str, round_no: int = 1) -> str:
    """`NN what.pdf`, with ` (k)` for later rounds of a loop."""
    suffix = f" ({round_no})" if round_no > 1 else ""
    return f"{number:02d} {what}{suffix}.pdf"


def filed_name(kind: Kind) -> str:
    """The document the step of *kind* files, first round: the scans bundled at intake
    (``Kind.INTAKE``), the signed KK (``Kind.SIGNATURE``)."""
    found = next(s for s in STEPS if s.kind is kind and s.document)
    return document_name(found.number, found.document or "")


#: the collection slip the first desk files and prints beside its checklist (voided when
#: the application is returned)
SLIP = "tanda bukti pengambilan"


def slip_name() -> str:
    return document_name(FIRST_DESK.number, SLIP)


def role(key: str) -> Role:
    for r in ROLES:
        if r.key == key:
            return r
    raise KeyError(key)
