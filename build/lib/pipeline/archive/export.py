"""`kkwna archive export --bagit DIR`: a year's archive as a BagIt bag (RFC 8493).

The bag holds, under data/, the year's binders (case folders with their SHA256SUMS, the
spine labels and tables of contents), its books, and the register book as CSV, with
SHA-256 manifests; `bagit.py --validate DIR` accepts it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import bagit

from pipeline import __version__
from pipeline.archive.books import export_csv
from pipeline.errors import KkwnaError
from pipeline.home import Home
from pipeline.register import Register


class ExportError(KkwnaError):
    """The bag cannot be written (destination not empty, nothing to export); one line."""


def export_bagit(home: Home, reg: Register, dest: Path, year: int | None = None) -> Path:
    """Write the archive of *year* (or every year) as a BagIt bag in *dest*; returns *dest*."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise ExportError(f"folder tujuan {dest} tidak kosong")
    years = ([year] if year is not None else
             sorted(int(p.name) for p in home.archive.iterdir()
                    if p.is_dir() and p.name.isdigit()))
    sources = [home.archive / str(y) for y in years]
    missing = [s for s in sources if not s.is_dir()]
    if missing or not sources:
        what = ", ".join(s.name for s in missing) or "(tidak ada tahun)"
        raise ExportError(f"arsip tahun {what} tidak ada")
    dest.mkdir(parents=True, exist_ok=True)
    try:
        for y, source in zip(years, sources, strict=True):
            _copy_tree(source, dest / str(y))
            with open(dest / str(y) / f"buku-register-{y}.csv", "w", encoding="utf-8",
                      newline="") as out:
                export_csv(reg, out, y)
        info = {
            "Source-Organization": _office(home),
            "External-Description": "Arsip permohonan Kartu Keluarga WNA tahun "
                                    + ", ".join(str(y) for y in years),
            "External-Identifier": "KKWNA-" + "-".join(str(y) for y in years),
            "Bag-Software-Agent": f"kkwna {__version__}",
        }
        bagit.make_bag(str(dest), info, processes=1, checksums=["sha256"])
    except BaseException:
        _remove(dest)
        raise
    return dest


def _office(home: Home) -> str:
    from pipeline import config

    try:
        cfg = config.load(home.root)
    except config.ConfigError:
        return "Disdukcapil"
    return f"{cfg.office.dinas} Kabupaten {cfg.office.kabupaten}"


def _copy_tree(source: Path, target: Path) -> None:
    """Copy the files (not their read-only modes: bagit moves them into data/)."""
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = target / Path(folder).relative_to(source)
        here.mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            if not name.startswith(".tmp-"):
                shutil.copyfile(Path(folder) / name, here / name)


def _remove(dest: Path) -> None:
    if dest.exists():
        for folder, _, _ in os.walk(dest):
            Path(folder).chmod(0o755)
        shutil.rmtree(dest)
