"""The SOP's rules as pure decisions: given a case and a decision, what happens next.

No I/O here. A desk form, a `kkwna decide`/`kkwna enter` command, or (later) a signed
PDF all become a `Decision`; `judge` returns either the problems that refuse it (in
Indonesian, for the form's .error.txt or the terminal) or the `Transition` the shell
then carries out: documents to file, the next desk, or the return to the applicant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pipeline import family, sop
from pipeline.config import Config, Officer, only_digits
from pipeline.register import Case

YES = {"ya", "y", "yes", "true", "1", "on"}
NO = {"tidak", "t", "no", "false", "0", "off", ""}

CHECKLIST = (  # step 2: field, what it proves, required for setuju
    ("cek_formulir", "Formulir permohonan KK (F-1.01)", True),
    ("cek_kitap", "KITAP dari kantor imigrasi", True),
    ("cek_paspor", "Paspor", False),
    ("cek_hadir_sendiri", "Pemohon datang sendiri (tidak dikuasakan)", True),
)
VERIFICATION_DATES = (("paspor_berlaku_sampai", "Paspor"), ("kitap_berlaku_sampai", "KITAP"))


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
    duplicates: Sequence[Duplicate] = ()  # the register check for this case (step 3)
    other_kk_niks: Mapping[str, str] = field(default_factory=dict)  # NIK -> other case (step 4)


@dataclass
class Transition:
    officer: Officer
    approve: bool
    step: int
    round: int
    next_step: int | None  # None: the case leaves the desks (returned)
    status: str  # open | returned
    record: dict[str, Any]  # what the decision established, kept in the case's data
    missing: list[str] = field(default_factory=list)  # for the return letter


class Refused(Exception):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def truthy(value: str | bool | None) -> bool:
    if isinstance(value, bool):
        return value
    text = (value or "").strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"expected ya/tidak, got {value!r}")


def _flag(fields: Mapping[str, str], key: str, problems: list[str]) -> bool:
    try:
        return truthy(fields.get(key, ""))
    except ValueError:
        problems.append(f"{key}: isi 'ya' atau 'tidak', bukan {fields.get(key)!r}")
        return False


def _officer(d: Decision, ctx: Context, problems: list[str]) -> Officer | None:
    step = sop.step(d.step)
    if not only_digits(d.officer_nip):
        problems.append("NIP petugas (petugas_nip) belum diisi")
        return None
    officer = ctx.cfg.officer(d.officer_nip, step.role.key)
    if officer is None:
        problems.append(f"NIP {d.officer_nip} bukan {step.role.name} yang terdaftar di "
                        f"kkwna.toml")
        return None
    if d.officer_name.strip() and d.officer_name.strip().upper() != officer.nama.upper():
        problems.append(f"nama petugas tidak sesuai dengan NIP {officer.nip_display} "
                        f"(terdaftar: {officer.nama})")
    return officer


def judge(case: Case, d: Decision, ctx: Context) -> Transition:
    """The transition this decision causes, or `Refused` listing every problem."""
    step = sop.step(d.step)
    if case.status != "open" or case.step != d.step:
        raise Refused([f"kasus {case.id} tidak sedang menunggu langkah {d.step} "
                       f"(status {case.status}, langkah {case.step})"])
    problems: list[str] = []
    officer = _officer(d, ctx, problems)
    if d.approve is None:
        problems.append("keputusan belum dipilih (setuju atau kembalikan)")
    elif not d.approve:
        if step.returns_to is None:
            problems.append(f"langkah {d.step} tidak dapat dikembalikan")
        if not d.note.strip():
            problems.append("catatan wajib diisi bila berkas dikembalikan")
    rule = _RULES.get(d.step)
    record, missing = rule(d, ctx, problems) if rule else ({}, [])
    if problems or officer is None:
        raise Refused(problems)
    assert d.approve is not None
    if d.approve:
        next_step: int | None = d.step + 1
        status = "open"
    else:
        target = step.returns_to
        next_step = None if target == sop.APPLICANT else target
        status = "returned" if next_step is None else "open"
    return Transition(officer=officer, approve=d.approve, step=d.step, round=case.round(d.step),
                      next_step=next_step, status=status, record=record, missing=missing)


# --- per-step rules: each adds its problems and returns (record, missing) -----------------

def _checklist(d: Decision, ctx: Context, problems: list[str]) -> tuple[dict[str, Any], list[str]]:
    ticks = {key: _flag(d.fields, key, problems) for key, _, _ in CHECKLIST}
    missing = [label for key, label, required in CHECKLIST if required and not ticks[key]]
    if d.approve and missing:
        problems.append("belum lengkap untuk diteruskan: " + ", ".join(missing))
    return {"checklist": ticks}, missing


def _verification(d: Decision, ctx: Context,
                  problems: list[str]) -> tuple[dict[str, Any], list[str]]:
    f = d.fields
    record: dict[str, Any] = {k: (f.get(k) or "").strip().upper() for k in
                              ("no_paspor", "paspor_berlaku_sampai", "no_kitap",
                               "kitap_berlaku_sampai")}
    valid = _flag(f, "data_valid", problems)
    not_duplicate = _flag(f, "bukan_data_ganda", problems)
    record.update(data_valid=valid, bukan_data_ganda=not_duplicate)
    record["data_ganda"] = [dup.__dict__ for dup in ctx.duplicates]
    if not d.approve:
        return record, []
    for key, label in (("no_paspor", "Nomor paspor"), ("no_kitap", "Nomor KITAP")):
        if not record[key]:
            problems.append(f"{label} ({key}) belum diisi")
    if record["no_paspor"] and not family.valid_paspor(record["no_paspor"]):
        problems.append("no_paspor: nomor paspor 1-9 huruf/angka (ICAO 9303)")
    if record["no_kitap"] and not family.valid_kitap(record["no_kitap"]):
        problems.append("no_kitap: nomor KITAP 6-20 huruf, angka atau tanda hubung")
    for key, label in VERIFICATION_DATES:
        text = record[key]
        day = family.parse_date(text) if text else None
        if not text:
            problems.append(f"{key}: masa berlaku {label} belum diisi (DD-MM-YYYY)")
        elif day is None:
            problems.append(f"{key}: tanggal tidak valid {text!r} (DD-MM-YYYY)")
        elif day < ctx.today:
            problems.append(f"{label} sudah tidak berlaku sejak {text}: berkas tidak dapat "
                            f"disetujui dan harus dikembalikan kepada pemohon")
    strong = [dup for dup in ctx.duplicates if dup.what != "nama sama"]
    if strong:
        listed = ", ".join(f"{dup.case_id} ({dup.what}, {dup.status})" for dup in strong)
        problems.append(f"data ganda: {listed}; berkas harus dikembalikan kepada pemohon")
    if not valid:
        problems.append("data_valid belum dicentang")
    if not not_duplicate:
        problems.append("bukan_data_ganda belum dicentang")
    return record, []


def _data_entry(d: Decision, ctx: Context, problems: list[str]) -> tuple[dict[str, Any], list[str]]:
    data = family.normalise(family.from_form_fields(d.fields))
    if d.approve:
        for error in family.validate_form_fields(d.fields, today=ctx.today,
                                                 other_kk_niks=ctx.other_kk_niks):
            problems.append(f"{error.label} ({error.field}): {error.message}")
    return {"keluarga": data}, []


def _review(d: Decision, ctx: Context, problems: list[str]) -> tuple[dict[str, Any], list[str]]:
    matches = _flag(d.fields, "sesuai_berkas", problems)
    if d.approve and not matches:
        problems.append("sesuai_berkas belum dicentang: konsep KK harus sesuai dengan berkas "
                        "permohonan untuk diteruskan")
    return {f"koreksi_{d.step}": {"sesuai_berkas": matches, "catatan": d.note.strip()}}, []


_RULES = {2: _checklist, 3: _verification, 4: _data_entry, 5: _review, 6: _review}


def hints_from_names(names: Sequence[str]) -> dict[str, bool]:
    """Pre-tick the checklist from the scans' file names (INTERFACE.md)."""
    lowered = [n.lower() for n in names]

    def any_of(*words: str) -> bool:
        return any(w in n for n in lowered for w in words)

    return {
        "cek_formulir": any_of("formulir", "f-1.01", "f101", "f1.01", "f-101"),
        "cek_kitap": any_of("kitap"),
        "cek_paspor": any_of("paspor", "passport"),
        "cek_hadir_sendiri": False,  # only the clerk can tell
    }
