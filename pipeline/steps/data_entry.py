"""SOP step 4, Adm SIAK: the family data entered, checked, and the draft KK (konsep) drawn."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline.domain import family
from pipeline.domain.case import Case
from pipeline.domain.model import Context, Decision, Doc, Env, Transition
from pipeline.render import documents, kk
from pipeline.steps.base import Handler, Record
from pipeline.steps.verification import ACTIVE
from pipeline.store.register import Register

KONSEP = "KONSEP"


class DataEntry(Handler):
    fields = (*family.HEADER_KEYS,
              *(family.form_field(slot, key) for slot in range(1, family.MAX_MEMBERS + 1)
                for key in family.MEMBER_KEYS))

    def fields_help(self) -> str:
        keys = ", ".join(family.MEMBER_KEYS)
        return f"{', '.join(family.HEADER_KEYS)}, a1_<kunci> .. a10_<kunci> ({keys})"

    def prefill(self, case: Case) -> dict[str, Any]:
        d = case.data
        if d.get("keluarga"):
            return dict(family.to_form_fields(d["keluarga"], area=None))  # normalised at entry
        # what step 3 established: the applicant's documents
        return {"a1_nama_lengkap": d.get("nama_pemohon", ""),
                "a1_no_paspor": d.get("no_paspor", ""), "a1_no_kitap": d.get("no_kitap", ""),
                "a1_status_hubungan": "KEPALA KELUARGA"}

    def layout_data(self, case: Case) -> dict[str, Any]:
        # the analyst's reason when the draft came back (the layout's name for it)
        return {"catatan_analis": case.data.get(f"catatan_kembali_{self.step.number}", "")}

    def context(self, reg: Register, case: Case, d: Decision, ctx: Context) -> Context:
        niks: dict[str, str] = {}
        for nik in family.niks(family.from_form_fields(d.fields, area=ctx.cfg.area)):
            for other in reg.same_identity(case.id, "nik", nik):
                if other.status in ACTIVE:
                    niks[nik] = other.id
        return Context(cfg=ctx.cfg, today=ctx.today, other_kk_niks=niks)

    def rule(self, d: Decision, ctx: Context, problems: list[str]) -> Record:
        area = ctx.cfg.area  # the office's own regency: address and No. KK
        data = family.from_form_fields(d.fields, area=area)
        if d.approve:
            for error in family.validate_form_fields(d.fields, today=ctx.today,
                                                     other_kk_niks=ctx.other_kk_niks,
                                                     area=area):
                problems.append(f"{error.label}: {error.message}")
        return {"keluarga": data}, []

    def documents(self, env: Env, case: Case, d: Decision, t: Transition,
                  taken: set[str]) -> list[Doc]:
        name = documents.numbered(self.step.number, self.step.document or "", taken)
        t.record["konsep"] = name  # the draft the reviewers read next
        keluarga = t.record["keluarga"]
        office = env.cfg.office_data()

        def write(path: Path) -> None:
            kk.render_kk(keluarga, path, office=office, case_id=case.id, issued=None,
                         watermark=KONSEP)
        # like every decision, the form it was made on is filed flat (PDF/A) beside the draft
        form = documents.numbered(self.step.number, self.step.form_copy or "", taken)
        return [Doc(name, write), self.filed_form(env, case, d, t, form)]

    def identities(self, data: Mapping[str, Any]) -> list[tuple[str, str]]:
        pairs = []
        for m in data.get("keluarga", {}).get("anggota", []):
            pairs += [("nik", m.get("nik", "")),
                      ("nama_lahir", f"{m.get('nama_lengkap', '')}|{m.get('tanggal_lahir', '')}"),
                      ("paspor", m.get("no_paspor", "")), ("kitap", m.get("no_kitap", ""))]
        return pairs


HANDLER = DataEntry
