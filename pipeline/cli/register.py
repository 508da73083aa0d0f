"""`kkwna register backup FILE`: a consistent copy of the register, safe while the watcher
runs; `kkwna register export --csv [--year Y]`: its rows for a spreadsheet.

The copy is made with SQLite's online backup (one snapshot of the database, whatever other
processes write meanwhile); the chain log (register.chain) is copied beside it. To restore:
stop `kkwna watch`, copy both files back to archive/ (register.sqlite3, register.chain),
start the watcher; it refuses to start if the copy is older than the case folders.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.archive.books import export_csv
from pipeline.cli.base import cli, friendly, loaded
from pipeline.errors import UserError
from pipeline.register import Register, RegisterError, chain_path_for


@cli.group()
def register() -> None:
    """Buku register elektronik."""


@register.command(name="export")
@click.option("--csv", "as_csv", is_flag=True, required=True, help="Sebagai CSV.")
@click.option("--year", type=int, help="Hanya tahun ini.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Berkas tujuan (bawaan: layar).")
@click.pass_context
@friendly
def register_export(ctx: click.Context, as_csv: bool, year: int | None,
                    output: str | None) -> None:
    """Baris buku register untuk lembar kerja (spreadsheet)."""
    env = loaded(ctx)
    reg = Register(env.home.register_path)
    try:
        tz = env.cfg.tz
        if output:
            with open(output, "w", encoding="utf-8", newline="") as out:
                count = export_csv(reg, out, year, tz)
            click.echo(f"{count} baris ditulis ke {output}", err=True)
        else:
            export_csv(reg, sys.stdout, year, tz)
    finally:
        reg.close()


@register.command()
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
@friendly
def backup(ctx: click.Context, dest: Path) -> None:
    """Salin register ke DEST (dan log rantainya di sebelahnya); aman selagi kkwna watch
    berjalan."""
    env = loaded(ctx)
    if not env.home.register_path.exists():
        raise UserError(f"register belum ada: {env.home.register_path}")
    reg = Register(env.home.register_path)
    try:
        reg.backup(dest)
    except RegisterError as exc:
        raise UserError(f"cadangan tidak dibuat: {exc}") from exc
    finally:
        reg.close()
    click.echo(f"cadangan register: {dest}")
    if chain_path_for(dest).exists():
        click.echo(f"log rantai: {chain_path_for(dest)}")
