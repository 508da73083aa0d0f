"""The SOP (800/003-SOP/DUKCAPIL/2022) as data: 11 steps, 8 roles.

Status, desks, documents and reports read this table; nothing else hard-codes step
numbers, roles or standard times.
"""

from __future__ import annotations

from dataclasses import dataclass

APPLICANT = 0  # "returned to the applicant"


@dataclass(frozen=True)
class Role:
    key: str
    name: str  # as the SOP names it


@dataclass(frozen=True)
class Step:
    number: int
    role: Role
    action: str  # what happens, in the SOP's words (short)
    minutes: float  # standard time (mutu baku)
    output: str  # the output document, in the SOP's words
    document: str | None  # the case document the step files: "NN <what>.pdf" without NN
    desk: str | None  # the desk folder under desks/, for steps done on a form
    returns_to: int | None  # where "kembalikan" goes: a step, APPLICANT, or None (no return)


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
    Step(1, PEMOHON, "Mengajukan berkas permohonan", 1, "Berkas persyaratan",
         "berkas permohonan", None, None),
    Step(2, FRONT_OFFICE, "Menerima berkas pemohon", 1,
         "Berkas permohonan dikoreksi dan lembar checklist yang telah diparaf",
         "lembar checklist", "02-front-office", APPLICANT),
    Step(3, VERIFIKATOR, "Memverifikasi berkas persyaratan", 10,
         "Berkas permohonan, lembar checklist dan lembar verifikasi yang ditandatangani",
         "lembar verifikasi", "03-verifikator", APPLICANT),
    Step(4, ADM_SIAK, "Menginput data dan mencetak konsep KK", 5, "Konsep KK",
         "konsep KK", "04-adm-siak", None),
    Step(5, ANALIS, "Mengoreksi konsep KK", 1, "Konsep KK yang telah dikoreksi",
         "konsep KK dikoreksi", "05-analis", 4),
    Step(6, KEPALA_BIDANG, "Mengoreksi dan memaraf konsep KK", 1,
         "Konsep KK yang telah diparaf", "konsep KK diparaf", "06-kepala-bidang", 5),
    Step(7, ADM_SIAK, "Mengajukan TTE kepada Kepala Dinas", 0.5, "Draf TTE KK",
         "draf TTE KK", None, None),
    Step(8, KEPALA_DINAS, "Persetujuan TTE", 0.5,
         "Berkas permohonan dan KK yang sudah ditandatangani", "kartu keluarga WNA",
         "08-kepala-dinas", None),
    Step(9, ADM_SIAK, "Mencetak KK yang sudah mendapat persetujuan TTE", 0.5,
         "Kartu Keluarga WNA", None, None, None),
    Step(10, ADM_SIAK, "Menyerahkan ke bagian pengambilan dokumen", 1, "Kartu Keluarga WNA",
         None, "10-penyerahan", None),
    Step(11, PEMOHON, "Menerima KK dengan menunjukkan tanda bukti pengambilan", 0.5,
         "Kartu Keluarga WNA", "tanda terima penyerahan", None, None),
)

TOTAL_MINUTES = 22  # the service standard's promise


def step(number: int) -> Step:
    for s in STEPS:
        if s.number == number:
            return s
    raise KeyError(f"no SOP step {number}")


def step_of_desk(folder: str) -> Step | None:
    return next((s for s in STEPS if s.desk == folder), None)


def desks() -> list[str]:
    return [s.desk for s in STEPS if s.desk]


def document_name(number: int, what: str, round_no: int = 1) -> str:
    """`NN what.pdf`, with ` (k)` for later rounds of a loop."""
    suffix = f" ({round_no})" if round_no > 1 else ""
    return f"{number:02d} {what}{suffix}.pdf"


def role(key: str) -> Role:
    for r in ROLES:
        if r.key == key:
            return r
    raise KeyError(key)
