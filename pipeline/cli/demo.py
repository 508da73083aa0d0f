"""`kkwna demo`: one sample application through all 11 SOP steps in a new office folder."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.base import cli, friendly


@cli.command()
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Build the demo office here (a new or empty folder) instead of a new "
                   "folder under the system's temporary folder.")
@friendly
def demo(folder: Path | None) -> None:
    """Try kkwna: a demo office, a sample family driven through all 11 steps, the report.

    Prints every document of the case in SOP order, the print/ copies, the monthly
    report (PDF, CSV) and, last, the office folder, which is left in place."""
    from pipeline.demo import run_demo  # slow imports (signing) only for this command

    for path in run_demo(folder).paths():
        click.echo(path)
