"""A non-editable install (a wheel, as `pip install .` makes) carries everything it needs:
the built-in layouts and the reference data travel inside the package, so `kkwna init`
and `kkwna watch --once` work from any folder, far from this checkout."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.office import jpeg

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_wheel_in_a_fresh_venv_runs_init_and_watch(tmp_path: Path) -> None:
    # built from a copy: setuptools leaves its build/ folder in the tree it builds
    source = tmp_path / "source"
    shutil.copytree(ROOT / "pipeline", source / "pipeline",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(source),
                    "-w", str(wheels)], check=True, cwd=tmp_path, timeout=300)
    wheel = next(wheels.glob("kkwna-*.whl"))
    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=False)
    py = fresh / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path("
                              "'purelib'))"], capture_output=True, text=True, check=True)
    target = Path(purelib.stdout.strip())
    # the wheel itself, unpacked as pip would; its dependencies from this test's own
    # environment (a .pth path line: their folder, without this checkout's editable finder)
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, timeout=300)
    (target / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")

    home = tmp_path / "kantor"
    elsewhere = tmp_path / "somewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KKWNA_HOME")}
    env["KKWNA_NOW"] = "2026-11-23T09:00:00+08:00"

    def kkwna(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(py), "-m", "pipeline", "--home", str(home), *args],
                              cwd=elsewhere, env=env, capture_output=True, text=True,
                              timeout=300)

    where = subprocess.run([str(py), "-c", "import pipeline; print(pipeline.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True)
    assert str(target) in where.stdout, where.stdout + where.stderr  # not this checkout
    assert kkwna("init").returncode == 0
    jpeg(home / "inbox" / "MARIA GARCIA kitap.jpg", text="wheel")
    done = kkwna("watch", "--once")
    assert done.returncode == 0, done.stderr
    assert list((home / "desks" / "02-front-office").glob("KKWNA-2026-0001 *.pdf"))
    # the web door's templates and style sheet are package data too
    page = subprocess.run([str(py), "-c", (
        "import sys; from pathlib import Path; import pipeline.web; "
        "from pipeline.office import home; "
        "from pipeline.web.base import Door, WebSettings; "
        "d = Door(home.Home(Path(sys.argv[1])), WebSettings()); "
        "print(len(d.pages.get_template('verifikasi.html').render(office=d.env.cfg.office)) "
        "> 500, (Path(pipeline.web.__file__).parent / 'static' / 'gaya.css').is_file())"),
        str(home)], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert page.stdout.split() == ["True", "True"], page.stdout + page.stderr
