"""`kkwna archive export --bagit DIR`: a year's archive as a BagIt bag (RFC 8493).

The bag holds, under data/, the year's binders (case folders with their SHA256SUMS, the
spine labels and tables of contents), its books, and the register book as CSV, with
SHA-256 manifests; `bagit.py --validate DIR` accepts it.

A bag must not launder tampering (issue 14): the archive's fixity check (`verify_archive`)
runs first and a problem stops the export, unless forced. The manifest then lists each
filed document with the checksum the register recorded at filing (committed by the event
chain), not one computed from the bytes now: a forced bag of a tampered archive names the
failures in bag-info.txt (Kkwna-Fixity-Problem) and does not validate where they are.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

import bagit

import pipeline.archive.records as records
from pipeline import __version__
from pipeline.archive.books import export_csv
from pipeline.archive.filing import FILED_STATUSES
from pipeline.archive.fixity import verify_archive
from pipeline.domain.errors import KkwnaError
from pipeline.office.home import Home
from pipeline.store.register import Register


class ExportError(KkwnaError):
    """The bag cannot be written (destination not empty, nothing to export); one line."""


PROBLEM_KEY = "Kkwna-Fixity-Problem"  # bag-info.txt: one per problem of a forced export
CLASS_KEY = "Kkwna-Klasifikasi-Arsip"  # bag-info.txt: one per classification of the cases


def export_bagit(home: Home, reg: Register, dest: Path, year: int | None = None, *,
                 force: bool = False, **checks: Any) -> Path:
    """Write the archive of *year* (or every year) as a BagIt bag in *dest*; returns *dest*.

    Refused (ExportError naming the first problem) when the archive fails its fixity
    check, unless *force*. *checks*: what `verify_archive` takes (check_signature,
    seal_cert, trust, require_seal)."""
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
    problems = verify_archive(home, reg, year, **checks)
    if problems and not force:
        raise ExportError(f"arsip tidak utuh, paket tidak ditulis: {problems[0]} "
                          f"({len(problems)} masalah; lihat `kkwna archive verify`, atau "
                          f"tulis juga dengan --force)")
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
        info_values: dict[str, Any] = dict(info)
        kept = records.classes(reg, [c.id for c in reg.cases() if c.year in years
                                     and c.status in FILED_STATUSES])
        if kept:  # as recorded at filing; each case's own is in its provenance.json
            info_values[CLASS_KEY] = [
                f"{r.kode} ({r.nama}): retensi aktif {r.aktif} tahun, inaktif {r.inaktif} "
                f"tahun, nasib akhir {r.nasib_akhir}" for r in kept]
        if problems:
            info_values[PROBLEM_KEY] = problems
        bagit.make_bag(str(dest), info_values, processes=1, checksums=["sha256"])
        _recorded_manifest(reg, dest, years)
    except BaseException:
        _remove(dest)
        raise
    return dest


def _recorded_manifest(reg: Register, dest: Path, years: list[int]) -> None:
    """Put the checksums recorded at filing into manifest-sha256.txt (and the manifest's
    new checksum into the tag manifest)."""
    recorded: dict[str, str] = {}
    for case in reg.cases():
        if case.status in FILED_STATUSES and case.year in years \
                and case.folder.startswith("archive/"):
            base = "data/" + case.folder.removeprefix("archive/") + "/"
            for doc in reg.documents(case.id):
                recorded[bagit._encode_filename(base + doc["name"])] = doc["sha256"]
    manifest = dest / "manifest-sha256.txt"
    lines = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition(" ")
        name = name.lstrip()
        lines.append(f"{recorded.get(name, digest)}  {name}\n")
    manifest.write_text("".join(lines), encoding="utf-8")
    tags = dest / "tagmanifest-sha256.txt"
    fresh = hashlib.sha256(manifest.read_bytes()).hexdigest()
    tags.write_text("".join(
        f"{fresh} {name}\n" if name == manifest.name else f"{line}\n"
        for line in tags.read_text(encoding="utf-8").splitlines()
        for _, _, name in [line.partition(" ")]), encoding="utf-8")


def _office(home: Home) -> str:
    from pipeline.office import config

    try:
        cfg = config.load(home.root)
    except config.ConfigError:
        return "Disdukcapil"
    return f"{cfg.office.dinas} {cfg.office.wilayah}"


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
