"""Shared fixtures: a fresh office home, a fixed office clock, the demo officers."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from pipeline.office import config
from pipeline.office import home as homes
from pipeline.store.register import Register

# A Monday morning inside service hours, WITA.
MONDAY_9 = "2026-11-23T09:00:00+08:00"

FRONT_OFFICE = "199001012015032001"
VERIFIKATOR = "198802022014031002"
ADM_SIAK = "199203032016032003"
ANALIS = "198504042010011004"
KEPALA_BIDANG = "198005052005012005"


@pytest.fixture
def cfg() -> config.Config:
    data = tomllib.loads(config.DEFAULT)
    data["watch"]["stable_seconds"] = 0.3
    return config.parse(data)


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> homes.Home:
    """An initialised home with a quick stability delay and the clock at Monday 09:00."""
    monkeypatch.setenv("KKWNA_NOW", MONDAY_9)
    home = homes.Home(tmp_path / "kantor")
    homes.init(home)
    path = home.root / config.FILENAME
    path.write_text(path.read_text().replace("stable_seconds = 2 ", "stable_seconds = 0.3 "))
    return home


@pytest.fixture
def reg(office: homes.Home):
    r = Register(office.register_path)
    yield r
    r.close()


@pytest.fixture(scope="session")
def stages(tmp_path_factory: pytest.TempPathFactory):
    """One office's case at every step 2-8, built once per session (see tests/stages.py)."""
    from tests.stages import build
    return build(tmp_path_factory.mktemp("stages"))


@pytest.fixture
def office_at(stages, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A copy of the office whose case KKWNA-2026-0001 stands at the step asked for:
    `home = office_at(5)`."""
    from tests.stages import copier
    monkeypatch.setenv("KKWNA_NOW", MONDAY_9)
    return copier(stages, tmp_path)


@pytest.fixture(scope="session")
def demo_stages(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """A demo office whose two cases stand at step 6, and at step 8 (tests/tte_office.py)."""
    from tests.tte_office import FAMILIES, build
    return build(tmp_path_factory.mktemp("tte"), FAMILIES)


@pytest.fixture
def demo_at(demo_stages: dict[int, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`home, ids = demo_at(8)`: a copy of the demo office at step 6 or 8."""
    from tests.tte_office import copier
    monkeypatch.setenv("KKWNA_NOW", MONDAY_9)
    return copier(demo_stages, tmp_path)
