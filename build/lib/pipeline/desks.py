"""Desk forms out and back: one fillable PDF per case waiting on a role.

`place` puts a step's form on its desk (the step's handler draws it); `read` turns a saved
form into its fields; `write_errors`/`clear_errors` keep the `<form>.error.txt` beside it.
A form is identified by its hidden `kasus`/`langkah` fields, never by its file name, so
Save As works.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline import clock, forms, sop
from pipeline.config import Config
from pipeline.fsutil import atomic_write_text, fsync_dir, sha256_file
from pipeline.home import Home
from pipeline.model import Decision, Env
from pipeline.register import Case
from pipeline.steps import handler

log = logging.getLogger(__name__)


def form_path(home: Home, case: Case, step: int) -> Path:
    return home.desk(step) / f"{case.id} {case.title} - {sop.step(step).form}.pdf"


def place(env: Env, case: Case, step: int, extra: Mapping[str, Any] | None = None) -> Path:
    """Put the step's form for *case* on its desk (replacing an earlier copy of it)."""
    path = form_path(env.home, case, step)
    handler(step).draw_form(env, case, extra or {}, path)
    case.data.setdefault("placed", {})[str(step)] = sha256_file(path)
    log.info("%s: formulir langkah %d di %s", case.id, step, path.parent.name)
    return path


def read(path: Path) -> tuple[dict[str, str], str]:
    """The form's fields and the file's checksum (raises forms.FormUnreadable)."""
    digest = sha256_file(path)
    return forms.read_fields(path), digest


def decision_from(fields: Mapping[str, str], digest: str) -> Decision:
    choice = fields.get("keputusan", "").strip().lower()
    approve = {"setuju": True, "kembalikan": False}.get(choice)
    return Decision(case_id=fields.get("kasus", "").strip(), step=int(fields["langkah"]),
                    approve=approve, note=fields.get("catatan", ""),
                    officer_name=fields.get("petugas_nama", ""),
                    officer_nip=fields.get("petugas_nip", ""), fields=dict(fields),
                    source_sha256=digest)


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
    old = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    # same problems as last time: leave the file (and its time) alone
    if old.split("\n", 2)[-1:] != text.split("\n", 2)[-1:]:
        atomic_write_text(path, text)


def clear_errors(form: Path) -> None:
    error_path(form).unlink(missing_ok=True)


def remove_forms(home: Home, case_id: str, step: int) -> list[Path]:
    """Remove every form of this case and step from its desk (Save As leaves copies)."""
    desk = home.desk(step)
    removed = []
    for pdf in sorted(desk.glob("*.pdf")) + sorted(desk.glob("*.PDF")):
        try:
            fields = forms.read_fields(pdf)
        except forms.FormUnreadable:
            continue
        if fields.get("kasus") == case_id and fields.get("langkah") == str(step):
            pdf.unlink(missing_ok=True)
            clear_errors(pdf)
            removed.append(pdf)
    fsync_dir(desk)
    return removed
