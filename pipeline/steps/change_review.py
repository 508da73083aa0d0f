"""Perubahan Data KK WNA, steps 5 and 6: the analyst's and the head of division's reviews of
the changed draft, their sheet showing the old and the new side by side (layout
`review_perubahan`: one row per change, lama | baru), the marked draft behind it. The head
of division's `setuju` initials the marked draft, as KK WNA's does the plain one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.domain import clock
from pipeline.domain.case import Case
from pipeline.domain.model import Decision, Doc, Env, Transition
from pipeline.render import documents, kk, kk_marks
from pipeline.steps.change_base import OLD_CASE, OLD_NO_KK, ChangeForms
from pipeline.steps.change_data_entry import changes_of
from pipeline.steps.data_entry import KONSEP
from pipeline.steps.review import CORRECTION_SHEET, HeadReview, Review


class ChangeReview(ChangeForms, Review):
    title = "LEMBAR KOREKSI KONSEP PERUBAHAN KARTU KELUARGA"
    document_title = "Lembar Koreksi Konsep Perubahan Kartu Keluarga"

    def layout_data(self, case: Case) -> dict[str, Any]:
        found = changes_of(case)
        return {**super().layout_data(case), "perubahan": [c.row() for c in found],
                "jumlah_perubahan": str(len(found)),
                "kk_lama": case.data.get(OLD_CASE, ""),
                "no_kk_lama": case.data.get(OLD_NO_KK, "")}


class ChangeHeadReview(ChangeReview, HeadReview):
    title = "LEMBAR KOREKSI DAN PARAF KONSEP PERUBAHAN KARTU KELUARGA"
    document_title = "Lembar Koreksi dan Paraf Konsep Perubahan Kartu Keluarga"

    def documents(self, env: Env, case: Case, d: Decision, t: Transition,
                  taken: set[str]) -> list[Doc]:
        number = self.step.number
        if not t.approve:  # the head's corrections: a sheet of its own, as KK WNA's
            return [self.filed_form(env, case, d, t,
                                    documents.numbered(number, CORRECTION_SHEET, taken))]
        name = documents.numbered(number, self.step.document or "", taken)
        keluarga, office = case.data["keluarga"], env.cfg.office_data()
        paraf = kk.Paraf(t.officer.nama, t.officer.nip_display, clock.now(env.cfg.tz))
        found, old_case = changes_of(case), str(case.data.get(OLD_CASE, ""))

        def initialled(path: Path) -> None:
            kk_marks.render_changed_draft(keluarga, path, office=office, case_id=case.id,
                                          changes=found, old_case=old_case, paraf=paraf,
                                          watermark=KONSEP)
        return [self.filed_form(env, case, d, t, name, attach=initialled)]
