"""SOP steps 7 and 8: Adm SIAK submits the TTE request (the final KK, ready to be signed),
and the head of office signs it electronically."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline import clock, documents, kk, sop
from pipeline.fsutil import atomic_copy
from pipeline.model import Doc, Env, Plan
from pipeline.register import Case, Register
from pipeline.steps.base import Automatic, Handler


def tte_draft_name(case: Case) -> str:
    return str(case.data.get("draf_tte", ""))


class TteRequest(Automatic):
    """Step 7: the final KK, without the KONSEP mark, filed and put before the head."""

    action = "diajukan"

    def run(self, env: Env, reg: Register, case: Case, taken: set[str]) -> Plan:
        number = self.step.number
        name = documents.numbered(number, self.step.document or "", taken)
        keluarga, office = case.data["keluarga"], env.cfg.office_data()
        today = clock.now(env.cfg.tz).date()

        def write(path: Path) -> None:
            kk.render_kk(keluarga, path, office=office, case_id=case.id, issued=today,
                         watermark=None)
        nxt = sop.after(number)
        return Plan(step=number, action=self.action, at=clock.now(env.cfg.tz),
                    round=case.round(number), status="open",
                    next_step=nxt.number if nxt else None,
                    officer=self.acting_officer(env, reg, case),
                    record={"draf_tte": name}, documents=[Doc(name, write)],
                    detail={"dokumen": name})


class Signature(Handler):
    """Step 8: the head of office's TTE. Its desk item is the draft to be signed."""

    def draw_form(self, env: Env, case: Case, extra: Mapping[str, Any], path: Path) -> Path:
        atomic_copy(env.home.root / case.folder / tte_draft_name(case), path)
        return path
