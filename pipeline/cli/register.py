"""`kkwna register backup FILE`: a consistent copy of the register, safe while the watcher runs
(`kkwna register export --csv` is in `pipeline.cli.archive`).

The copy is made with SQLite's online backup (one snapshot of the database, whatever other
processes write meanwhile); the chain log (register.chain) is copied beside it. To restore:
stop `kkwna watch`, copy both files back to archive/ (register.sqlite3, register.chain),
start the watcher; it refuses to start if the copy is older than the case folders.
"""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.archive import register  # the group `kkwna register export` is in
from pipeline.cli.base import friendly, loaded
from pipeline.errors import UserError
from pipeline.register import Register, RegisterError, chain_path_for


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
