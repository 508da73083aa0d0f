"""A demo office (`init --demo` PKI) whose cases stand at step 6 and at step 8 (waiting
for the TTE), built once per test session and copied per test. Shared by the step 7-9
tests and the web door's."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pipeline.office import config
from pipeline.office import home as homes
from pipeline.signing.demo import set_up_demo
from pipeline.store.register import Register
from tests.conftest import MONDAY_9
from tests.families import ADDRESS, HEAD
from tests.office import jpeg, run_once
from tests.stages import approve

JOHN = {**ADDRESS, "anggota": [HEAD]}
JANE = {**ADDRESS, "no_kk": "6305041211260002", "alamat": "JL. DATU NURAYA NO. 7",
        "anggota": [{**HEAD, "nama_lengkap": "JANE ELIZABETH DOE", "nik": "6305046007850002",
                     "jenis_kelamin": "PEREMPUAN", "tanggal_lahir": "20-07-1985",
                     "status_perkawinan": "BELUM KAWIN", "tanggal_perkawinan": "",
                     "no_paspor": "PB7654321", "no_kitap": "2C21JD0002-B",
                     "nama_ayah": "PETER DOE", "nama_ibu": "ANNA DOE"}]}
KENJI = {**ADDRESS, "no_kk": "6305041211260003", "alamat": "JL. BRIGJEN H. HASAN BASRY NO. 3",
         "anggota": [{**HEAD, "nama_lengkap": "KENJI WATANABE", "nik": "6305041503800003",
                      "tanggal_lahir": "15-03-1980", "no_paspor": "TK1122334",
                      "no_kitap": "2C21JD0003-C", "nama_ayah": "HIROSHI WATANABE",
                      "nama_ibu": "YUKI WATANABE"}]}

FAMILIES = {"JOHN SMITH": JOHN, "JANE DOE": JANE}  # the step 7-9 tests' office


def build(root: Path, families: Mapping[str, dict[str, Any]]) -> dict[int, Path]:
    """Snapshots {6: ..., 8: ...} of one demo office whose cases (one per title of
    *families*) stand at step 6, and at step 8; `ids.json` beside them maps title -> id."""
    saved = os.environ.get("KKWNA_NOW")
    os.environ["KKWNA_NOW"] = MONDAY_9
    try:
        home = homes.Home(root / "build")
        homes.init(home)
        path = home.root / config.FILENAME
        path.write_text(path.read_text().replace("stable_seconds = 2 ", "stable_seconds = 0.3 "))
        set_up_demo(home)
        for title in families:
            jpeg(home.inbox / f"{title} kitap paspor formulir.jpg", text=title)
        run_once(home)
        reg = Register(home.register_path)
        ids = {c.title.split(" KITAP")[0]: c.id for c in reg.cases("open")}
        reg.close()
        assert set(ids) == set(families)
        for step in (2, 3, 4, 5):
            for title, keluarga in families.items():
                approve(home, step, ids[title], keluarga)
        stages = {6: root / "step-6"}
        shutil.copytree(home.root, stages[6], symlinks=True)
        for title, keluarga in families.items():
            approve(home, 6, ids[title], keluarga)
        stages[8] = root / "step-8"
        shutil.copytree(home.root, stages[8], symlinks=True)
        (root / "ids.json").write_text(json.dumps(ids))
        return stages
    finally:
        if saved is None:
            os.environ.pop("KKWNA_NOW", None)
        else:
            os.environ["KKWNA_NOW"] = saved


def copier(stages: dict[int, Path],
           tmp: Path) -> Callable[[int], tuple[homes.Home, dict[str, str]]]:
    """`home, ids = at(8)`: a fresh copy of the office at step 6 or 8."""
    def at(step: int) -> tuple[homes.Home, dict[str, str]]:
        target = tmp / f"kantor-{step}"
        n = 1
        while target.exists():  # a test may ask for several copies
            n += 1
            target = tmp / f"kantor-{step}-{n}"
        shutil.copytree(stages[step], target, symlinks=True)
        ids = json.loads((stages[step].parent / "ids.json").read_text())
        return homes.Home(target), ids
    return at
