"""`kkwna report YYYY-MM`: the monthly performance evaluation."""

from __future__ import annotations

import click

from pipeline.cli.base import cli, friendly, loaded_to_write
from pipeline.reports import report
from pipeline.store.register import Register


@cli.command(name="report")
@click.argument("month", metavar="YYYY-MM")
@click.pass_context
@friendly
def report_cmd(ctx: click.Context, month: str) -> None:
    """Tulis evaluasi kinerja bulanan (PDF/A dan CSV) lalu tampilkan lokasi berkasnya."""
    year, number = report.parse_month(month)
    env = loaded_to_write(ctx)
    reg = Register(env.home.register_path)
    try:
        click.echo(report.write_report(env.home, env.cfg, reg, year, number))
    finally:
        reg.close()
