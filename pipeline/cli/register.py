"""`kkwna register backup FILE`: a consistent copy of the register, safe while the watcher
runs; `kkwna register export --csv [--year Y]`: its rows for a spreadsheet.

The copy is made with SQLite's online backup (one snapshot of the database, whatever other
processes write meanwhile); the chain log (register.chain) is copied beside it. To restore:
stop `kkwna watch`, copy both files back to archive/ (register.sqlite3, register.chain),
start the watcher; it refuses to start if the copy is older than the case folders.

`kkwna register checkpoint` signs the chain's head with the office seal key (tte.seal_p12)
and, when a timestamp authority is configured, timestamps it; the line is appended to the
chain log (`pipeline.store.checkpoint`). `register backup` makes one first whenever the seal is
configured, so every backup carries a signed head.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.archive.books import export_csv
from pipeline.cli.base import cli, friendly, loaded
from pipeline.domain import clock
from pipeline.domain.errors import UserError
from pipeline.domain.model import Env
from pipeline.signing import settings
from pipeline.store import checkpoint
from pipeline.store.register import Register, RegisterError, chain_path_for


@cli.group()
def register() -> None:
    """Buku register elektronik."""


@register.command(name="export")
@click.option("--csv", "as_csv", is_flag=True, required=True, help="Sebagai CSV.")
@click.option("--year", type=int, metavar="TAHUN", help="Hanya tahun ini.")
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
@click.argument("dest", metavar="TUJUAN", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
@friendly
def backup(ctx: click.Context, dest: Path) -> None:
    """Salin register ke TUJUAN (dan log rantainya di sebelahnya); aman selagi `kkwna watch`
    berjalan."""
    env = loaded(ctx)
    if not env.home.register_path.exists():
        raise UserError(f"register belum ada: {env.home.register_path}")
    reg = Register(env.home.register_path)
    try:
        if env.tte.seal_p12 is not None:
            click.echo(_checkpoint(env, reg))
        reg.backup(dest)
    except RegisterError as exc:
        raise UserError(f"cadangan tidak dibuat: {exc}") from exc
    finally:
        reg.close()
    click.echo(f"cadangan register: {dest}")
    if chain_path_for(dest).exists():
        click.echo(f"log rantai: {chain_path_for(dest)}")


def _checkpoint(env: Env, reg: Register) -> str:
    if reg.chain_head() == "":
        raise UserError("register belum berisi peristiwa: belum ada yang ditandatangani")
    t = env.tte
    made = checkpoint.add(reg, settings.seal_key(t), at=clock.now(env.cfg.tz),
                          timestamper=settings.timestamper(t))
    stamped = " dengan cap waktu TSA" if made.timestamp else " (tanpa cap waktu TSA)"
    return (f"checkpoint #{made.event_id} {made.head[:16]} ditandatangani segel kantor"
            f"{stamped}; ditambahkan ke {reg.chain_path.name}")


@register.command(name="checkpoint")
@click.pass_context
@friendly
def checkpoint_command(ctx: click.Context) -> None:
    """Tandatangani kepala rantai register dengan segel kantor (dan cap waktu TSA)."""
    env = loaded(ctx)
    if not env.home.register_path.exists():
        raise UserError(f"register belum ada: {env.home.register_path}")
    reg = Register(env.home.register_path)
    try:
        click.echo(_checkpoint(env, reg))
    finally:
        reg.close()
