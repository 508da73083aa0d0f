"""SOP step 3, the verifier: documents valid and not expired, and no duplicate data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.domain import family, model
from pipeline.domain.case import Case
from pipeline.domain.model import Context, Decision, Doc, Duplicate, Env, Refused, Transition
from pipeline.render import documents
from pipeline.steps.base import Handler, Record, flag
from pipeline.steps.front_office import checklist_rows
from pipeline.store.register import Register

ACTIVE = ("intake", "open", "issued")  # cases the duplicate-data check compares against
DATES = (("paspor_berlaku_sampai", "Paspor", "Masa berlaku paspor"),
         ("kitap_berlaku_sampai", "KITAP", "Masa berlaku KITAP"))


def duplicates(reg: Register, case: Case, paspor: str = "", kitap: str = "") -> list[Duplicate]:
    """Other open or issued cases with the same passport, KITAP, or applicant name."""
    found: dict[tuple[str, str], Duplicate] = {}
    checks = [("paspor", paspor.strip().upper(), "paspor sama"),
              ("kitap", kitap.strip().upper(), "KITAP sama"),
              ("nama", case.title, "nama sama")]
    for kind, value, what in checks:
        for other in reg.same_identity(case.id, kind, value) if value else []:
            if other.status in ACTIVE:
                found.setdefault((other.id, what), Duplicate(other.id, other.title,
                                                             other.status, what))
    return list(found.values())


def duplicate_rows(found: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"nomor_register": x["case_id"], "nama": x["title"], "kesamaan": x["what"],
             "status": model.STATUS.get(x["status"], x["status"])}
            for x in found]


class Verification(Handler):
    fields: tuple[str, ...] = ("no_paspor", "paspor_berlaku_sampai", "no_kitap",
                               "kitap_berlaku_sampai", "data_valid", "bukan_data_ganda")

    def on_enter(self, reg: Register, case: Case) -> None:
        # the duplicate check the verifier finds pre-filled on the sheet
        case.data["data_ganda_awal"] = [x.__dict__ for x in duplicates(reg, case)]

    def prefill(self, case: Case) -> dict[str, Any]:
        return {"bukan_data_ganda": not case.data.get("data_ganda_awal")}

    def layout_data(self, case: Case) -> dict[str, Any]:
        return {"diterima_front_office": checklist_rows(case.data, self.service),
                "data_ganda": duplicate_rows(case.data.get("data_ganda_awal", []))}

    def form_data(self, env: Env, case: Case, extra: Mapping[str, Any]) -> dict[str, Any]:
        extra = dict(extra)
        found = extra.pop("data_ganda", None)
        data = super().form_data(env, case, extra)
        if found is not None:  # the register's matches at the moment of the decision
            data["data_ganda"] = duplicate_rows(found)
            data["fields"].setdefault("bukan_data_ganda", not found)
        return data

    def context(self, reg: Register, case: Case, d: Decision, ctx: Context) -> Context:
        found = duplicates(reg, case, d.fields.get("no_paspor", ""), d.fields.get("no_kitap", ""))
        return Context(cfg=ctx.cfg, today=ctx.today, duplicates=found)

    def rule(self, d: Decision, ctx: Context, problems: list[str]) -> Record:
        f = d.fields
        record: dict[str, Any] = {k: (f.get(k) or "").strip().upper() for k in
                                  ("no_paspor", "paspor_berlaku_sampai", "no_kitap",
                                   "kitap_berlaku_sampai")}
        valid = flag(f, "data_valid", "Data valid", problems)
        not_duplicate = flag(f, "bukan_data_ganda", "Bukan data ganda", problems)
        record.update(data_valid=valid, bukan_data_ganda=not_duplicate)
        record["data_ganda"] = [dup.__dict__ for dup in ctx.duplicates]
        if not d.approve:
            return record, []
        for key, label in (("no_paspor", "Nomor paspor"), ("no_kitap", "Nomor KITAP")):
            if not record[key]:
                problems.append(f"{label} belum diisi")
        if record["no_paspor"] and not family.valid_paspor(record["no_paspor"]):
            problems.append("Nomor paspor: 1-9 huruf atau angka (ICAO 9303), "
                            "misalnya A1234567")
        if record["no_kitap"] and not family.valid_kitap(record["no_kitap"]):
            problems.append("Nomor KITAP: 6-20 huruf, angka atau tanda hubung, "
                            "misalnya 2C21JD0001-A")
        for key, what, label in DATES:
            text = record[key]
            day = family.parse_date(text) if text else None
            if not text:
                problems.append(f"{label} belum diisi: tulis HH-BB-TTTT, misalnya 12-01-2032")
            elif day is None:
                problems.append(f"{label} tidak valid ({text!r}): tulis HH-BB-TTTT, "
                                f"misalnya 12-01-2032")
            elif day < ctx.today:
                problems.append(f"{what} sudah tidak berlaku sejak {text}: berkas tidak dapat "
                                f"disetujui dan harus dikembalikan kepada pemohon")
        strong = [dup for dup in ctx.duplicates if dup.what != "nama sama"]
        if strong:
            listed = ", ".join(f"{dup.case_id} ({dup.what}, "
                               f"{model.STATUS.get(dup.status, dup.status)})"
                               for dup in strong)
            problems.append(f"data ganda: {listed}; berkas harus dikembalikan kepada pemohon")
        if not valid:
            problems.append("'Data valid' belum dicentang")
        if not not_duplicate and not strong:
            problems.append("'Bukan data ganda' belum dicentang")
        return record, []

    def refused(self, case: Case, d: Decision, refused: Refused,
                ctx: Context) -> dict[str, Any] | None:
        # the sheet itself says why (expired document, duplicate data ...) and lists what
        # the register holds, keeping what the verifier typed; the decision is asked again
        typed = {k: v for k, v in d.fields.items() if k != "keputusan"}
        if any(dup.what != "nama sama" for dup in ctx.duplicates):
            typed["bukan_data_ganda"] = "tidak"  # it is a duplicate: never leave it ticked
        return {"fields": typed, "peringatan": "; ".join(refused.problems),
                "data_ganda": [x.__dict__ for x in ctx.duplicates]}

    def documents(self, env: Env, case: Case, d: Decision, t: Transition,
                  taken: set[str]) -> list[Doc]:
        name = documents.numbered(self.step.number, self.step.document or "", taken)
        return [self.filed_form(env, case, d, t, name,
                                extra={"data_ganda": t.record.get("data_ganda", [])})]

    def identities(self, data: Mapping[str, Any]) -> list[tuple[str, str]]:
        return [("paspor", data.get("no_paspor", "")), ("kitap", data.get("no_kitap", ""))]


HANDLER = Verification
