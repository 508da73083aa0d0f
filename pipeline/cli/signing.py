"""`kkwna sign` (SOP step 8 from a terminal) and `kkwna verify` (is this KK genuine)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from pipeline.cli.base import cli, friendly, loaded, loaded_to_write
from pipeline.domain.errors import KkwnaError, UserError
from pipeline.domain.model import Env
from pipeline.office import config
from pipeline.office import home as homes
from pipeline.store.register import Register

log = logging.getLogger(__name__)


def _passphrase(passphrase_file: Path | None, prompt: str) -> bytes:
    from pipeline.signing.keys import read_passphrase

    if passphrase_file is not None:
        return read_passphrase(passphrase_file)  # refused when others can read it
    import getpass
    import warnings

    try:
        with warnings.catch_warnings():
            # getpass warns, then echoes, when there is no terminal to hide the typing
            warnings.simplefilter("error", getpass.GetPassWarning)
            typed: str = click.prompt(prompt, hide_input=True, err=True)
    except (click.Abort, getpass.GetPassWarning):
        if not sys.stdin.isatty():  # run by a script or a service: nobody to ask
            raise UserError("tidak ada terminal untuk menanyakan kata sandi; beri "
                            "--passphrase-file") from None
        raise
    if not typed:
        raise UserError("kata sandi kosong")
    return typed.encode("utf-8")


@cli.command()
@click.argument("case_id", required=False, metavar="[KASUS]")
@click.option("--all", "all_cases", is_flag=True,
              help="Tandatangani setiap KK yang menunggu di langkah 8.")
@click.option("--p12", "p12", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Berkas PKCS#12 penanda tangan (.p12/.pfx); wajib bila tte.backend = p12.")
@click.option("--passphrase-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Berkas berisi kata sandi, hanya dapat dibaca pemiliknya (chmod 600); "
                   "tanpa opsi ini kata sandi ditanyakan.")
@click.pass_context
@friendly
def sign(ctx: click.Context, case_id: str | None, all_cases: bool, p12: Path | None,
         passphrase_file: Path | None) -> None:
    """Langkah 8: Kepala Dinas menandatangani KK yang menunggu (PAdES), di sini atau lewat
    layanan TTE."""
    from pipeline.flow import awaiting_signature, sign_from_terminal
    from pipeline.signing.approvers import check_head_key
    from pipeline.signing.backends import backend_for
    from pipeline.signing.bsre import Unreachable

    if bool(case_id) == all_cases:
        raise click.UsageError("beri satu KASUS atau --all")
    env = loaded_to_write(ctx)
    remote = env.tte.backend == "bsre"
    if not remote and p12 is None:
        raise UserError("beri --p12 (berkas sertifikat Kepala Dinas)")
    passphrase = _passphrase(passphrase_file, "Passphrase TTE" if remote
                             else "Kata sandi berkas p12")
    if p12 is not None and not remote:
        check_head_key(env, p12, passphrase)
    backend = backend_for(env.tte, env.home.state, passphrase=passphrase, p12=p12)
    reg = Register(env.home.register_path)

    try:
        if case_id:
            click.echo(sign_from_terminal(env, reg, case_id, backend=backend))
            _send_mail(env, reg, {case_id.strip().upper()})
            return
        pending = awaiting_signature(reg)
        if not pending:
            click.echo("tidak ada KK yang menunggu tanda tangan")
            return
        failed: list[str] = []
        signed = 0
        with click.progressbar(pending, label="Menandatangani KK", file=sys.stderr) as bar:
            for cid in bar:
                try:
                    sign_from_terminal(env, reg, cid, backend=backend)
                    signed += 1
                except Unreachable as exc:  # the next would wait the same way: stop here
                    failed.append(f"{cid}: {exc}")
                    break
                except KkwnaError as exc:  # one case failing does not stop the others
                    failed.append(f"{cid}: {exc}")
                except Exception as exc:  # noqa: BLE001 - nor does an unexpected error
                    log.exception("%s: penandatanganan gagal", cid)
                    failed.append(f"{cid}: kesalahan internal: {type(exc).__name__}: {exc}")
        waiting = len(pending) - signed - len(failed)
        click.echo(f"{signed} KK ditandatangani, {len(failed)} gagal"
                   + (f", {waiting} belum dicoba (ulangi `kkwna sign --all`)" if waiting else ""))
        _send_mail(env, reg, set(pending))
        for line in failed:
            click.echo(f"gagal: {line}")
        if failed:
            raise UserError(f"{len(failed)} KK tidak dapat ditandatangani")
    finally:
        reg.close()


def _send_mail(env: Env, reg: Register, case_ids: set[str]) -> None:
    """The signed cards' e-mails, once each, now that the steps are committed and the work
    lock is free; one that does not go is left to the watcher (a line says so)."""
    from pipeline import outbox

    for _q, reason in outbox.send_queued(env, reg, case_ids):
        if reason:
            click.echo(f"kkwna: {reason}", err=True)


@cli.command()
@click.argument("file", metavar="BERKAS",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--trust-root", "trust_roots", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sertifikat CA induk (PEM/DER) yang dipercaya (boleh diulang); bawaan: "
                   "tte.trust_roots.")
@click.option("--seal-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sertifikat segel kantor, untuk foto atau pindaian; bawaan: tte.seal_cert.")
@click.pass_context
@friendly
def verify(ctx: click.Context, file: Path, trust_roots: tuple[Path, ...],
           seal_cert: Path | None) -> None:
    """Apakah KK ini asli? PDF: tanda tangannya; foto atau pindaian: segel QR-nya."""
    from pipeline.signing.register_check import judge

    home: homes.Home = ctx.obj
    env = loaded(ctx) if (home.root / config.FILENAME).is_file() else None
    judged = judge(env, file, trust_roots, seal_cert)
    # the verdict first, in capitals; then what the signature (or seal) vouches for
    click.echo(f"{judged.word}: {judged.reason}")
    shown = judged.shown()
    if shown:
        click.echo("Dicakup tanda tangan:" if judged.pdf else "Dicakup segel QR:")
        for label, value in shown:
            click.echo(f"  {label}: {value}")
    if not judged.ok:
        ctx.exit(1)
