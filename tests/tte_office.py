"""A demo office (`init --demo` PKI) with two cases, built once per test session at steps 6
and 8 for the tests of steps 7-9 (fixtures `demo_stages`, `demo_at` in conftest.py)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from pipeline import config
from pipeline import home as homes
from pipeline.register import Register
from pipeline.signing.demo import set_up_demo
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
FAMILIES = {"JOHN SMITH": JOHN, "JANE DOE": JANE}

def build_demo_stages(root: Path) -> dict[int, Path]:
    """A demo office (`init --demo` PKI) whose two cases stand at step 6, and at step 8;
    the case ids in root/ids.json."""
    saved = os.environ.get("KKWNA_NOW")
    os.environ["KKWNA_NOW"] = MONDAY_9
    try:
        home = homes.Home(root / "build")
        homes.init(home)
        path = home.root / config.FILENAME
        path.write_text(path.read_text().replace("stable_seconds = 2 ", "stable_seconds = 0.3 "))
        set_up_demo(home)
        for title in FAMILIES:
            jpeg(home.inbox / f"{title} kitap paspor formulir.jpg", text=title)
        run_once(home)
        reg = Register(home.register_path)
        ids = {c.title.split(" KITAP")[0]: c.id for c in reg.cases("open")}
        reg.close()
        assert set(ids) == set(FAMILIES)
        for step in (2, 3, 4, 5):
            for title, keluarga in FAMILIES.items():
                approve(home, step, ids[title], keluarga)
        stages = {6: root / "step-6"}
        shutil.copytree(home.root, stages[6], symlinks=True)
        for title, keluarga in FAMILIES.items():
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
