"""`kkwna collect`: SOP step 11 from a terminal, against the code on the collection slip."""

from __future__ import annotations

import click

from pipeline import flow
from pipeline.cli.base import cli, friendly, loaded_to_write
from pipeline.home import WorkLock
from pipeline.register import Register
from pipeline.steps.handover import case_of_code


@cli.command()
@click.argument("code")
@click.option("--receiver", required=True, metavar="NAME",
              help="Who collects the KK: the applicant in person.")
@click.option("--officer", "nip", required=True, metavar="NIP",
              help="Your NIP (the hand-over officer in kkwna.toml).")
@click.pass_context
@friendly
def collect(ctx: click.Context, code: str, receiver: str, nip: str) -> None:
    """Hand the signed KK over against the collection code (steps 10-11)."""
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
