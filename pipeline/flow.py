"""The executor: one place that carries out what the engine decided.

A saved desk form (`handle_form`), a terminal decision (`decide_from_terminal`) or an
automatic step (`advance`) all end in `carry_out`, always in the same order, so that a
crash at any moment loses nothing and does nothing twice:

1. write the plan's documents into the case folder (and their print/ copies);
2. place the next desk's form;
3. commit one transaction: the event, the case's new state, the documents' checksums,
   the identities for the duplicate-data check;
4. remove the input (every form of that case and step on the desk);
5. file the case in the archive when it left the office, and carry out the automatic
   steps it reached.

A crash before 3 leaves the form on its desk: the step runs again and overwrites the same
names. After 3 the form is recognised by its checksum and just removed; a case left on an
automatic step is advanced by `recover` when the watcher starts.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from pipeline import services
from pipeline.desks import forms, placing
from pipeline.domain import clock, engine
from pipeline.domain.actions import Action
from pipeline.domain.case import Case
from pipeline.domain.errors import KkwnaError, UserError
from pipeline.domain.model import Context, Decision, Env, Plan, Refused
from pipeline.office import crash, faults, machine, restored
from pipeline.office.fsutil import sha256_file
from pipeline.office.home import WorkLock
from pipeline.render import documents
from pipeline.services import Service
from pipeline.signing.backends import Backend
from pipeline.signing.bsre import Unreachable
from pipeline.steps import automatic, handler, signature_of
from pipeline.steps.handover import case_of_code
from pipeline.steps.tte import Signature, request_name
from pipeline.store.register import Register

log = logging.getLogger(__name__)


def load(reg: Register, case_id: str) -> Case:
    case = reg.find(case_id.strip().upper())
    if case is None:
        raise UserError(f"kasus {case_id!r} tidak ada di register")
    return case


# --- inputs ---------------------------------------------------------------------------------

Read = tuple[dict[str, str], str]  # a saved form's fields and the digest of its bytes


def read_form(env: Env, path: Path) -> Read | str | None:
    """Read a saved desk form before the work lock is taken: its fields and digest, or
    what happened when it is refused on its face (unreadable, a note too long to decide),
    with its error file; None for a slip photo (read under the
    lock). Nothing here needs the register, so a bad form never holds up other work."""
    if path.suffix.lower() in placing.PHOTOS:
        return None
    try:
        fields, digest = placing.read(path)
    except forms.FormUnreadable as exc:
        placing.write_errors(env.cfg, path, [str(exc)])
        return "unreadable"
    problem = engine.note_problem(fields.get("catatan", ""))
    if problem is not None:
        placing.write_errors(env.cfg, path, [problem])
        return "refused"
    return fields, digest


def handle_form(env: Env, reg: Register, path: Path, read: Read | str | None = None) -> str:
    """A form saved on a desk (the caller holds the work lock; *read*: what `read_form`
    returned before it took it). Returns what happened."""
    if path.suffix.lower() in placing.PHOTOS:  # a photo of the collection slip
        try:
            return handle_slip_photo(env, reg, path)
        except KkwnaError as exc:
            placing.write_errors(env.cfg, path, [str(exc)])
            return "refused"
    if read is None:
        read = read_form(env, path)
    if read is None or isinstance(read, str):
        return read or "unreadable"
    fields, digest = read
    cid, step_text = fields.get("kasus", ""), fields.get("langkah", "")
    case = reg.find(cid) if cid else None
    if case is None or not step_text.isdigit():
        placing.write_errors(env.cfg, path, [f"bukan formulir kkwna yang dikenal (kasus {cid!r} "
                                           f"tidak ada di register)"])
        return "unknown"
    step = int(step_text)
    service = services.of(case)  # the table of the case the form names
    placed = "" if reg.has_event_from(cid, step, digest) else \
        placing.match(case, step, fields.get(placing.TOKEN, ""))
    if placed == placing.FOREIGN:  # hidden fields changed: bound to no case, decides nothing
        placing.write_errors(env.cfg, path, [placing.foreign_problem(case, step)])
        return "mismatch"
    if (problem := engine.wrong_desk(service, step_text, path.parent.name)) is not None:
        placing.write_errors(env.cfg, path, [problem])  # a genuine form, on another's desk
        return "wrong-desk"
    if placed != placing.CURRENT or case.status != "open" or case.step != step:
        # decided already: a Save As copy, or the removal a crash interrupted
        path.unlink(missing_ok=True)
        placing.clear_errors(path)
        return "stale"
    if placing.placed_digest(case, step) == digest:
        return "untouched"  # our own form (its error file, if any, still applies)
    if service.step(step) not in service.decided_at_desk():  # decided otherwise (a signature)
        try:
            return handler(service, step).take_desk_file(env, reg, case, path, digest, carry_out)
        except Refused as refused:
            placing.write_errors(env.cfg, path, refused.problems)
            return "refused"
    try:
        return decide(env, reg, case, placing.decision_from(fields, digest), form=path)
    except Refused as refused:
        placing.write_errors(env.cfg, path, refused.problems)
        return "refused"


def handle_slip_photo(env: Env, reg: Register, path: Path) -> str:
    """A scan or phone photo of a collection slip dropped on the hand-over desk: its QR code
    finds the case, whose hand-over form is placed again with the code filled in (the
    officer adds the receiver, their name and NIP, and the decision). The photo is then
    removed."""
    from pipeline.desks import photos  # zxing: loaded by the hand-over desk's photos only

    code = photos.read_slip_code(path)
    case = case_of_code(reg, code)
    step = case.step
    # the receiver's name stays for the officer to type from the passport shown
    placed = placing.place(env, case, step, {"fields": {"kode_pengambilan": code}})
    with reg.transaction() as db:
        reg.update(db, case)
    placing.clear_errors(path)
    path.unlink(missing_ok=True)
    log.info("%s: tanda bukti dipindai; kode diisi pada %s", case.id, placed.name)
    return f"{case.id}: kode pengambilan terbaca"


def terminal_fields(env: Env, case: Case, step: int, given: Mapping[str, str],
                    start_from_form: bool) -> dict[str, str]:
    """The fields of a terminal decision: the form as it lies on the desk (pre-filled),
    with the fields given on the command line on top."""
    fields: dict[str, str] = {}
    if start_from_form:
        placed = handler(services.of(case), step).form_data(env, case, {})["fields"]
        fields = {k: ("ya" if v is True else "tidak" if v is False else str(v))
                  for k, v in placed.items()}
    fields.update(given)
    return fields


def decide_from_terminal(env: Env, reg: Register, case_id: str, step: int, *,
                         approve: bool, note: str, nip: str, fields: Mapping[str, str],
                         start_from_form: bool = True) -> str:
    """`kkwna decide`/`kkwna enter`: the case is loaded inside the work lock, so a decision
    the watcher recorded a moment ago is seen, and refused, never recorded twice."""
    for text in (note, fields.get("catatan", "")):  # refused before the lock and the work
        if (too_long := engine.note_problem(text)) is not None:
            raise UserError(too_long)
    cid = case_id.strip().upper()
    with WorkLock(env.home), machine.guard(env.home, env.cfg.tz, f"kasus {cid} langkah {step}",
                                           f"{cid}: langkah {step} belum selesai"):
        case = load(reg, case_id)
        service = services.of(case)  # its own table: which steps are decided at a desk
        decided = {s.number: s for s in service.decided_at_desk()}
        if step not in decided:
            raise UserError(f"langkah {step} tidak diputuskan di meja")
        officer = env.cfg.officer(nip, decided[step].decider.key)
        d = Decision(case_id=case.id, step=step, approve=approve, note=note,
                     officer_name=officer.nama if officer else "", officer_nip=nip,
                     fields=terminal_fields(env, case, step, fields, start_from_form))
        return decide(env, reg, case, d)


def decide(env: Env, reg: Register, case: Case, d: Decision, form: Path | None = None) -> str:
    """Judge and carry out *d* (the caller holds the work lock); raises Refused."""
    h = handler(services.of(case), d.step)
    base = Context(cfg=env.cfg, today=clock.now(env.cfg.tz).date())
    ctx = h.context(reg, case, d, base)
    try:
        transition = engine.judge(case, d, ctx)
    except Refused as refused:
        again = h.refused(case, d, refused, ctx) if form is not None else None
        if again is not None:
            placing.place(env, case, d.step, again)
            with reg.transaction() as db:
                reg.update(db, case)
        raise
    taken = {row["name"] for row in reg.documents(case.id)}
    carry_out(env, reg, case, engine.plan(env, case, d, transition, taken))
    verb = Action.APPROVED if transition.approve else Action.RETURNED
    return f"{case.id}: langkah {d.step} {verb}"


# --- the executor ---------------------------------------------------------------------------

def carry_out(env: Env, reg: Register, case: Case, plan: Plan) -> None:
    folder = env.home.root / case.folder
    service = services.of(case)
    case.data.update(plan.record)
    _write_documents(env, reg, case, folder, plan)
    crash.point("documents", plan.step)

    rounds = dict(case.rounds)
    if plan.next_step is not None and plan.next_step != plan.step:
        rounds[plan.next_step] = rounds.get(plan.next_step, 0) + 1
        case.rounds = rounds
        nxt = handler(service, plan.next_step)
        nxt.on_enter(reg, case)
        if nxt.step.desk and plan.status == "open":
            placing.place(env, case, plan.next_step)
            crash.point("next-form", plan.step)

    with reg.transaction() as db:
        reg.update(db, case, status=plan.status, step=plan.next_step or plan.step,
                   rounds=rounds, step_since=plan.at)
        reg.add_event(db, case.id, at=plan.at, step=plan.step, action=plan.action,
                      officer_name=plan.officer.nama if plan.officer else "",
                      officer_nip=plan.officer.nip if plan.officer else "",
                      round_no=plan.round, detail=plan.detail,
                      source_sha256=plan.source_sha256)
        for name in plan.names:
            path = folder / name
            reg.add_document(db, case.id, name=name, step=plan.step, sha256=sha256_file(path),
                             size=path.stat().st_size, at=plan.at)
        reg.set_identities(db, case.id, plan.identities)
        if plan.replaces is not None:  # the KK this case changes (a Perubahan Data case)
            reg.set_replaces(db, case.id, plan.replaces)
        restored.end_writing(db, case.id)
    crash.point("committed", plan.step)

    if service.step(plan.step).desk:
        placing.remove_forms(env.home, case.id, plan.step, placed=placing.tokens(case, plan.step))
        crash.point("removed", plan.step)
    log.info("%s: langkah %d %s%s", case.id, plan.step, plan.action,
             f" oleh {plan.officer.nama}" if plan.officer else "")
    if plan.archive:
        from pipeline import archive  # the books and binders: not loaded by `sign --all`

        archive.file_case(env.home, env.cfg, reg, case)
    advance(env, reg, case)


def _write_documents(env: Env, reg: Register, case: Case, folder: Path, plan: Plan) -> None:
    """Write the plan's documents, never over one already filed (`restored`): a name that
    exists is drawn beside it first and compared, and the register learns what this step
    writes before the first byte, so the step run again after a crash may redo exactly
    that."""
    compare = restored.to_compare(reg, case, folder, [d.name for d in plan.documents])
    drafts: dict[str, Path] = {}
    try:
        for doc in plan.documents:
            if doc.name in compare:
                drafts[doc.name] = folder / f".tmp-draf-{doc.name}"
                doc.write(drafts[doc.name])
        restored.refuse_changed(reg, case, folder, drafts)
        if plan.documents:
            restored.begin_writing(reg, case.id, [d.name for d in plan.documents])
        for doc in plan.documents:
            if doc.name in drafts:
                os.replace(drafts.pop(doc.name), folder / doc.name)  # the same bytes
            else:
                doc.write(folder / doc.name)
            if doc.to_print:
                documents.print_copy(env.home, case, folder / doc.name)
    finally:
        for draft in drafts.values():
            draft.unlink(missing_ok=True)


def advance(env: Env, reg: Register, case: Case) -> None:
    """Carry out the automatic steps the case has reached (the TTE request ...)."""
    service = services.of(case)
    while case.status == "open" and (auto := automatic(service, case.step)) is not None:
        taken = {row["name"] for row in reg.documents(case.id)}
        carry_out(env, reg, case, auto.run(env, reg, case, taken))
        if case.step == auto.step.number:  # the step did not move the case: stop here
            return


def recover(env: Env, reg: Register) -> None:
    """Finish what a crash interrupted: automatic steps not yet carried out, returned
    cases not yet filed."""
    for case in reg.cases("open"):
        if automatic(services.of(case), case.step) is not None:
            advance(env, reg, case)
    from pipeline import archive

    archive.recover(env.home, env.cfg, reg)


# --- step 8 from a terminal -----------------------------------------------------------------

def awaiting_signature(reg: Register) -> list[str]:
    """The open cases whose card waits for the head of office's signature."""
    found = []
    for c in reg.cases("open"):
        h = signature_of(services.of(c))  # each service's own signature step, if it has one
        if h is not None and c.step == h.step.number:
            found.append(c.id)
    return found


def _signature(service: Service, case_id: str) -> Signature:
    """The signature step's handler of the case's *service*, or why there is none."""
    found = signature_of(service)
    if found is None:
        raise UserError(f"{case_id.strip().upper()}: layanan {service.title} tidak memakai "
                        f"tanda tangan Kepala Dinas")
    return found


def sign_from_terminal(env: Env, reg: Register, case_id: str, *, backend: Backend,
                       how: str = "", detail: Mapping[str, object] | None = None) -> str:
    """`kkwna sign`: sign the case's card through *backend* and record step 8, then
    carry out step 9. The case is loaded inside the work lock, so a card the watcher took
    signed from the desk a moment ago is refused here, never signed twice. Raises
    UserError or SigningError (one Indonesian line). *how* and *detail*: what the event
    says of the door it came through (`kkwna serve`: the web, the client's address)."""
    service = services.of(load(reg, case_id))  # a case's service never changes: read first
    h = _signature(service, case_id)
    cid, number = case_id.strip().upper(), h.step.number
    with WorkLock(env.home), machine.guard(env.home, env.cfg.tz, f"kasus {cid} langkah {number}",
                                           f"{cid}: langkah {number} belum selesai"):
        case = load(reg, case_id)
        if case.status == "open" and automatic(service, case.step) is not None:
            # what a fault (a full disk) stopped: the TTE request before, printing after
            was = case.step
            advance(env, reg, case)
            if was > number:
                return f"{case.id}: sudah ditandatangani; langkah {was} dan berikutnya selesai"
        if case.status != "open" or case.step != h.step.number:
            raise UserError(f"{case.id} tidak menunggu tanda tangan Kepala Dinas "
                            f"(status {case.status}, langkah {case.step})")
        taken = {row["name"] for row in reg.documents(case.id)}
        plan = h.sign_plan(env, case, backend=backend, taken=taken,
                           **({"how": how} if how else {}))
        plan.detail.update(detail or {})
        try:
            carry_out(env, reg, case, plan)
        except Unreachable as exc:  # shown in `status` until the service signs again
            faults.set_tte(env.home, str(exc), clock.now(env.cfg.tz))
            raise
        backend.forget(request_name(case, h.step.number))
    if env.tte.backend == "bsre":
        faults.clear_tte(env.home)
    return f"{case.id}: langkah {h.step.number} ditandatangani"


def return_from_signature(env: Env, reg: Register, case_id: str, *, nip: str, note: str,
                          detail: Mapping[str, object] | None = None) -> str:
    """The head of office will not sign: the case goes back to the step the SOP table
    names for step 8 (`sop.Step.returns_to`), with *note* on that step's form, judged and
    recorded like any desk return (`engine.judge`: the head's NIP, a note required).
    Inside the work lock, like signing, so a card signed a moment ago is not also
    returned. Raises UserError or Refused."""
    h = _signature(services.of(load(reg, case_id)), case_id)
    with WorkLock(env.home):
        case = load(reg, case_id)
        officer = env.cfg.officer(nip, h.step.decider.key)
        d = Decision(case_id=case.id, step=h.step.number, approve=False, note=note,
                     officer_name=officer.nama if officer else "", officer_nip=nip,
                     fields={})
        ctx = h.context(reg, case, d, Context(cfg=env.cfg, today=clock.now(env.cfg.tz).date()))
        transition = engine.judge(case, d, ctx)
        taken = {row["name"] for row in reg.documents(case.id)}
        plan = engine.plan(env, case, d, transition, taken)
        plan.detail.update(detail or {})
        carry_out(env, reg, case, plan)
    return f"{case.id}: langkah {h.step.number} dikembalikan ke langkah {transition.next_step}"
