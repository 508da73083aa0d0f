"""Desk forms out and back: one fillable PDF per case waiting on a role.

`place` puts a form on a desk; `read` turns a saved form into a `Decision`; `errors` and
`clear` keep the `<form>.error.txt` beside it. The form is identified by its hidden
`kasus`/`langkah` fields, never by its file name, so Save As works.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pipeline import clock, documents, forms
from pipeline.config import Config
from pipeline.engine import Decision
from pipeline.fsutil import atomic_write_text, fsync_dir, sha256_file
from pipeline.home import Home
from pipeline.register import Case

log = logging.getLogger(__name__)

FORM_WHAT = {
    2: "lembar checklist",
    3: "lembar verifikasi",
    4: "formulir input data KK",
    5: "koreksi konsep KK",
    6: "koreksi dan paraf konsep KK",
}


def form_path(home: Home, case: Case, step: int) -> Path:
    return home.desk(step) / f"{case.id} {case.title} - {FORM_WHAT[step]}.pdf"


def place(home: Home, cfg: Config, case: Case, step: int, extra: dict[str, Any] | None = None,
          attach: Path | None = None) -> Path:
    """Put the step's form for *case* on its desk (replacing an earlier copy of it)."""
    path = form_path(home, case, step)
    data = documents.form_data(cfg, case, step, extra or {})
    documents.render_form(home, data, path, case=case, step=step, attach=attach)
    case.data.setdefault("placed", {})[str(step)] = sha256_file(path)
    log.info("%s: form for step %d on %s", case.id, step, path.parent.name)
    return path


def read(path: Path) -> tuple[dict[str, str], str]:
    """The form's fields and the file's checksum (raises forms.FormUnreadable)."""
    digest = sha256_file(path)
    return forms.read_fields(path), digest


def decision_from(fields: dict[str, str], digest: str) -> Decision:
    choice = fields.get("keputusan", "").strip().lower()
    approve = {"setuju": True, "kembalikan": False}.get(choice)
    return Decision(case_id=fields.get("kasus", "").strip(), step=int(fields["langkah"]),
                    approve=approve, note=fields.get("catatan", ""),
                    officer_name=fields.get("petugas_nama", ""),
                    officer_nip=fields.get("petugas_nip", ""), fields=fields,
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
