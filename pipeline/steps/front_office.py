"""SOP step 2, the front office: the checklist, and the collection slip when it is complete."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline import services
from pipeline.domain import model, sop
from pipeline.domain.case import Case
from pipeline.domain.model import Context, Decision, Doc, Env, Transition
from pipeline.render import documents
from pipeline.services import Service
from pipeline.steps.base import Handler, Record, flag
from pipeline.store.register import Register

# field, what it proves, required for setuju: the KK WNA service's requirements (the data
# lives in `pipeline.services.kk_wna`; this shape stays for the modules reading it)
CHECKLIST = tuple((r.key, r.label, r.required) for r in services.default().requirements)
SLIP = sop.SLIP


def hints_from_names(names: Sequence[str], service: Service | None = None) -> dict[str, bool]:
    """Pre-tick the checklist of *service* (KK WNA by default) from the scans' file names
    (INTERFACE.md): a requirement is ticked when a name holds one of its hint words."""
    lowered = [n.lower() for n in names]
    return {r.key: any(w in n for n in lowered for w in r.hints)
            for r in (service or services.default()).requirements}


# a paper is there or not (ADA); the applicant's coming in person is a yes or no (YA)
PRESENCE = "cek_hadir_sendiri"


def checklist_rows(data: Mapping[str, Any],
                   service: Service | None = None) -> list[dict[str, str]]:
    """The front office's ticks as the verifier's sheet lists them (the requirements of
    *service*, KK WNA's by default)."""
    ticks = data.get("checklist", {})

    def answer(key: str) -> str:
        if key == PRESENCE:
            return "YA" if ticks.get(key) else "TIDAK"
        return "ADA" if ticks.get(key) else "TIDAK ADA"
    return [{"persyaratan": r.label, "ada": answer(r.key)}
            for r in (service or services.default()).requirements]


class FrontOffice(Handler):
    """The checklist: its lines, ticks and rule are its service's requirements."""

    fields: tuple[str, ...] = ("nama_pemohon", *(key for key, _, _ in CHECKLIST))

    def __init__(self, service: Service, number: int) -> None:
        super().__init__(service, number)
        self.fields = ("nama_pemohon", *(r.key for r in service.requirements))

    def on_enter(self, reg: Register, case: Case) -> None:
        case.data.setdefault("checklist_hint", hints_from_names(
            case.data.get("berkas", []), self.service))

    def prefill(self, case: Case) -> dict[str, Any]:
        # the drop's name is only a first guess at the applicant's name: the clerk corrects it
        return {"nama_pemohon": model.applicant_name(case),
                **case.data.get("checklist_hint", {})}

    def layout_data(self, case: Case) -> dict[str, Any]:
        d = case.data
        return {"berkas": [{"nama": n, "halaman": str(p)} for n, p in
                           zip(d.get("berkas", []), d.get("halaman", []), strict=False)],
                # the checklist's lines (layouts/checklist.toml `source = "persyaratan"`)
                "persyaratan": [{"field": r.key, "label": r.line}
                                for r in self.service.requirements]}

    def rule(self, d: Decision, ctx: Context, problems: list[str]) -> Record:
        needed = self.service.requirements
        ticks = {r.key: flag(d.fields, r.key, r.label, problems) for r in needed}
        missing = [r.label for r in needed if r.required and not ticks[r.key]]
        if d.approve and missing:
            problems.append("belum lengkap untuk diteruskan: " + ", ".join(missing))
        name = " ".join(d.fields.get("nama_pemohon", "").split()).upper()
        if d.approve and not name:
            problems.append("Nama pemohon belum diisi (sesuai paspor)")
        record: dict[str, Any] = {"checklist": ticks}
        if name:
            record["nama_pemohon"] = name
        return record, missing

    def documents(self, env: Env, case: Case, d: Decision, t: Transition,
                  taken: set[str]) -> list[Doc]:
        name = documents.numbered(self.step.number, self.step.document or "", taken)
        filed = [self.filed_form(env, case, d, t, name)]
        if t.approve:
            case.collection_code = case.collection_code or documents.collection_code()
            filed.append(self.slip(env, case, t))
        return filed

    def slip(self, env: Env, case: Case, t: Transition) -> Doc:
        """The collection slip the applicant keeps; its code is drawn before the plan."""
        assert case.collection_code
        data = {**documents.base_data(env.cfg, case), **documents.officer_data(t.officer),
                "kode_pengambilan": case.collection_code}
        number = self.step.number

        def write(path: Path) -> Path:
            return documents.render_filed(env.home, "tanda_bukti", data, path, case=case,
                                          step=number)
        return Doc(sop.document_name(number, SLIP), write, to_print=True)


HANDLER = FrontOffice
