"""SOP steps 5 and 6: the analyst, then the head of division, check the draft KK; the head
of division's `setuju` puts the initial (paraf) on it. Both return to the step before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.domain import clock, family
from pipeline.domain.case import Case
from pipeline.domain.model import Context, Decision, Doc, Env, Transition
from pipeline.render import documents, kk
from pipeline.steps.base import Handler, Record

CORRECTION_SHEET = "lembar koreksi"


def draft_path(env: Env, case: Case) -> Path:
    """The current draft KK (the newest `04 konsep KK*.pdf` of the case)."""
    return env.home.root / case.folder / str(case.data["konsep"])


class Review(Handler):
    """The analyst's check (step 5): the draft against the application."""

    title = "LEMBAR KOREKSI KONSEP KARTU KELUARGA"
    # the footer and PDF title, written as every other document's ("Lembar Verifikasi
    # Berkas ..."), not in the heading's capitals
    document_title = "Lembar Koreksi Konsep Kartu Keluarga"
    initials = False  # the head of division initials the draft on `setuju`

    def attachment(self, env: Env, case: Case) -> Path | None:
        return draft_path(env, case)

    def layout_data(self, case: Case) -> dict[str, Any]:
        keluarga = case.data.get("keluarga", {})
        head = family.head_of_family(keluarga) or {}
        return {"judul_review": self.title, "nama_dokumen": self.document_title,
                "no_kk": keluarga.get("no_kk", ""),
                "kepala_keluarga": head.get("nama_lengkap", ""),
                "jumlah_anggota": str(len(keluarga.get("anggota", []))),
                "putaran": str(case.round(self.step.number)),
                "catatan_sebelumnya": case.data.get(f"catatan_kembali_{self.step.number}", "")}

    def rule(self, d: Decision, ctx: Context, problems: list[str]) -> Record:
        # choosing `setuju` already says the draft matches the application
        return {f"koreksi_{d.step}": {"catatan": d.note.strip()}}, []

    def documents(self, env: Env, case: Case, d: Decision, t: Transition,
                  taken: set[str]) -> list[Doc]:
        number = self.step.number
        if not t.approve and self.initials:  # the head's corrections: a sheet of its own
            return [self.filed_form(env, case, d, t,
                                    documents.numbered(number, CORRECTION_SHEET, taken))]
        name = documents.numbered(number, self.step.document or "", taken)
        if not (t.approve and self.initials):
            return [self.filed_form(env, case, d, t, name, attach=draft_path(env, case))]
        keluarga, office = case.data["keluarga"], env.cfg.office_data()
        paraf = kk.Paraf(t.officer.nama, t.officer.nip_display, clock.now(env.cfg.tz))

        def initialled(path: Path) -> None:
            kk.render_kk(keluarga, path, office=office, case_id=case.id, issued=None,
                         watermark="KONSEP", paraf=paraf)
        return [self.filed_form(env, case, d, t, name, attach=initialled)]


class HeadReview(Review):
    """The head of division's check (step 6), with the initial on `setuju`."""

    title = "LEMBAR KOREKSI DAN PARAF KONSEP KARTU KELUARGA"
    document_title = "Lembar Koreksi dan Paraf Konsep Kartu Keluarga"
    initials = True
