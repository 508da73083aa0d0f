"""`kkwna init`, `kkwna watch`, `kkwna status`: the office and its pipeline."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline import config, status
from pipeline import home as homes
from pipeline.cli.base import cli, friendly, loaded
from pipeline.register import Register

QUIET = {"unchanged", "untouched", "empty-folder", "stale"}  # not worth a line in the log


@cli.command()
@click.pass_context
@friendly
def init(ctx: click.Context) -> None:
    """Create the office folder: inbox/, desks/, cases/, archive/ ... and kkwna.toml."""
    home: homes.Home = ctx.obj
    for line in homes.init(home):
        click.echo(line)
    cfg = config.load(home.root)
    Register(home.register_path).close()
    click.echo(f"home: {home.root}")
    for officer in cfg.officers:
        mark = " (DEMO: ganti di kkwna.toml)" if officer.demo else ""
        click.echo(f"{officer.role}: {officer.nama}, NIP {officer.nip_display}{mark}")


@cli.command()
@click.option("--poll", type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="Poll the folders every SECONDS (network shares: SMB/NFS) instead of inotify.")
@click.option("--once", is_flag=True, help="Handle what is there now, then exit.")
@click.pass_context
@friendly
def watch(ctx: click.Context, poll: float | None, once: bool) -> None:
    """Run the pipeline on inbox/ and desks/ (Ctrl-C stops between items)."""
    from pipeline.watcher import Watcher

    env = loaded(ctx)
    homes.init(env.home)

    def report(entry: Path, outcome: str) -> None:
        if outcome not in QUIET:
            click.echo(f"{entry.name}: {outcome}")

    if not once:
        click.echo(f"kkwna mengawasi {env.home.inbox} dan {env.home.desks} "
                   f"(Ctrl-C untuk berhenti)")
    Watcher(env.home, env.cfg, poll=poll, once=once, on_item=report).run()


@cli.command(name="status")
@click.argument("case_id", required=False)
@click.pass_context
@friendly
def status_cmd(ctx: click.Context, case_id: str | None) -> None:
    """Open cases: step, desk, minutes waiting against the SOP standard."""
    env = loaded(ctx)
    reg = Register(env.home.register_path)
    try:
        click.echo(status.render(env.cfg, reg, case_id))
    finally:
        reg.close()
