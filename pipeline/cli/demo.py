"""`kkwna demo`: one sample application through all 11 SOP steps in a new office folder;
`--service perubahan-data`: that KK issued, then changed (a child born)."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.base import cli, friendly

# the services the demo shows (not every registered one: a service needs its sample story)
DEMO_SERVICES = ("kk-wna", "perubahan-data")


@cli.command()
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Buat kantor demo di folder ini (baru atau kosong), bukan di folder "
                   "baru dalam folder sementara sistem.")
@click.option("--service", "service", type=click.Choice(DEMO_SERVICES), default="kk-wna",
              show_default=True,
              help="Layanan yang diperagakan: perubahan-data menerbitkan KK contoh, lalu "
                   "mengubahnya (kelahiran anak) dan menampilkan kedua KK.")
@friendly
def demo(folder: Path | None, service: str) -> None:
    """Coba kkwna: kantor demo, satu keluarga contoh melewati 11 langkah, lalu laporannya.

    Menampilkan setiap dokumen kasus menurut urutan SOP, salinan di print/, laporan bulanan
    (PDF, CSV) dan, terakhir, folder kantor, yang dibiarkan tetap ada. Dengan --service
    perubahan-data: dokumen kasus perubahan, laporan, KK lama (kini DIGANTI), KK baru dan
    folder kantor."""
    if service == "perubahan-data":
        from pipeline.demo.change import run_change_demo  # slow imports (signing)

        for path in run_change_demo(folder).paths():
            click.echo(path)
        return
    from pipeline.demo.walkthrough import run_demo  # slow imports (signing) only for this command

    for path in run_demo(folder).paths():
        click.echo(path)
