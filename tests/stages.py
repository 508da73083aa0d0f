"""Homes whose case already stands at step N, made once per test session and copied per
test, so the tests of later steps start there instead of replaying every step before."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline import flow
from pipeline.domain import family
from pipeline.domain.model import Env
from pipeline.office import config
from pipeline.office import home as homes
from pipeline.store.register import Register
from tests.conftest import (
    ADM_SIAK,
    ANALIS,
    FRONT_OFFICE,
    KEPALA_BIDANG,
    MONDAY_9,
    VERIFIKATOR,
)
from tests.families import ADDRESS, HEAD
from tests.office import jpeg, run_once

FAMILY = {**ADDRESS, "anggota": [HEAD]}


def approvals(keluarga: dict[str, Any]) -> dict[int, tuple[str, dict[str, str]]]:
    """step -> (officer NIP, the fields its decision carries) to approve an application of
    *keluarga* (its head's passport and KITAP are what the verifier types)."""
    head = keluarga["anggota"][0]
    return {
        2: (FRONT_OFFICE, {"cek_hadir_sendiri": "ya"}),
        3: (VERIFIKATOR, {"no_paspor": head["no_paspor"], "paspor_berlaku_sampai": "01-01-2030",
                          "no_kitap": head["no_kitap"], "kitap_berlaku_sampai": "01-06-2028",
                          "data_valid": "ya", "bukan_data_ganda": "ya"}),
        4: (ADM_SIAK, family.to_form_fields(keluarga, area=None)),
        5: (ANALIS, {}),
        6: (KEPALA_BIDANG, {}),
    }


APPROVALS = approvals(FAMILY)
OFFICER_NAMES = {FRONT_OFFICE: "DEMO FITRI HANDAYANI", VERIFIKATOR: "DEMO AHMAD RIDUAN",
                 ADM_SIAK: "DEMO SITI NURHALIZA", ANALIS: "DEMO MUHAMMAD YUSUF",
                 KEPALA_BIDANG: "DEMO HJ. NOOR HIDAYAH, SE"}
CASE = "KKWNA-2026-0001"


def form_values(step: int) -> dict[str, str]:
    """What an officer types on the step's form to approve it."""
    nip, fields = APPROVALS[step]
    return {**fields, "keputusan": "setuju", "petugas_nama": OFFICER_NAMES[nip],
            "petugas_nip": nip}


def approve(home: homes.Home, step: int, case_id: str = CASE,
            keluarga: dict[str, Any] = FAMILY) -> None:
    """Approve *case_id*'s *step* from the terminal, as `kkwna decide` does."""
    nip, fields = approvals(keluarga)[step]
    reg = Register(home.register_path)
    try:
        flow.decide_from_terminal(Env(home, config.load(home.root)), reg, case_id, step,
                                  approve=True, note="", nip=nip, fields=fields)
    finally:
        reg.close()


def build(root: Path) -> dict[int, Path]:
    """Snapshots of one office whose case KKWNA-2026-0001 (JOHN SMITH) stands at each step
    from 2 (its checklist on the front office's desk) to 8 (waiting for the TTE)."""
    saved = os.environ.get("KKWNA_NOW")
    os.environ["KKWNA_NOW"] = MONDAY_9
    try:
        home = homes.Home(root / "build")
        homes.init(home)
        path = home.root / config.FILENAME
        path.write_text(path.read_text().replace("stable_seconds = 2 ", "stable_seconds = 0.3 "))
        jpeg(home.inbox / "JOHN SMITH kitap paspor formulir.jpg", text="JOHN SMITH")
        run_once(home)
        stages = {}
        for step in sorted(APPROVALS):
            stages[step] = root / f"step-{step}"
            shutil.copytree(home.root, stages[step], symlinks=True)
            approve(home, step)
        stages[8] = root / "step-8"
        shutil.copytree(home.root, stages[8], symlinks=True)
        return stages
    finally:
        if saved is None:
            os.environ.pop("KKWNA_NOW", None)
        else:
            os.environ["KKWNA_NOW"] = saved


def copier(stages: dict[int, Path], tmp: Path) -> Callable[[int], homes.Home]:
    def at(step: int) -> homes.Home:
        target = tmp / f"kantor-{step}"
        n = 1
        while target.exists():  # a test may ask for several copies
            n += 1
            target = tmp / f"kantor-{step}-{n}"
        shutil.copytree(stages[step], target, symlinks=True)
        return homes.Home(target)
    return at
