"""SOP step 9: Adm SIAK prints the signed KK; kkwna puts it in print/ and e-mails it.

Carried out as soon as the card is signed: the signed `08 kartu keluarga WNA.pdf` is
copied to print/ (the copy staff print for the applicant), and when the family gave an
e-mail address and `[email]` is set up, its e-mail is queued: the event `dicetak` records
{"email": "antre", "message_id", "ke", "kk"} and `pipeline.outbox` sends it after the
step is committed, outside the work lock, so a slow or absent mail server never holds the
office. Without an address or `[email]` the event records {"email": "tidak ada"}.
"""

from __future__ import annotations

from pathlib import Path

from pipeline import outbox
from pipeline.domain import clock
from pipeline.domain.actions import Action
from pipeline.domain.case import Case
from pipeline.domain.model import Env, Plan
from pipeline.domain.sop import Kind
from pipeline.render import documents
from pipeline.signing.mail import new_message_id
from pipeline.steps.base import Automatic
from pipeline.store.register import Register

NONE = "tidak ada"


class Printing(Automatic):
    """Step 9: the signed card to print/ and to the family's e-mail."""

    action = Action.PRINTED

    def signed_card(self, env: Env, reg: Register, case: Case) -> Path:
        """The signed KK filed at step 8 (its latest round)."""
        signature_step = max(s.number for s in self.service.steps if s.kind is Kind.SIGNATURE)
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
        else:  # chosen now, kept in the event: the e-mail is sent once under this id
            detail.update(email=outbox.QUEUED, message_id=new_message_id(email), ke=to,
                          kk=str(card.relative_to(env.home.root)))
        nxt = self.service.after(number)
        return Plan(step=number, action=self.action, at=clock.now(env.cfg.tz),
                    round=case.round(number), status="open",
                    next_step=nxt.number if nxt else None,
                    officer=self.acting_officer(env, reg, case), detail=detail)
