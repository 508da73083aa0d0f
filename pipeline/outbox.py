"""Step 9's e-mails: queued by the step, sent after it is committed, outside the work lock.

Step 9 (`steps.printing`) only chooses the e-mail's Message-ID and records it, with the
address and the card, in its `dicetak` event (``"email": "antre"``): a mail server, slow
or down, never holds the step or the work lock every other command needs. The e-mail is
sent after that commit: `kkwna sign` tries once, and the watcher keeps trying in the
background (`Retrier`), after `retry_seconds`, then twice as long, up to `RETRY_MAX`.

Once the server has accepted it, an event `e-mail terkirim` records its Message-ID; an
e-mail whose Message-ID has that event is never sent again, so recovery after a kill
cannot send it twice. The one moment left is a kill after the server accepted the e-mail
and before the event is committed: the retry then sends it again under the same
Message-ID, which mail programs show once. A lock file (`.kkwna/mail.lock`, taken without
waiting) keeps two processes from sending the same e-mail at once; whoever finds it taken
leaves the sending to its holder.

Only open cases' e-mails are sent: once the KK is handed over on paper it no longer
matters. The latest step-9 event of a case is its e-mail (a card signed again replaces
the one before).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.domain import clock
from pipeline.domain.actions import Action
from pipeline.domain.model import Env
from pipeline.office import crash, faults
from pipeline.store.register import Register

log = logging.getLogger(__name__)

QUEUED = "antre"  # the `dicetak` event's e-mail outcome until the e-mail is sent
SENT = Action.MAILED  # the event that records an e-mail as sent
RETRY_MAX = 3600.0  # the longest pause between two tries (seconds)
TICK = 1.0  # how often the watcher's sender looks for e-mails that are due
# Message-IDs this process sent whose record failed (a full disk): recorded, not resent
_UNRECORDED: set[str] = set()


@dataclass(frozen=True)
class Queued:
    case_id: str
    to: str
    message_id: str
    card: str  # the signed KK, relative to the office folder
    step: int  # the printing step that queued it (the sent event is recorded under it)


def queued(reg: Register) -> list[Queued]:
    """The open cases' e-mails not yet sent, oldest first."""
    # an e-mail's "sent" event is its own case's: looked up through the open cases (an
    # index), not by reading every sent e-mail of the register's history
    sent = {json.loads(r["detail"] or "{}").get("message_id")
            for r in reg.db.execute("SELECT e.detail FROM cases c JOIN events e"
                                    " ON e.case_id = c.id WHERE c.status = 'open'"
                                    " AND e.action = ?", (SENT,))}
    latest: dict[str, Queued | None] = {}
    for r in reg.db.execute("SELECT e.case_id, e.step, e.detail FROM events e JOIN cases c"
                            " ON c.id = e.case_id WHERE c.status = 'open'"
                            " AND e.action = 'dicetak' ORDER BY e.id"):
        d = json.loads(r["detail"] or "{}")
        wanted = d.get("email") == QUEUED and d.get("message_id") not in sent
        latest[r["case_id"]] = Queued(r["case_id"], str(d.get("ke", "")),
                                      str(d["message_id"]), str(d.get("kk", "")), r["step"]) \
            if wanted else None
    return [q for q in latest.values() if q is not None]


class MailLock:
    """Held while e-mails are sent; `held` says whether this process got it."""

    def __init__(self, env: Env) -> None:
        self.path = env.home.state / "mail.lock"
        self.fd: int | None = None
        self.held = False

    def __enter__(self) -> MailLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self.held = True
        except BlockingIOError:
            self.held = False
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the lock
            self.fd = None


def not_sent_line(q: Queued, reason: str) -> str:
    return (f"e-mail KK {q.case_id} belum terkirim: {reason}; dicoba lagi otomatis oleh "
            f"kkwna watch.")


def send(env: Env, reg: Register, q: Queued) -> str:
    """Send *q* and record it as sent: "" when done, else the one-line reason it is not."""
    from pipeline.signing.mail import MailError, send_kk  # `kkwna status` reads queued() only

    cfg = env.cfg.email.resolved(env.home.root)
    if q.message_id not in _UNRECORDED:
        try:
            send_kk(cfg, q.to, env.home.root / q.card, q.case_id, q.message_id,
                    office=env.cfg.office.nama)
        except MailError as exc:
            line = not_sent_line(q, str(exc))
            faults.set_email(env.home, q.case_id, line, clock.now(env.cfg.tz))
            return line
        crash.point("mail-sent")
    _UNRECORDED.add(q.message_id)  # until committed: a retry records it, never resends it
    with reg.transaction() as db:
        reg.add_event(db, q.case_id, at=clock.now(env.cfg.tz), step=q.step, action=SENT,
                      detail={"message_id": q.message_id, "ke": q.to})
    _UNRECORDED.discard(q.message_id)
    faults.clear_email(env.home, q.case_id)
    log.info("%s: e-mail KK terkirim ke %s (%s)", q.case_id, q.to, q.message_id)
    return ""


def send_queued(env: Env, reg: Register, case_ids: set[str] | None = None,
                due: Callable[[Queued], bool] = lambda q: True) -> list[tuple[Queued, str]]:
    """Send the queued e-mails (of *case_ids*, those *due*): each with its outcome ("" or
    the reason). Nothing when another process is sending."""
    with MailLock(env) as lock:
        if not lock.held:
            return []
        # read inside the lock: what another process sent a moment ago is not queued now
        return [(q, send(env, reg, q)) for q in queued(reg)
                if (case_ids is None or q.case_id in case_ids) and due(q)]


class Retrier:
    """The watcher's sender in the background: each e-mail again once its pause is over."""

    def __init__(self, env: Env, stop: threading.Event) -> None:
        self.env, self.stop = env, stop
        self.first = env.cfg.email.retry_seconds
        self.pauses: dict[str, tuple[int, float]] = {}  # Message-ID -> (tries, next at)

    def due(self, q: Queued) -> bool:
        return self.pauses.get(q.message_id, (0, 0.0))[1] <= time.monotonic()

    def once(self, reg: Register) -> None:
        for q, reason in send_queued(self.env, reg, due=self.due):
            if not reason:
                self.pauses.pop(q.message_id, None)
                continue
            tries = self.pauses.get(q.message_id, (0, 0.0))[0] + 1
            pause = min(self.first * 2 ** (tries - 1), RETRY_MAX)
            self.pauses[q.message_id] = (tries, time.monotonic() + pause)
            log.warning("%s Dicoba lagi dalam %.0f detik.", reason, pause)

    def run(self) -> None:
        reg = Register(self.env.home.register_path)  # a connection of this thread's own
        try:
            while not self.stop.is_set():
                try:
                    self.once(reg)
                except Exception:  # noqa: BLE001 - the sender must outlive any bad e-mail
                    log.exception("pengiriman e-mail KK gagal; dicoba lagi")
                self.stop.wait(TICK)
        finally:
            reg.close()
