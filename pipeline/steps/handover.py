"""SOP steps 10 and 11: the signed KK goes to the hand-over desk, and the applicant collects
it in person against the code on the collection slip."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pipeline import services
from pipeline.domain import clock, model, names
from pipeline.domain.actions import Action
from pipeline.domain.case import Case
from pipeline.domain.errors import UserError
from pipeline.domain.model import Context, Decision, Doc, Env, Plan, Transition
from pipeline.domain.sop import Kind
from pipeline.render import documents
from pipeline.steps.base import Automatic, Handler, Record
from pipeline.store.register import Register

RECEIPT_LAYOUT = "tanda_terima"


def normal_code(text: str) -> str:
    """A collection code as typed or scanned: `abcd efgh`, `ABCDEFGH` -> `ABCD-EFGH`."""
    raw = re.sub(r"[^A-Z0-9]", "", text.upper())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def case_of_code(reg: Register, code: str) -> Case:
    """The case waiting for collection against *code*, or why none is (in Indonesian)."""
    wanted = normal_code(code)
    case = reg.by_collection_code(wanted) if wanted else None
    if case is None:
        raise UserError(f"kode pengambilan {code!r} tidak dikenal: periksa tanda bukti "
                        f"pengambilan pemohon")
    if case.status == "returned":
        raise UserError(f"kode {wanted} milik berkas {case.id} yang sudah dikembalikan kepada "
                        f"pemohon: tidak ada KK untuk diserahkan")
    if case.status == "issued":
        raise UserError(f"kode {wanted} sudah dipakai: KK kasus {case.id} sudah diserahkan")
    service = services.get(case.service)  # the case's own table: where it is collected
    collecting = next(s for s in service.steps if s.kind is Kind.HANDOVER)
    if case.status != "open" or case.step != collecting.number:
        raise UserError(f"KK kasus {case.id} belum siap diserahkan (masih di langkah "
                        f"{case.step}: {service.step(case.step).action})")
    return case


class ToHandOverDesk(Automatic):
    """Step 10: Adm SIAK hands the signed KK to the hand-over desk, where it waits in the
    collection book (buku pengambilan dokumen) for the applicant."""

    action = Action.READY

    def run(self, env: Env, reg: Register, case: Case, taken: set[str]) -> Plan:
        nxt = self.service.after(self.step.number)
        return Plan(step=self.step.number, action=self.action, at=clock.now(env.cfg.tz),
                    round=case.round(self.step.number), status="open",
                    next_step=nxt.number if nxt else None,
                    officer=self.acting_officer(env, reg, case))


class Collection(Handler):
    """Step 11: the applicant shows the slip; the hand-over officer checks the code and that
    the receiver is the applicant in person, and hands the KK over."""

    fields = ("kode_pengambilan", "penerima_nama")
    approved = Action.HANDED_OVER

    def layout_data(self, case: Case) -> dict[str, Any]:
        keluarga = case.data.get("keluarga", {})
        return {"no_kk": keluarga.get("no_kk", ""),
                "jumlah_anggota": str(len(keluarga.get("anggota", [])))}

    def context(self, reg: Register, case: Case, d: Decision, ctx: Context) -> Context:
        return Context(cfg=ctx.cfg, today=ctx.today, case=case)

    def rule(self, d: Decision, ctx: Context, problems: list[str]) -> Record:
        case = ctx.case
        assert case is not None
        code = normal_code(d.fields.get("kode_pengambilan", ""))
        receiver = " ".join(d.fields.get("penerima_nama", "").split()).upper()
        if not d.approve:
            return {}, []
        if not code:
            problems.append("Kode pengambilan belum diisi (lihat tanda bukti pengambilan)")
        elif code != case.collection_code:
            problems.append(f"Kode pengambilan {code} tidak cocok dengan tanda bukti kasus "
                            f"{case.id}: periksa kembali tanda bukti pemohon")
        # the applicant as the front office confirmed them, or the head of the family
        applicant = model.applicant_name(case)
        allowed = {names.key(applicant), names.key(str(case.data.get("nama_pemohon", "")))}
        if not receiver:
            problems.append("Nama penerima belum diisi")
        elif names.key(receiver) not in allowed:
            problems.append(f"Penerima {receiver} bukan pemohon ({applicant}): KK diserahkan "
                            f"kepada pemohon sendiri, tidak dapat dikuasakan")
        return {"penerima_nama": receiver, "kode_pengambilan": code}, []

    def detail(self, d: Decision, t: Transition) -> dict[str, Any]:
        return {"penerima_nama": t.record.get("penerima_nama", ""),
                "kode_pengambilan": t.record.get("kode_pengambilan", "")}

    def documents(self, env: Env, case: Case, d: Decision, t: Transition,
                  taken: set[str]) -> list[Doc]:
        data = {**documents.base_data(env.cfg, case), **self.layout_data(case),
                **documents.officer_data(t.officer),
                "penerima_nama": t.record["penerima_nama"],
                "kode_pengambilan": t.record["kode_pengambilan"],
                "diserahkan": clock.stamp(clock.now(env.cfg.tz), env.cfg.tz)}
        number = self.step.number

        def write(path: Path) -> Path:
            return documents.render_filed(env.home, RECEIPT_LAYOUT, data, path, case=case,
                                          step=number)
        return [Doc(documents.numbered(number, self.step.document or "", taken), write,
                    to_print=True)]
