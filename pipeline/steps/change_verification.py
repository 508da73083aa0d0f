"""Perubahan Data KK WNA, steps 2 and 3: the checklist of the change's own requirements,
and the verifier, who names the KK being changed.

The verifier types the No. KK of the card the applicant brought (the KK lama). `setuju` is
refused, in one line on the sheet, when no issued KK has that number, when it was already
replaced, or when another open change already changes it: the original KK is the case a
change changes, not a duplicate. On `setuju` the change case records the old case
(`kk_lama`) and is linked to it in the register (`Register.set_replaces`, in the same
transaction as the event).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.domain import family
from pipeline.domain.case import Case
from pipeline.domain.model import Context, Decision, Duplicate, Env
from pipeline.steps.base import Record
from pipeline.steps.change_base import (
    OLD_CASE,
    OLD_NO_KK,
    ChangeContext,
    ChangeForms,
    lineage,
    no_kk_of,
    normal_no_kk,
    target,
)
from pipeline.steps.front_office import FrontOffice
from pipeline.steps.verification import Verification, duplicates
from pipeline.store.register import Register

NO_KK_FIELD = "no_kk_lama"


class ChangeFrontOffice(ChangeForms, FrontOffice):
    """Step 2: KK WNA's checklist handler, with this service's SOP on its sheet."""


def _guess(reg: Register, case: Case) -> Case | None:
    """The one current card whose head of family bears the applicant's name, if exactly
    one does: the verifier's field is pre-filled with its No. KK (to confirm against the
    KK lama in the file, never taken on trust)."""
    name = " ".join(str(case.data.get("nama_pemohon") or case.title).split()).upper()
    found = [c for c in reg.issued_with_member(name) if c.id != case.id and no_kk_of(c)
             and family.holder(c.data.get("keluarga", {})) == name
             and reg.replacement_of(c.id) is None]
    return found[0] if len(found) == 1 else None


def _without(found: list[Duplicate], reg: Register, old: Case | None) -> list[Duplicate]:
    """The duplicate-data matches less the card being changed and the cards it replaced."""
    if old is None:
        return found
    family_cases = lineage(reg, old.id)
    return [dup for dup in found if dup.case_id not in family_cases]


class ChangeVerification(ChangeForms, Verification):
    fields: tuple[str, ...] = (NO_KK_FIELD, *Verification.fields)

    def on_enter(self, reg: Register, case: Case) -> None:
        guess = _guess(reg, case)
        case.data["kk_lama_dugaan"] = no_kk_of(guess) if guess else ""
        case.data["data_ganda_awal"] = [x.__dict__ for x in
                                        _without(duplicates(reg, case), reg, guess)]

    def prefill(self, case: Case) -> dict[str, Any]:
        return {**super().prefill(case), NO_KK_FIELD: case.data.get("kk_lama_dugaan", "")}

    def form_data(self, env: Env, case: Case, extra: Mapping[str, Any]) -> dict[str, Any]:
        data = super().form_data(env, case, extra)
        data["no_kk_lama"] = data["fields"].get(NO_KK_FIELD, "") or data.get("no_kk_lama", "")
        return data

    def context(self, reg: Register, case: Case, d: Decision, ctx: Context) -> Context:
        no_kk = normal_no_kk(d.fields.get(NO_KK_FIELD, ""))
        found = target(reg, case, no_kk) if no_kk else None
        dups = duplicates(reg, case, d.fields.get("no_paspor", ""), d.fields.get("no_kitap", ""))
        return ChangeContext(cfg=ctx.cfg, today=ctx.today, case=case, target=found,
                             duplicates=_without(dups, reg, found.case if found else None))

    def rule(self, d: Decision, ctx: Context, problems: list[str]) -> Record:
        record, missing = super().rule(d, ctx, problems)
        no_kk = normal_no_kk(d.fields.get(NO_KK_FIELD, ""))
        record[OLD_NO_KK] = no_kk
        found = ctx.target if isinstance(ctx, ChangeContext) else None
        if found is not None and found.case is not None:
            record[OLD_CASE] = found.case.id
        if not d.approve:
            return record, missing
        if not no_kk:
            problems.append("No. KK yang diubah belum diisi: salin nomor dari KK lama")
        elif found is not None and found.problem:
            problems.append(found.problem)
        return record, missing

    def replaces(self, record: Mapping[str, Any]) -> str | None:
        """The case whose KK this decision names as the one changed (linked on setuju)."""
        old = record.get(OLD_CASE)
        return str(old) if old else None
