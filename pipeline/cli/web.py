"""`kkwna serve` (the web door: step 8 in the browser, `/verifikasi`, the board) and
`kkwna pengguna sandi NIP` (an officer's password for it)."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.base import cli, friendly, loaded
from pipeline.domain.errors import UserError


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ALAMAT",
              help="Alamat tempat server menerima koneksi; alamat LAN kantor (atau "
                   "0.0.0.0) agar dapat dibuka dari komputer lain.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535),
              metavar="PORT", help="Nomor port server.")
@click.option("--cert", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sertifikat TLS (PEM, beserta rantainya); bersama --key: layanan HTTPS.")
@click.option("--key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Kunci privat sertifikat tersebut (PEM).")
@click.pass_context
@friendly
def serve(ctx: click.Context, host: str, port: int, cert: Path | None,
          key: Path | None) -> None:
    """Pintu web: /verifikasi untuk siapa saja, /persetujuan (langkah 8) dan /papan untuk
    petugas."""
    import uvicorn

    from pipeline.web.app import create_app

    if (cert is None) != (key is None):
        raise click.UsageError("--cert dan --key harus diberikan bersama")
    env = loaded(ctx)
    app = create_app(env.home)
    scheme = "https" if cert else "http"
    click.echo(f"kkwna serve: {scheme}://{host}:{port}/verifikasi (Ctrl+C untuk berhenti)",
               err=True)
    # X-Forwarded-For/-Proto are believed from a reverse proxy on this machine only
    uvicorn.run(app, host=host, port=port, ssl_certfile=cert, ssl_keyfile=key,
                proxy_headers=True, forwarded_allow_ips="127.0.0.1", server_header=False,
                log_level="info")


@cli.group()
def pengguna() -> None:
    """Akun petugas untuk `kkwna serve`."""


@pengguna.command("sandi")
@click.argument("nip", metavar="NIP")
@click.option("--password-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Baca kata sandi dari baris pertama berkas ini, tanpa ditanyakan.")
@click.pass_context
@friendly
def sandi(ctx: click.Context, nip: str, password_file: Path | None) -> None:
    """Atur kata sandi web petugas dengan NIP tersebut (disimpan sebagai hash argon2)."""
    from pipeline.web.passwords import set_password

    env = loaded(ctx)
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        password = lines[0] if lines else ""
    else:
        password = click.prompt("Sandi baru", hide_input=True, confirmation_prompt=
                                "Ulangi sandi", err=True)
    if not password:
        raise UserError("sandi kosong")
    name = set_password(env.home, env.cfg, nip, password)
    click.echo(f"sandi web untuk {name} (NIP {nip}) disimpan")
