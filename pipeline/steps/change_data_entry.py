"""Perubahan Data KK WNA, step 4: the data entry pre-filled from the issued KK's family data.

When the case reaches the desk its form holds the changed card's family data, read from
the register (the old case's `keluarga`); the operator changes what the evidence shows (a
child added, a passport number, an address). The No. KK stays the card's: a change is never
re-numbered. `setuju` needs at least one change; the changes (`family_changes`) are kept in
the case's data and drawn on the draft: each changed cell marked, and a list of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline.domain import family, family_changes
from pipeline.domain.case import Case
from pipeline.domain.model import Context, Decision, Doc, Env, Transition
from pipeline.render import documents, kk_marks
from pipeline.steps.base import Record
from pipeline.steps.change_base import (
    CHANGES,
    OLD_CASE,
    OLD_FAMILY,
    ChangeContext,
    ChangeForms,
    lineage,
)
from pipeline.steps.data_entry import KONSEP, DataEntry
from pipeline.steps.verification import ACTIVE
from pipeline.store.register import Register


def old_family(case: Case) -> dict[str, Any]:
    found = case.data.get(OLD_FAMILY)
    return dict(found) if isinstance(found, Mapping) else {}


def changes_of(case: Case) -> list[family_changes.Change]:
    """The changes data entry recorded (none before it is decided)."""
    return family_changes.from_data(case.data.get(CHANGES, []))


class ChangeDataEntry(ChangeForms, DataEntry):
    def on_enter(self, reg: Register, case: Case) -> None:
        # the issued card's data, copied once: the draft is compared with what was issued
        old = case.data.get(OLD_CASE)
        if old and OLD_FAMILY not in case.data:
            case.data[OLD_FAMILY] = reg.get(str(old)).data.get("keluarga", {})

    def prefill(self, case: Case) -> dict[str, Any]:
        if case.data.get("keluarga") or not old_family(case):
            return super().prefill(case)
        return dict(family.to_form_fields(old_family(case), area=None))

    def layout_data(self, case: Case) -> dict[str, Any]:
        rows = [c.row() for c in changes_of(case)]
        return {**super().layout_data(case), "perubahan": rows,
                "kk_lama": case.data.get(OLD_CASE, ""),
                "no_kk_lama": family.normalise(old_family(case), area=None)["no_kk"]}

    def context(self, reg: Register, case: Case, d: Decision, ctx: Context) -> Context:
        # the card being changed and those it replaced hold these NIKs by right
        own = lineage(reg, str(case.data[OLD_CASE])) if case.data.get(OLD_CASE) else set()
        niks: dict[str, str] = {}
        for nik in family.niks(family.from_form_fields(d.fields, area=ctx.cfg.area)):
            for other in reg.same_identity(case.id, "nik", nik):
                if other.status in ACTIVE and other.id not in own:
                    niks[nik] = other.id
        return ChangeContext(cfg=ctx.cfg, today=ctx.today, other_kk_niks=niks, case=case)

    def rule(self, d: Decision, ctx: Context, problems: list[str]) -> Record:
        record, missing = super().rule(d, ctx, problems)
        old = old_family(ctx.case) if ctx.case is not None else {}
        found = family_changes.changes(old, record["keluarga"]) if old else []
        record[CHANGES] = family_changes.as_data(found)
        if not d.approve:
            return record, missing
        if not old:
            problems.append("data KK lama tidak ada pada kasus ini: langkah verifikasi belum "
                            "menyebut KK yang diubah")
            return record, missing
        was, now = family.normalise(old, area=None)["no_kk"], record["keluarga"]["no_kk"]
        if now != was:
            problems.append(f"No. KK tidak boleh diubah pada perubahan data: tetap {was}")
        if not found:
            problems.append(f"tidak ada data yang berubah dibandingkan KK No. {was}: isi "
                            f"perubahannya sesuai bukti perubahan")
        return record, missing

    def documents(self, env: Env, case: Case, d: Decision, t: Transition,
                  taken: set[str]) -> list[Doc]:
        name = documents.numbered(self.step.number, self.step.document or "", taken)
        t.record["konsep"] = name  # the draft the reviewers read next
        keluarga, office = t.record["keluarga"], env.cfg.office_data()
        found = family_changes.from_data(t.record[CHANGES])
        old_case = str(case.data.get(OLD_CASE, ""))

        def write(path: Path) -> None:
            kk_marks.render_changed_draft(keluarga, path, office=office, case_id=case.id,
                                          changes=found, old_case=old_case, watermark=KONSEP)
        form = documents.numbered(self.step.number, self.step.form_copy or "", taken)
        return [Doc(name, write), self.filed_form(env, case, d, t, form)]
