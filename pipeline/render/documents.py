"""What every step's documents share: the data a layout sees, names, drawing, print copies.

The step handlers (`pipeline.steps`) decide which document a step files under which name;
the drawing is `render` (layouts/) and `kk` (the card). Names follow INTERFACE.md:
`NN <what>.pdf`, ` (k)` for later rounds of a loop.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from pipeline import services
from pipeline.domain import clock, sop
from pipeline.domain.case import Case
from pipeline.domain.model import applicant_name
from pipeline.office.config import Config, Officer
from pipeline.office.fsutil import atomic_copy
from pipeline.office.home import Home
from pipeline.render import render
from pipeline.services import Service

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the counter

def collection_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def base_data(cfg: Config, case: Case) -> dict[str, Any]:
    """What every layout gets: the office, the case, today's date."""
    return {
        "office": cfg.office_data(),
        "kasus": case.id,
        "judul": case.title,
        "pemohon": applicant_name(case),
        "diterima": clock.stamp(case.received_at, cfg.tz),
        "di_luar_jam": case.outside_hours,
        "tanggal": clock.long_date(clock.now(cfg.tz).date()),
        **service_data(services.of(case), cfg),
    }


def service_data(service: Service, cfg: Config | None = None) -> dict[str, Any]:
    """What a layout shows of the case's service: its names and the SOP it follows, as the
    office's *cfg* gives it (a date not known to us is said to be so, never invented)."""
    number, day = (cfg.sop_of(service) if cfg is not None
                   else (service.sop_number, service.sop_revised or service.sop_date))
    return {
        "layanan": {"kode": service.code, "judul": service.title,
                    "judul_kapital": service.title.upper(),
                    "persyaratan": service.requirements_note},
        "sop": {"nomor": number,
                "tanggal": clock.long_date(day) if day else "(belum ditetapkan)"},
    }


def officer_data(officer: Officer) -> dict[str, str]:
    return {"petugas_nama": officer.nama, "petugas_nip": officer.nip_display,
            "petugas_jabatan": officer.jabatan}


def numbered(step: int, what: str, taken: set[str]) -> str:
    """`NN what.pdf`, or ` (k)` for the k-th of that name: counted in the register, so a
    step run again after a crash writes the same name again."""
    k = 1
    while sop.document_name(step, what, k) in taken:
        k += 1
    return sop.document_name(step, what, k)


def render_form(home: Home, layout: str, data: dict[str, Any], path: Path, *, case: Case,
                step: int, attach: Path | None = None) -> Path:
    return render.render(layout, data, path, mode="form", case_id=case.id, step=step,
                         layout_dirs=home.layout_dirs, attach=attach)


def render_filed(home: Home, layout: str, data: dict[str, Any], out: Path, *, case: Case,
                 step: int, attach: Path | None = None) -> Path:
    return render.render(layout, data, out, mode="filed", case_id=case.id, step=step,
                         layout_dirs=home.layout_dirs, attach=attach)


def print_copy(home: Home, case: Case, document: Path) -> Path:
    """The copy staff print for the applicant, in print/."""
    target = home.print / f"{case.id} {case.title} - {document.name}"
    atomic_copy(document, target)
    return target
