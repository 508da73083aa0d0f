"""Desk forms out and back: one fillable PDF per case waiting on a role.

`place` puts a step's form on its desk (the step's handler draws it); `read` turns a saved
form into its fields; `write_errors`/`clear_errors` keep the `<form>.error.txt` beside it.
A form is identified by its hidden `kasus`/`langkah` fields, never by its file name, so
Save As works; and it is bound to what was placed by a third hidden field, `token`: a
random value recorded in the case beside the placed file's digest
(``case.data["placed"][step]`` the digest, as steps read it;
``case.data["placed_token"][step]`` the token; every token ever placed in
``case.data["placed_tokens"]``). A form whose token is not the one its case placed for its
step (hidden fields changed, a form of another case) decides nothing (`match`).

Desk files are read like any file someone else put there (`forms.read_form`): a link, a
FIFO or a device is refused with an error file, never followed, never waited on.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import services
from pipeline.desks import forms
from pipeline.domain import clock
from pipeline.domain.case import Case
from pipeline.domain.model import Decision, Env
from pipeline.office.config import Config
from pipeline.office.fsutil import (
    UntrustedFile,
    apply_file_policy,
    atomic_write_text,
    fsync_dir,
    read_untrusted,
    sha256_file,
)
from pipeline.office.home import Home
from pipeline.render import render
from pipeline.steps import handler
from pipeline.steps.base import Handler
from pipeline.store.register import Register

log = logging.getLogger(__name__)


def form_path(home: Home, case: Case, step: int) -> Path:
    """Where the form of *step* of *case* lies: its service's desk for the step (desk
    folders are shared by services; the name's case id tells them apart)."""
    own = services.of(case).step(step)
    return home.desk(own) / f"{case.id} {case.title} - {own.form}.pdf"


TOKEN = "token"  # the hidden field binding a form to what was placed
PHOTOS = (".jpg", ".jpeg", ".png")  # a scan or phone photo of a slip (the hand-over desk)
CURRENT, EARLIER, FOREIGN = "current", "earlier", "foreign"


def place(env: Env, case: Case, step: int, extra: Mapping[str, Any] | None = None) -> Path:
    """Put the step's form for *case* on its desk (replacing an earlier copy of it), with a
    new token, recorded in *case*.data (committed by the caller's next update)."""
    path = form_path(env.home, case, step)
    token = secrets.token_hex(16)
    clear_errors(path)  # a note about an earlier file of this name no longer applies
    handler(services.of(case), step).draw_form(env, case, {**(extra or {}), TOKEN: token}, path)
    before = _stat_key(path)
    drawn = render.drawn_form(path)  # drawn here: its hidden fields known, not parsed back
    if drawn is not None:
        fields, digest = forms.Fields(drawn[0]), drawn[1]
        if before is not None and before == _stat_key(path):
            _remember_identity(path, fields, before)
        return _placed(case, step, token, path, (fields.get(TOKEN), digest))
    return _placed(case, step, token, path, read_back(path))


@dataclass(frozen=True)
class Drawing:
    """Everything drawing a step's form takes, as plain data: drawn by `draw` in another
    process (a backlog's worker), then put on the desk by `put`."""
    layout: str
    data: dict[str, Any]
    case_id: str
    step: int
    layout_dirs: list[Path]
    token: str


def drawing(env: Env, case: Case, step: int) -> Drawing | None:
    """What `draw` needs for the step's form; None when the step's handler draws its form
    its own way (only `place` draws it then)."""
    h = handler(services.of(case), step)
    if type(h).draw_form is not Handler.draw_form or h.attachment(env, case) is not None:
        return None
    token = secrets.token_hex(16)
    return Drawing(h.step.layout or "", h.form_data(env, case, {TOKEN: token}), case.id, step,
                   list(env.home.layout_dirs), token)


def draw(job: Drawing, out: Path) -> tuple[str | None, str]:
    """Draw *job* at *out* (in staging): a pure function of its inputs. Returns the token
    field read back and the digest, as `_placed` records them."""
    render.render(job.layout, job.data, out, mode="form", case_id=job.case_id, step=job.step,
                  layout_dirs=job.layout_dirs)
    drawn = render.drawn_form(out)  # drawn here: its hidden fields known, not parsed back
    if drawn is not None:
        return forms.Fields(drawn[0]).get(TOKEN), drawn[1]
    return read_back(out)


def put(case: Case, job: Drawing, drawn: Path, read: tuple[str | None, str],
        home: Home) -> Path:
    """Move the form `draw` wrote at *drawn* onto its desk and record it in *case*.data."""
    path = form_path(home, case, job.step)
    clear_errors(path)
    apply_file_policy(drawn)  # written by another process, which has no file policy set
    os.replace(drawn, path)
    fsync_dir(path.parent)
    return _placed(case, job.step, job.token, path, read)


def read_back(path: Path) -> tuple[str | None, str]:
    try:
        fields, digest = forms.read_form(path)
    except forms.FormUnreadable:  # a desk item that is not a form
        return None, sha256_file(path)
    return fields.get(TOKEN), digest


def _placed(case: Case, step: int, token: str, path: Path,
            read: tuple[str | None, str]) -> Path:
    found, digest = read
    case.data.setdefault("placed", {})[str(step)] = digest
    current = case.data.setdefault("placed_token", {})
    if found == token:
        current[str(step)] = token
        case.data.setdefault("placed_tokens", {})[token] = step
    else:  # a desk item drawn without the token field (the TTE draft): bound by its digest
        current.pop(str(step), None)
    log.info("%s: formulir langkah %d di %s", case.id, step, path.parent.name)
    return path


def placed_digest(case: Case, step: int) -> str | None:
    """The digest of the desk item last placed for *step*."""
    record = case.data.get("placed", {}).get(str(step))
    if isinstance(record, dict):  # tolerated: {"sha256": ...}
        return str(record.get("sha256") or "") or None
    return record if isinstance(record, str) else None


def tokens(case: Case, step: int) -> set[str]:
    """Every token ever placed for *step* of *case*."""
    return {t for t, s in case.data.get("placed_tokens", {}).items() if s == step}


def match(case: Case, step: int, token: str) -> str:
    """Whether a form claiming *case* and *step* is the one placed: CURRENT (the form now
    on the desk, or a copy of it), EARLIER (a form placed for an earlier round of the
    step: superseded) or FOREIGN (not placed for this case and step: its hidden fields
    were changed, or it belongs to another case). A case whose item for *step* carries no
    token (placed before tokens, or the TTE draft) takes tokenless forms, as before."""
    current = case.data.get("placed_token", {}).get(str(step))
    if token and token == current:
        return CURRENT
    if token:
        return EARLIER if token in tokens(case, step) else FOREIGN
    return FOREIGN if current else CURRENT


def foreign_problem(case: Case, step: int) -> str:
    return (f"formulir ini bukan formulir yang ditempatkan kkwna untuk kasus {case.id} "
            f"langkah {step}: isian tersembunyinya (kasus/langkah/token) telah diubah, atau "
            f"formulir ini milik kasus lain. Formulir ini tidak memutuskan apa pun; gunakan "
            f"formulir asli kasus tersebut.")


def read(path: Path) -> tuple[dict[str, str], str]:
    """The form's fields and the checksum of exactly the bytes read (raises
    forms.FormUnreadable, also for a link, FIFO or device: never followed or read).
    Its identity is remembered for `remove_forms`, which then need not parse it again,
    when the file did not change while it was read."""
    before = _stat_key(path)
    fields, digest = forms.read_form(path)
    if before is not None and before == _stat_key(path):
        _remember_identity(path, fields, before)
    return fields, digest


def discard(home: Home, case: Case, step: int) -> None:
    """Remove the form `place` wrote for *case* and *step* (an attempt that failed)."""
    path = form_path(home, case, step)
    path.unlink(missing_ok=True)
    clear_errors(path)


def decision_from(fields: Mapping[str, str], digest: str) -> Decision:
    choice = fields.get("keputusan", "").strip().lower()
    approve = {"setuju": True, "kembalikan": False}.get(choice)
    return Decision(case_id=fields.get("kasus", "").strip(), step=int(fields["langkah"]),
                    approve=approve, note=fields.get("catatan", ""),
                    officer_name=fields.get("petugas_nama", ""),
                    officer_nip=fields.get("petugas_nip", ""), fields=dict(fields),
                    source_sha256=digest)


MAX_NOTE_BYTES = 1 << 20


def error_path(form: Path) -> Path:
    return form.with_name(form.name + ".error.txt")


def write_errors(cfg: Config, form: Path, problems: list[str]) -> None:
    moment = clock.stamp(clock.now(cfg.tz), cfg.tz)
    text = "\n".join([
        f"Formulir '{form.name}' belum dapat diproses ({moment}):",
        "",
        *[f"- {p}" for p in problems],
        "",
        "Perbaiki isian formulir lalu simpan kembali di folder ini.",
        "",
    ])
    path = error_path(form)
    try:  # someone else's folder: never follow a link or wait on a FIFO put there
        old = read_untrusted(path, MAX_NOTE_BYTES).decode("utf-8", errors="replace")
    except (UntrustedFile, OSError):
        old = ""  # replaced below (a rename replaces a link or FIFO, never writes into it)
    # same problems as last time: leave the file (and its time) alone
    if old.split("\n", 2)[-1:] != text.split("\n", 2)[-1:]:
        atomic_write_text(path, text)


def clear_errors(form: Path) -> None:
    error_path(form).unlink(missing_ok=True)


def remove_forms(home: Home, case_id: str, step: int,
                 placed: Collection[str] | None = None) -> list[Path]:
    """Remove every form of this case and step from its desk (Save As leaves copies).

    Only forms placed for it: their token is one of *placed* (default: the case's tokens
    for the step, read from the register), or they carry none and the case placed none.
    A form whose hidden fields were changed to name this case stays where it is.
    """
    if placed is None:
        placed = _placed_tokens(home, case_id, step)
    desk = home.desk(services.of_id(case_id).step(step))
    removed = []
    for pdf in sorted(desk.glob("*.pdf")) + sorted(desk.glob("*.PDF")):
        identity = _identity(pdf)
        if identity is None:
            continue
        kasus, langkah, token = identity
        ours = token in placed if token else not placed
        if ours and kasus == case_id and langkah == str(step):
            pdf.unlink(missing_ok=True)
            clear_errors(pdf)
            removed.append(pdf)
    fsync_dir(desk)
    return removed


# (path, size, mtime) -> the form's kasus, langkah and token: a desk of N forms is read
# once, not once per decision (`kkwna sign --all` removes N items one after another)
_IDENTITIES: dict[tuple[str, int, int], tuple[str, str, str]] = {}


def _stat_key(pdf: Path) -> tuple[str, int, int] | None:
    try:
        st = pdf.lstat()
    except OSError:
        return None
    return (str(pdf), st.st_size, st.st_mtime_ns)


def _remember_identity(pdf: Path, fields: Mapping[str, str],
                       key: tuple[str, int, int] | None = None) -> None:
    key = key or _stat_key(pdf)
    if key is None:
        return
    if len(_IDENTITIES) > 4096:  # bounded: a long-running watcher sees many forms
        _IDENTITIES.clear()
    _IDENTITIES[key] = (fields.get("kasus", ""), fields.get("langkah", ""),
                        fields.get(TOKEN, ""))


def _identity(pdf: Path) -> tuple[str, str, str] | None:
    key = _stat_key(pdf)
    if key is None:
        return None
    if key not in _IDENTITIES:
        try:
            fields = forms.read_fields(pdf)
        except forms.FormUnreadable:
            return None
        _remember_identity(pdf, fields, key)
    return _IDENTITIES.get(key)


def _placed_tokens(home: Home, case_id: str, step: int) -> set[str]:
    reg = Register(home.register_path)
    try:
        case = reg.find(case_id)
        return tokens(case, step) if case is not None else set()
    finally:
        reg.close()
