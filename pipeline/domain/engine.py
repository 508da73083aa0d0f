"""The SOP's rules as pure decisions: given a case and a decision, what happens next.

No I/O here. `judge` checks what every step asks (the right step, a registered officer
of the step's role, a decision, a reason for a return) and the step's own rules (its
handler's `rule`), returning the `Transition` or `Refused` with every problem at once,
in Indonesian. `plan` turns a transition into the `Plan` that `flow` carries out.
"""

from __future__ import annotations

from pipeline import services
from pipeline.domain import clock, model, names, sop
from pipeline.domain.actions import Action
from pipeline.domain.case import Case
from pipeline.domain.model import Context, Decision, Env, Plan, Refused, Transition
from pipeline.domain.sop import Step
from pipeline.office.config import Officer, only_digits
from pipeline.render.layout import FREE_TEXT_LIMIT
from pipeline.services import Service
from pipeline.steps import handler

# The longest note a decision takes: what a document draws of it (`layout.capped`). Checked
# as the decision is read, before the work lock and the drawing: a longer one is refused.
NOTE_LIMIT = FREE_TEXT_LIMIT


def note_problem(note: str) -> str | None:
    """Why *note* is too long for a decision, or None."""
    if len(note) <= NOTE_LIMIT:
        return None
    length = f"{len(note):,}".replace(",", ".")  # 1.048.576, as Indonesian writes it
    return (f"Catatan terlalu panjang ({length} karakter, paling banyak {NOTE_LIMIT}): "
            f"persingkat catatannya")


def wrong_desk(service: Service, step_text: str, desk: str) -> str | None:
    """Why a form of step *step_text* of *service* saved on *desk* decides nothing there,
    or None. Each role's share has its own permissions: a form decides only on its own
    desk (the desk the case's service names for the step)."""
    own = service.step_of_desk(desk)
    if own is None or not step_text.isdigit() or int(step_text) == own.number:
        return None
    try:
        home_desk = service.step(int(step_text)).desk
    except KeyError:
        return None  # not a step at all: the register lookup says what it is
    return (f"formulir langkah {step_text} disimpan di meja {desk}: formulir hanya berlaku di "
            f"mejanya sendiri ({home_desk}). Tidak ada yang dicatat; simpan formulir di "
            f"desks/{home_desk}/")


def _officer(step: Step, d: Decision, ctx: Context, problems: list[str]) -> Officer | None:
    role = step.decider
    if not only_digits(d.officer_nip):
        problems.append("NIP petugas belum diisi")
        return None
    officer = ctx.cfg.officer(d.officer_nip, role.key)
    if officer is None:
        problems.append(f"NIP {d.officer_nip} bukan {role.name} yang terdaftar di kkwna.toml")
        return None
    if d.officer_name.strip() and names.key(d.officer_name) != names.key(officer.nama):
        problems.append(f"nama petugas tidak sesuai dengan NIP {officer.nip_display} "
                        f"(terdaftar: {officer.nama})")
    return officer


def judge(case: Case, d: Decision, ctx: Context) -> Transition:
    """The transition this decision causes, or `Refused` listing every problem. The case's
    service's table says what the step is and where the case goes next."""
    service = services.of(case)
    if case.status != "open" or case.step != d.step:
        raise Refused([f"kasus {case.id} tidak sedang menunggu langkah {d.step} "
                       f"({model.STATUS.get(case.status, case.status)}, "
                       f"langkah {case.step})"])
    step = service.step(d.step)
    problems: list[str] = []
    if (too_long := note_problem(d.note)) is not None:
        problems.append(too_long)
    officer = _officer(step, d, ctx, problems)
    if d.approve is None:
        problems.append("keputusan belum dipilih (setuju atau kembalikan)")
    elif not d.approve:
        if step.returns_to is None:
            problems.append(f"langkah {d.step} tidak dapat dikembalikan")
        if not d.note.strip():
            problems.append("catatan wajib diisi bila berkas dikembalikan")
    record, missing = handler(service, d.step).rule(d, ctx, problems)
    if problems or officer is None:
        raise Refused(problems)
    assert d.approve is not None
    if d.approve:
        nxt = service.after(d.step)
        next_step: int | None = nxt.number if nxt else None
        status = "open" if nxt else "issued"  # after the last step the KK is handed over
    else:
        target = step.returns_to
        next_step = None if target == sop.APPLICANT else target
        status = "returned" if next_step is None else "open"
    return Transition(officer=officer, approve=d.approve, step=d.step, round=case.round(d.step),
                      next_step=next_step, status=status, record=record, missing=missing)


def plan(env: Env, case: Case, d: Decision, t: Transition, taken: set[str]) -> Plan:
    """What carrying out *t* files and changes. *taken*: the document names the register
    already holds for the case (later rounds get ` (k)`)."""
    h = handler(services.of(case), d.step)
    case.data.update(t.record)  # the documents show what the decision established
    docs = h.documents(env, case, d, t, taken)
    if not t.approve and t.next_step is None:  # returned to the applicant
        docs.append(h.return_letter(env, case, d, t))
    record = {**t.record, **h.hand_over(case, d, t)}
    return Plan(
        step=d.step, action=h.approved if t.approve else Action.RETURNED,
        at=clock.now(env.cfg.tz), round=t.round, status=t.status,
        next_step=t.next_step, officer=t.officer,
        detail={"catatan": d.note.strip(), "ke_langkah": t.next_step,
                **h.detail(d, t),
                "hasil": {k: v for k, v in t.record.items() if k != "keluarga"}},
        record=record, documents=docs,
        identities=h.identities({**case.data, **record}),
        archive=t.status in ("returned", "issued"), source_sha256=d.source_sha256,
        replaces=h.replaces(t.record) if t.approve else None)
