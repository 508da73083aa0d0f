"""`kkwna sign` (SOP step 8 from a terminal) and `kkwna verify` (is this KK genuine)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from pipeline import config
from pipeline import home as homes
from pipeline.cli.base import cli, friendly, loaded
from pipeline.errors import KkwnaError, UserError
from pipeline.register import Register

log = logging.getLogger(__name__)


def _passphrase(passphrase_file: Path | None) -> bytes:
    from pipeline.signing.keys import read_passphrase

    if passphrase_file is not None:
        return read_passphrase(passphrase_file)  # refused when others can read it
    typed: str = click.prompt("Kata sandi berkas p12", hide_input=True, err=True)
    if not typed:
        raise UserError("kata sandi kosong")
    return typed.encode("utf-8")


@cli.command()
@click.argument("case_id", required=False)
@click.option("--all", "all_cases", is_flag=True, help="Sign every KK waiting at step 8.")
@click.option("--p12", "p12", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The head of office's PKCS#12 file (.p12/.pfx).")
@click.option("--passphrase-file", type=click.Path(dir_okay=False, path_type=Path),
              help="A file holding the passphrase, readable by its owner only (chmod 600); "
                   "without it the passphrase is asked for.")
@click.pass_context
@friendly
def sign(ctx: click.Context, case_id: str | None, all_cases: bool, p12: Path,
         passphrase_file: Path | None) -> None:
    """Step 8: the head of office signs pending KKs (PAdES)."""
    from pipeline.flow import awaiting_signature, sign_from_terminal
    from pipeline.signing.approvers import check_head_key

    if bool(case_id) == all_cases:
        raise click.UsageError("beri satu CASE atau --all")
    env = loaded(ctx)
    passphrase = _passphrase(passphrase_file)
    check_head_key(env, p12, passphrase)
    reg = Register(env.home.register_path)
    try:
        if case_id:
            click.echo(sign_from_terminal(env, reg, case_id, p12=p12, passphrase=passphrase))
            return
        pending = awaiting_signature(reg)
        if not pending:
            click.echo("tidak ada KK yang menunggu tanda tangan")
            return
        failed: list[str] = []
        with click.progressbar(pending, label="Menandatangani KK", file=sys.stderr) as bar:
            for cid in bar:
                try:
                    sign_from_terminal(env, reg, cid, p12=p12, passphrase=passphrase)
                except KkwnaError as exc:  # one case failing does not stop the others
                    failed.append(f"{cid}: {exc}")
                except Exception as exc:  # noqa: BLE001 - nor does an unexpected error
                    log.exception("%s: penandatanganan gagal", cid)
                    failed.append(f"{cid}: kesalahan internal: {type(exc).__name__}: {exc}")
        signed = len(pending) - len(failed)
        click.echo(f"{signed} KK ditandatangani, {len(failed)} gagal")
        for line in failed:
            click.echo(f"gagal: {line}")
        if failed:
            raise UserError(f"{len(failed)} KK tidak dapat ditandatangani")
    finally:
        reg.close()


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--trust-root", "trust_roots", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A root CA certificate (PEM/DER) to trust; default: tte.trust_roots.")
@click.option("--seal-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The office seal certificate for a photo or scan; default: tte.seal_cert.")
@click.pass_context
@friendly
def verify(ctx: click.Context, file: Path, trust_roots: tuple[Path, ...],
           seal_cert: Path | None) -> None:
    """Is this KK genuine? A PDF: its signature; a photo or scan: its QR seal."""
    from pipeline.signing.register_check import judge

    home: homes.Home = ctx.obj
    env = loaded(ctx) if (home.root / config.FILENAME).is_file() else None
    judged = judge(env, file, trust_roots, seal_cert)
    # the verdict first, in capitals; then what the signature (or seal) vouches for
    click.echo(f"ASLI: {judged.reason}" if judged.ok else f"TIDAK ASLI: {judged.reason}")
    shown = judged.shown()
    if shown:
        click.echo("Dicakup tanda tangan:" if judged.pdf else "Dicakup segel QR:")
        for label, value in shown:
            click.echo(f"  {label}: {value}")
    if not judged.ok:
        ctx.exit(1)
