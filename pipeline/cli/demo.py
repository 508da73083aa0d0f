"""`kkwna demo`: one sample application through all 11 SOP steps in a new office folder."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.base import cli, friendly


@cli.command()
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Buat kantor demo di folder ini (baru atau kosong), bukan di folder "
                   "baru dalam folder sementara sistem.")
@friendly
def demo(folder: Path | None) -> None:
    """Coba kkwna: kantor demo, satu keluarga contoh melewati 11 langkah, lalu laporannya.

    Menampilkan setiap dokumen kasus menurut urutan SOP, salinan di print/, laporan bulanan
    (PDF, CSV) dan, terakhir, folder kantor, yang dibiarkan tetap ada."""
    from pipeline.demo import run_demo  # slow imports (signing) only for this command

    for path in run_demo(folder).paths():
        click.echo(path)
