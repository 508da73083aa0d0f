"""`kkwna init`, `kkwna watch`, `kkwna status`: the office and its pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipeline.cli.base import cli, friendly, loaded
from pipeline.domain.model import Env
from pipeline.office import config
from pipeline.office import home as homes
from pipeline.reports import status
from pipeline.store.register import Register

# outcomes not worth a line in the log
QUIET = {"unchanged", "untouched", "empty-folder", "stale", "changed"}


@cli.command()
@click.option("--demo", is_flag=True,
              help="Buat juga PKI DEMO (CA induk, sertifikat Kepala Dinas dan Kepala "
                   "Bidang, segel, cap waktu) dan catat di kkwna.toml [tte].")
@click.pass_context
@friendly
def init(ctx: click.Context, demo: bool) -> None:
    """Buat folder kantor: inbox/, desks/, cases/, archive/ ... dan kkwna.toml."""
    home: homes.Home = ctx.obj
    for line in homes.init(home):
        click.echo(line)
    Register(home.register_path).close()
    click.echo(f"kantor (home): {home.root}")
    if demo:
        from pipeline.signing.demo import set_up_demo  # slow imports, only with --demo

        pki = set_up_demo(home)
        # these labels are the interface's (docs/INTERFACE.md), read by scripts
        click.echo(f"head of office p12: {pki.head_of_office_p12}")
        click.echo(f"head of division p12: {pki.head_of_division_p12}")
        click.echo(f"passphrase file: {pki.passphrase_file}")
        click.echo(f"root CA: {pki.root_ca}")
    cfg = config.load(home.root)
    for officer in cfg.officers:
        mark = " (DEMO: ganti di kkwna.toml)" if officer.demo else ""
        click.echo(f"{officer.role}: {officer.nama}, NIP {officer.nip_display}{mark}")
    missing = not_set_up(home, cfg)
    if missing:
        click.echo("")
        click.echo("Belum diatur (kantor tetap berjalan; yang bergantung padanya menunggu):")
        for line in missing:
            click.echo(f"- {line}")
    if not demo:
        click.echo("")
        click.echo(f"Untuk mencoba dulu: kkwna --home {home.root} init --demo")


def not_set_up(home: homes.Home, cfg: config.Config) -> list[str]:
    """What a new office still lacks to go all the way, each with the one thing to do."""
    from pipeline.web.passwords import has_password

    t = cfg.tte.resolved(home.root)
    head = cfg.head_of_office()
    found = []
    if not t.configured:
        found.append("TTE (langkah 8): `kkwna init --demo` untuk PKI DEMO, atau isi [tte] di "
                     "kkwna.toml dengan sertifikat kantor")
    if not cfg.email.enabled:
        found.append("e-mail KK (langkah 9): isi [email] host dan sender di kkwna.toml")
    if not has_password(home, head.nip):
        found.append(f"kata sandi web Kepala Dinas (`kkwna serve`): kkwna pengguna sandi "
                     f"{head.nip}")
    if not cfg.contact.lambang:
        found.append("lambang daerah di kop surat: taruh berkas PNG di folder kantor dan isi "
                     "office.lambang di kkwna.toml")
    if not cfg.contact.lambang_garuda:
        found.append("lambang Garuda Pancasila di kiri atas KK: taruh berkas PNG di folder "
                     "kantor dan isi office.lambang_garuda di kkwna.toml")
    return found


@cli.command()
@click.option("--poll", type=click.FloatRange(min=0.1), metavar="DETIK",
              help="Periksa folder setiap DETIK detik (folder jaringan: SMB/NFS), bukan "
                   "lewat inotify.")
@click.option("--once", is_flag=True, help="Kerjakan yang ada sekarang, lalu keluar.")
@click.pass_context
@friendly
def watch(ctx: click.Context, poll: float | None, once: bool) -> None:
    """Jalankan alur kerja pada inbox/ dan desks/ (Ctrl-C: berhenti setelah berkas yang
    sedang diproses).

    Menolak mulai (kode keluar 1) selama register tertinggal dari folder kasus di disk."""
    from pipeline.watcher import Watcher

    env = loaded(ctx)
    homes.init(env.home)

    def report(entry: Path, outcome: str) -> None:
        if outcome not in QUIET:
            click.echo(f"{entry.name}: {OUTCOMES.get(outcome, outcome)}")

    if not once:
        click.echo(f"kkwna mengawasi {env.home.inbox} dan {env.home.desks} "
                   f"(Ctrl-C untuk berhenti)")
    Watcher(env.home, env.cfg, poll=poll, once=once, on_item=report).run()


# What the watcher reports per item, in the clerk's words (a case id is printed as it is).
OUTCOMES = {
    "quarantined": "dipindahkan ke karantina",
    "waiting": "menunggu (gangguan komputer; dicoba lagi)",
    "held": "ditahan: sisa dari kasus yang sudah dibuka (lihat catatannya)",
    "released": "tidak ditahan lagi",
    "unreadable": "tidak dapat dibaca (lihat berkas .error.txt)",
    "unknown": "bukan formulir kkwna (lihat berkas .error.txt)",
    "mismatch": "formulir tidak cocok dengan kasusnya (lihat berkas .error.txt)",
    "refused": "ditolak (lihat berkas .error.txt)",
    "wrong-desk": "formulir di meja langkah lain: tidak dicatat (lihat berkas .error.txt)",
    "error": "kesalahan (lihat berkas .error.txt)",
}


def _certificates(env: Env) -> list[str]:
    from pipeline.domain import clock
    from pipeline.signing import expiry

    return expiry.warnings(env, clock.now(env.cfg.tz))


def _emblem(env: Env) -> list[str]:
    line = status.emblem_line(env.cfg)
    return [line] if line else []


@cli.command(name="status")
@click.argument("case_id", required=False, metavar="[KASUS]")
@click.option("--json", "as_json", is_flag=True, help="Keluaran untuk program lain (JSON).")
@click.pass_context
@friendly
def status_cmd(ctx: click.Context, case_id: str | None, as_json: bool) -> None:
    """Kasus terbuka: langkah, meja, menit menunggu dibanding standar SOP; lalu yang tidak
    dapat dikerjakan `kkwna watch` (gangguan, masalah register, folder inbox yang ditahan)."""
    env = loaded(ctx)
    reg = Register(env.home.register_path)
    try:
        if as_json:
            click.echo(json.dumps(status.as_json(env.cfg, reg, env.home), ensure_ascii=False,
                                  indent=1))
            return
        click.echo(status.render(env.cfg, reg, case_id))
        warnings = [*_certificates(env), *_emblem(env)]
        if not case_id and (problems := status.problems(env.home, warnings)):
            click.echo("")
            click.echo(problems)
    finally:
        reg.close()
