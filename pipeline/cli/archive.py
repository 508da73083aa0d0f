"""The archive's terminal commands:

    kkwna archive verify [--year Y | --sample N]   exit 0: all well; 1: one line per problem
                                                   (each run recorded in the chain)
    kkwna archive export --bagit DIR [--year Y] [--force]

The signed KKs' signatures are checked offline against the office's [tte] trust, the
register's signed checkpoints against the seal certificate (tte.seal_cert). The export
runs the same check first and refuses a tampered archive unless --force.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from pipeline import archive_audits as audits
from pipeline import clock
from pipeline.archive.export import export_bagit
from pipeline.archive.fixity import verify_archive
from pipeline.cli.base import cli, friendly, loaded, loaded_to_write
from pipeline.home import Home
from pipeline.model import Env
from pipeline.register import Register
from pipeline.signing import settings, signatories
from pipeline.signing.verify import verify_pdf


def signature_check(env: Env) -> Callable[[Path], str | None] | None:
    """How `archive verify` checks a filed KK's signature: offline, against the office's
    trust roots and head-of-office certificate (None when [tte] is not configured)."""
    t = env.tte
    if not t.configured:
        return None
    trust, head = settings.trust(t), signatories.keyed_by_fingerprint(env.cfg, t)

    def check(path: Path) -> str | None:
        verdict = verify_pdf(path, trust, head, tz=env.cfg.tz)
        return None if verdict.ok else verdict.reason
    return check


def checks(env: Env) -> dict[str, Any]:
    """What `verify_archive` checks beyond the files: signatures and checkpoints."""
    t = env.tte
    return {"check_signature": signature_check(env),
            "seal_cert": settings.seal_certificate(t) if t.seal_cert else None,
            "trust": settings.trust(t) if t.trust_roots else None,
            "require_seal": True}


@contextmanager
def _register(ctx: click.Context) -> Iterator[tuple[Home, Register]]:
    home: Home = ctx.obj
    if not home.register_path.exists():
        click.echo(f"kkwna: {home.root} belum berisi register (jalankan `kkwna init`)",
                   err=True)
        sys.exit(1)
    loaded_to_write(ctx)  # the export copies the archive as the register has it
    reg = Register(home.register_path)
    try:
        yield home, reg
    finally:
        reg.close()


def _progress(done: int, total: int) -> None:
    """A progress line on a terminal (nothing when stderr is a file or a pipe)."""
    if sys.stderr.isatty() and total:
        end = "\n" if done == total else ""
        click.echo(f"\rmemeriksa berkas: {done}/{total} ({100 * done // total}%)", err=True,
                   nl=False)
        if end:
            click.echo("", err=True)


@cli.group()
def archive() -> None:
    """Arsip: pemeriksaan keutuhan dan paket serah-terima (BagIt)."""


@archive.command()
@click.option("--year", type=int, help="Hanya arsip tahun ini.")
@click.option("--sample", type=click.IntRange(min=1), metavar="N",
              help="Hanya N kasus acak (audit harian yang cepat).")
@click.pass_context
@friendly
def verify(ctx: click.Context, year: int | None, sample: int | None) -> None:
    """Periksa setiap berkas arsip terhadap SHA256SUMS dan register; setiap audit dicatat
    di rantai register."""
    env = loaded(ctx)
    with _register(ctx) as (home, reg):
        if sample is not None:
            cases, scope = audits.sample(reg, sample), f"sampel {sample}"
        else:
            cases = audits.filed_cases(reg, year)
            scope = audits.FULL if year is None else f"tahun {year}"
        problems = verify_archive(home, reg, year, progress=_progress,
                                  only=set(cases) if sample is not None else None,
                                  **checks(env))
        audits.record(reg, clock.now(env.cfg.tz), scope, cases, problems)
    for line in problems:
        click.echo(line)
    if problems:
        click.echo(f"kkwna: {len(problems)} masalah ditemukan dalam arsip "
                   f"({len(cases)} kasus diperiksa)", err=True)
        sys.exit(1)
    click.echo(f"arsip utuh: semua berkas cocok dengan SHA256SUMS dan register "
               f"({len(cases)} kasus diperiksa)")


@archive.command(name="export")
@click.option("--bagit", "dest", required=True, type=click.Path(file_okay=False),
              help="Folder tujuan (kosong atau belum ada).")
@click.option("--year", type=int, help="Hanya arsip tahun ini.")
@click.option("--force", is_flag=True,
              help="Tulis juga bila arsip tidak utuh (masalahnya dicatat di bag-info.txt).")
@click.pass_context
@friendly
def export_command(ctx: click.Context, dest: str, year: int | None, force: bool) -> None:
    """Tulis arsip sebagai paket BagIt untuk diserahkan ke lembaga kearsipan."""
    env = loaded(ctx)
    with _register(ctx) as (home, reg):
        bag = export_bagit(home, reg, Path(dest), year, force=force, **checks(env))
    click.echo(f"paket BagIt ditulis di {bag}")
