"""`kkwna collect`: SOP step 11 from a terminal, against the code on the collection slip."""

from __future__ import annotations

import click

from pipeline import flow
from pipeline.cli.base import cli, friendly, loaded_to_write
from pipeline.office.home import WorkLock
from pipeline.steps.handover import case_of_code
from pipeline.store.register import Register


@cli.command()
@click.argument("code", metavar="KODE")
@click.option("--receiver", required=True, metavar="NAMA",
              help="Yang mengambil KK: pemohon sendiri.")
@click.option("--officer", "nip", required=True, metavar="NIP",
              help="NIP Anda (petugas penyerahan di kkwna.toml).")
@click.pass_context
@friendly
def collect(ctx: click.Context, code: str, receiver: str, nip: str) -> None:
    """Serahkan KK yang sudah ditandatangani sesuai kode pengambilan (langkah 10-11)."""
    env = loaded_to_write(ctx)
    reg = Register(env.home.register_path)
    try:
        with WorkLock(env.home):
            case = case_of_code(reg, code)
        click.echo(flow.decide_from_terminal(
            env, reg, case.id, case.step, approve=True, note="", nip=nip,
            fields={"kode_pengambilan": code, "penerima_nama": receiver},
            start_from_form=False))
    finally:
        reg.close()
