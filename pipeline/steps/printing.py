"""SOP step 9: Adm SIAK prints the signed KK; kkwna puts it in print/ and e-mails it.

Carried out as soon as the card is signed: the signed `08 kartu keluarga WNA.pdf` is
copied to print/ (the copy staff print for the applicant), and when the family gave an
e-mail address and `[email]` is set up, it is sent there (`signing.mail.send_kk`). The
event `dicetak` records what became of the e-mail: {"email": "terkirim" | "gagal" |
"tidak ada"}.

A failing mail server never holds the case: the step tries `ATTEMPTS` times, waiting
`BACKOFF` seconds, then twice as long, between tries, and records "gagal" with the reason;
staff can send the card from print/ by hand. Kept simple on purpose: no queue retries it
later. The copy and the e-mail happen while the plan is made (its detail must say how
the e-mail went), so a crash between them and the register commit sends the e-mail again
when the step is carried out after the restart.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from pipeline import clock, documents, sop
from pipeline.config import EmailConfig
from pipeline.model import Env, Plan
from pipeline.register import Case, Register
from pipeline.signing.mail import MailError, send_kk
from pipeline.steps.base import Automatic

log = logging.getLogger(__name__)

ATTEMPTS = 3
BACKOFF = 2.0  # seconds before the second try; doubled before each later one
SENT, FAILED, NONE = "terkirim", "gagal", "tidak ada"


def send_with_retries(cfg: EmailConfig, to: str, pdf: Path, case_id: str) -> tuple[str, str]:
    """(outcome, reason): SENT, or FAILED with the last one-line reason."""
    wait, reason = BACKOFF, ""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            send_kk(cfg, to, pdf, case_id)
            return SENT, ""
        except MailError as exc:
            reason = str(exc)
            log.warning("%s: e-mail percobaan %d/%d gagal: %s", case_id, attempt, ATTEMPTS,
                        reason)
        if attempt < ATTEMPTS:
            time.sleep(wait)
            wait *= 2
    return FAILED, reason


class Printing(Automatic):
    """Step 9: the signed card to print/ and to the family's e-mail."""

    action = "dicetak"

    def signed_card(self, env: Env, reg: Register, case: Case) -> Path:
        """The signed KK filed at step 8 (its latest round)."""
        signature_step = max(s.number for s in sop.STEPS if s.kind is sop.Kind.SIGNATURE)
        names = [row["name"] for row in reg.documents(case.id)
                 if row["step"] == signature_step]
        name = str(case.data.get("kk_ttd") or (names[-1] if names else ""))
        if not name:
            raise FileNotFoundError(f"{case.id}: KK bertanda tangan tidak ada di register")
        return env.home.root / case.folder / name

    def run(self, env: Env, reg: Register, case: Case, taken: set[str]) -> Plan:
        number = self.step.number
        card = self.signed_card(env, reg, case)
        printed = documents.print_copy(env.home, case, card)
        to = str(case.data.get("keluarga", {}).get("email", "") or "").strip()
        detail = {"cetak": printed.name}
        email = env.cfg.email.resolved(env.home.root)
        if not to:
            detail["email"] = NONE
        elif not email.enabled:
            detail.update(email=NONE, email_catatan="pengiriman e-mail belum diatur "
                                                    "([email] di kkwna.toml)")
        else:
            outcome, reason = send_with_retries(email, to, card, case.id)
            detail["email"] = outcome
            if reason:
                detail["email_catatan"] = reason
        nxt = sop.after(number)
        return Plan(step=number, action=self.action, at=clock.now(env.cfg.tz),
                    round=case.round(number), status="open",
                    next_step=nxt.number if nxt else None,
                    officer=self.acting_officer(env, reg, case), detail=detail)
