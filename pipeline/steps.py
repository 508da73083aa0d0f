"""Carry out a decision: from a saved desk form or a terminal command to the next desk.

`handle_form` reads a saved form; `decide` judges a decision (engine) and `apply`s it:
write the step's documents, place the next form, commit one transaction (event, state,
document checksums), then remove the form(s) from the desk. A crash before the commit
leaves the form on the desk (the step runs again, overwriting the same names); after it,
the form is recognised by its checksum and just removed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pipeline import archive, clock, desks, documents, engine, family, forms, sop
from pipeline.config import Config
from pipeline.engine import Decision, Duplicate, Refused, Transition
from pipeline.fsutil import sha256_file
from pipeline.home import Home
from pipeline.register import Case, Register

log = logging.getLogger(__name__)

ACTIVE = ("intake", "open", "issued")  # cases the duplicate-data check compares against


def handle_form(home: Home, cfg: Config, reg: Register, path: Path) -> str:
    try:
        fields, digest = desks.read(path)
    except forms.FormUnreadable as exc:
        desks.write_errors(cfg, path, [str(exc)])
        return "unreadable"
    cid, step_text = fields.get("kasus", ""), fields.get("langkah", "")
    case = reg.find(cid) if cid else None
    if case is None or not step_text.isdigit():
        desks.write_errors(cfg, path, [f"bukan formulir kkwna yang dikenal (kasus {cid!r} "
                                       f"tidak ada di register)"])
        return "unknown"
    step = int(step_text)
    if (reg.has_event_from(cid, step, digest) or case.status != "open" or case.step != step):
        # decided already: a Save As copy, or the removal a crash interrupted
        path.unlink(missing_ok=True)
        desks.clear_errors(path)
        return "stale"
    if case.data.get("placed", {}).get(str(step)) == digest:
        return "untouched"  # our own form (its error file, if any, still applies)
    try:
        return decide(home, cfg, reg, case, desks.decision_from(fields, digest), form=path)
    except Refused as refused:
        desks.write_errors(cfg, path, refused.problems)
        return "refused"


def context(reg: Register, cfg: Config, case: Case, d: Decision) -> engine.Context:
    today = clock.now(cfg.tz).date()
    dups: list[Duplicate] = []
    if d.step == 3:
        dups = duplicates(reg, case, d.fields.get("no_paspor", ""), d.fields.get("no_kitap", ""))
    niks: dict[str, str] = {}
    if d.step == 4:
        for nik in family.niks(family.from_form_fields(d.fields)):
            for other in reg.same_identity(case.id, "nik", nik):
                if other.status in ACTIVE:
                    niks[nik] = other.id
    return engine.Context(cfg=cfg, today=today, duplicates=dups, other_kk_niks=niks)


def duplicates(reg: Register, case: Case, paspor: str = "", kitap: str = "") -> list[Duplicate]:
    """Other open or issued cases with the same passport, KITAP, or applicant name."""
    found: dict[tuple[str, str], Duplicate] = {}
    checks = [("paspor", paspor.strip().upper(), "paspor sama"),
              ("kitap", kitap.strip().upper(), "KITAP sama"),
              ("nama", case.title, "nama sama")]
    for kind, value, what in checks:
        for other in reg.same_identity(case.id, kind, value) if value else []:
            if other.status in ACTIVE:
                found.setdefault((other.id, what), Duplicate(other.id, other.title,
                                                             other.status, what))
    return list(found.values())


def decide(home: Home, cfg: Config, reg: Register, case: Case, d: Decision,
           form: Path | None = None) -> str:
    """Judge and carry out *d*; raises Refused with the problems (in Indonesian)."""
    ctx = context(reg, cfg, case, d)
    try:
        transition = engine.judge(case, d, ctx)
    except Refused as refused:
        if form is not None and d.step == 3:
            # the sheet itself says why (expired document, duplicate data ...) and lists what
            # the register holds, keeping what the verifier typed; the decision is asked again
            typed = {k: v for k, v in d.fields.items() if k != "keputusan"}
            desks.place(home, cfg, case, 3, {
                "fields": typed, "peringatan": "; ".join(refused.problems),
                "data_ganda": [x.__dict__ for x in ctx.duplicates]})
            with reg.transaction() as db:
                reg.update(db, case)
        raise
    apply(home, cfg, reg, case, d, transition)
    verb = "disetujui" if transition.approve else "dikembalikan"
    return f"{case.id}: langkah {d.step} {verb}"


def apply(home: Home, cfg: Config, reg: Register, case: Case, d: Decision,
          t: Transition) -> None:
    now = clock.now(cfg.tz)
    case.data.update(t.record)
    folder = home.root / case.folder
    taken = {row["name"] for row in reg.documents(case.id)}
    filed = documents.file_step(home, cfg, case, d, t, now, taken)  # names in the folder

    rounds = dict(case.rounds)
    next_desk = None
    if t.next_step is not None:
        rounds[t.next_step] = rounds.get(t.next_step, 0) + 1
        case.rounds = rounds
        if t.next_step == 3:  # the duplicate check the verifier finds pre-filled
            case.data["data_ganda_awal"] = [x.__dict__ for x in duplicates(reg, case)]
        if sop.step(t.next_step).desk:
            next_desk = t.next_step
            documents.place_next(home, cfg, case, d, t)
    with reg.transaction() as db:
        reg.update(db, case, status=t.status, step=t.next_step or d.step, rounds=rounds,
                   step_since=now)
        reg.add_event(db, case.id, at=now, step=d.step,
                      action="disetujui" if t.approve else "dikembalikan",
                      officer_name=t.officer.nama, officer_nip=t.officer.nip, round_no=t.round,
                      detail={"catatan": d.note.strip(), "ke_langkah": t.next_step,
                              "hasil": {k: v for k, v in t.record.items() if k != "keluarga"}},
                      source_sha256=d.source_sha256)
        for name in filed:
            path = folder / name
            reg.add_document(db, case.id, name=name, step=d.step, sha256=sha256_file(path),
                             size=path.stat().st_size, at=now)
        reg.set_identities(db, case.id, documents.identities(case, d.step))
    desks.remove_forms(home, case.id, d.step)
    log.info("%s: step %d %s by %s%s", case.id, d.step,
             "approved" if t.approve else "returned", t.officer.nama,
             f"; waiting on desk {next_desk}" if next_desk else "")
    if t.status == "returned":
        archive.file_case(home, cfg, reg, case)
