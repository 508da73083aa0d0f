"""`kkwna sign` (SOP step 8 from a terminal) and `kkwna verify` (is this KK genuine)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from pipeline import config
from pipeline import home as homes
from pipeline.cli.base import cli, friendly, loaded, loaded_to_write
from pipeline.errors import KkwnaError, UserError
from pipeline.model import Env
from pipeline.register import Register

# `verify` details, in the order printed, with their Indonesian labels
LABELS = {
    "pemegang": "Kepala keluarga",
    "no_kk": "No. KK",
    "register_no": "Nomor register",
    "jumlah_anggota": "Jumlah anggota",
    "tanggal_terbit": "Tanggal terbit",
    "digest_data_keluarga": "Sidik data keluarga",
    "penanda_tangan": "Penanda tangan",
    "waktu_tanda_tangan": "Waktu tanda tangan",
    "cap_waktu": "Cap waktu",
    "level": "Tingkat tanda tangan",
    "alamat_verifikasi": "Alamat verifikasi",
}
NOT_REGISTERED = "tidak terdaftar di register"
log = logging.getLogger(__name__)


def _passphrase(passphrase_file: Path | None) -> bytes:
    from pipeline.signing.keys import read_passphrase

    if passphrase_file is not None:
        return read_passphrase(passphrase_file)  # refused when others can read it
    typed: str = click.prompt("Kata sandi berkas p12", hide_input=True, err=True)
    if not typed:
        raise UserError("kata sandi kosong")
    return typed.encode("utf-8")


def _check_key(env: Env, p12: Path, passphrase: bytes) -> None:
    """Stop before any case when the key cannot be opened or is not the head of office's
    (with --all every case would fail the same way)."""
    from pipeline.signing import settings
    from pipeline.signing.keys import SigningError, fingerprint, load_signer

    signer = load_signer(p12, passphrase)
    expected = settings.head_of_office_sha256(env.tte)
    if fingerprint(signer.signing_cert) != expected.lower():
        raise SigningError("sertifikat ini bukan sertifikat Kepala Dinas yang terdaftar di "
                           "kkwna.toml")


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

    if bool(case_id) == all_cases:
        raise click.UsageError("beri satu CASE atau --all")
    env = loaded_to_write(ctx)
    passphrase = _passphrase(passphrase_file)
    _check_key(env, p12, passphrase)
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


def _is_pdf(path: Path) -> bool:
    with open(path, "rb") as fh:
        return b"%PDF-" in fh.read(1024)


def _registered(env: Env, case_id: str, no_kk: str) -> bool:
    """The register lists the case as signed: open at step 9 or later, or issued, with the
    same No. KK."""
    from pipeline.steps import signature

    reg = Register(env.home.register_path)
    try:
        case = reg.find(case_id) if case_id else None
    finally:
        reg.close()
    if case is None:
        return False
    signed = (case.status == "open" and case.step > signature().step.number) \
        or case.status == "issued"
    registered_kk = str(case.data.get("keluarga", {}).get("no_kk", ""))
    return signed and (not no_kk or registered_kk == no_kk)


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
    from pipeline.signing import settings
    from pipeline.signing.keys import Trust
    from pipeline.signing.verify import verify_image, verify_pdf

    home: homes.Home = ctx.obj
    env = loaded(ctx) if (home.root / config.FILENAME).is_file() else None
    t = env.tte if env is not None else None
    if _is_pdf(file):
        if trust_roots:
            trust = Trust.load(list(trust_roots), t.crls if t else ())
        elif t is not None:
            trust = settings.trust(t)
        else:
            raise UserError("di luar folder kantor beri --trust-root (sertifikat akar)")
        expected = settings.head_of_office_sha256(t) if t and t.head_of_office_cert else None
        zone = env.cfg.tz if env is not None else ZoneInfo("Asia/Makassar")
        verdict = verify_pdf(file, trust, expected, zone)
    else:
        verdict = verify_image(file, settings.seal_certificate(t, seal_cert))
    for key, label in LABELS.items():
        if verdict.details.get(key):
            click.echo(f"{label}: {verdict.details[key]}")
    if not verdict.ok:
        raise UserError(f"TIDAK ASLI: {verdict.reason}")
    if env is not None and not _registered(env, verdict.details.get("register_no", ""),
                                           verdict.details.get("no_kk", "")):
        raise UserError(f"TIDAK ASLI: {verdict.details.get('register_no') or 'kartu'} "
                        f"{NOT_REGISTERED}")
    click.echo(f"ASLI: {verdict.reason}")
