"""The archive's terminal commands:

    kkwna archive verify [--year Y | --sample N]   exit 0: all well; 1: one line per problem
                                                   (each run recorded in the chain)
    kkwna archive export --bagit DIR [--year Y] [--force]
    kkwna archive replicate DEST             a second copy; exit 1 when the source is not
                                             whole (nothing copied) or a file is reported
    kkwna archive restore SRC                the archive back from such a copy
    kkwna archive renew [--year Y] [--before DATE]   fresh timestamps for filed KKs
    kkwna archive due                        renewals within 2 years, audits overdue,
                                             retentions ended (for the archivist)

The signed KKs' signatures are checked offline against the office's [tte] trust, the
register's signed checkpoints against the seal certificate (tte.seal_cert). The export
runs the same check first and refuses a tampered archive unless --force.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pipeline.cli.base import cli, friendly, loaded, loaded_to_write
from pipeline.domain.errors import UserError

# The register, the checks and the archive's modules are imported in the commands:
# `archive verify` starts hashing the binders before it loads them (most of its time).
if TYPE_CHECKING:
    from pipeline.domain.model import Env
    from pipeline.office.home import Home
    from pipeline.store.register import Register


def signature_check(env: Env) -> Callable[[Path], str | None] | None:
    """How `archive verify` checks a filed KK's signature: offline, against the office's
    trust roots and head-of-office certificate (None when [tte] is not configured)."""
    t = env.tte
    if not t.configured:
        return None
    from pipeline.signing import settings, signatories
    from pipeline.signing.verify import verify_pdf

    trust, head = settings.trust(t), signatories.keyed_by_fingerprint(env.cfg, t)

    def check(path: Path) -> str | None:
        verdict = verify_pdf(path, trust, head, tz=env.cfg.tz)
        return None if verdict.ok else verdict.reason
    return check


def checks(env: Env) -> dict[str, Any]:
    """What `verify_archive` checks beyond the files: signatures and checkpoints."""
    t = env.tte
    if not t.trust_roots:
        # no signature and no timestamp can be checked: pyHanko is not loaded (1 s of a
        # run); the seal certificate alone checks the checkpoints
        return {"check_signature": None, "trust": None, "require_seal": True,
                "seal_cert": _seal_certificate(t.seal_cert) if t.seal_cert else None}
    from pipeline.signing import settings

    return {"check_signature": signature_check(env),
            "seal_cert": settings.seal_certificate(t) if t.seal_cert else None,
            "trust": settings.trust(t) if t.trust_roots else None,
            "require_seal": True}


def _seal_certificate(path: Path) -> Any:
    """tte.seal_cert (PEM or DER, one certificate) read with `cryptography` alone, as
    `settings.seal_certificate` reads it."""
    from cryptography import x509

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"berkas {path} tidak dapat dibaca ({exc.strerror})") from None
    try:
        if b"-----BEGIN" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise UserError(f"{path.name}: bukan sertifikat X.509") from None
    if len(certs) != 1:
        raise UserError(f"{path.name}: harus berisi tepat satu sertifikat")
    return certs[0]


@contextmanager
def _register(ctx: click.Context) -> Iterator[tuple[Home, Register]]:
    from pipeline.store.register import Register

    home: Home = ctx.obj
    if not home.register_path.exists():
        click.echo(f"kkwna: {home.root} belum berisi register (jalankan `kkwna init`)",
                   err=True)
        sys.exit(1)
    loaded_to_write(ctx)  # the export copies the archive as the register has it
    reg = Register(home.register_path)
    try:
        yield home, reg
    finally:
        reg.close()


def _progress(done: int, total: int) -> None:
    """A progress line on a terminal (nothing when stderr is a file or a pipe)."""
    if sys.stderr.isatty() and total:
        end = "\n" if done == total else ""
        click.echo(f"\rmemeriksa berkas: {done}/{total} ({100 * done // total}%)", err=True,
                   nl=False)
        if end:
            click.echo("", err=True)


@cli.group()
def archive() -> None:
    """Arsip: pemeriksaan keutuhan dan paket serah-terima (BagIt)."""


@archive.command()
@click.option("--year", type=int, metavar="TAHUN", help="Hanya arsip tahun ini.")
@click.option("--sample", type=click.IntRange(min=1), metavar="N",
              help="Hanya N kasus acak (audit harian yang cepat).")
@click.pass_context
@friendly
def verify(ctx: click.Context, year: int | None, sample: int | None) -> None:
    """Periksa setiap berkas arsip terhadap SHA256SUMS dan register; setiap audit dicatat
    di rantai register."""
    from pipeline.archive.hashing import Hashing

    home: Home = ctx.obj
    # hashing the binders is most of the run: started first (a forked child), it goes on
    # while the settings, the register and its chain are read here; a sample's few
    # folders are hashed once the register has drawn them
    hashing = Hashing.of_archive(home.archive, year) if sample is None else None
    try:
        from pipeline.archive import audits
        from pipeline.archive.fixity import verify_archive
        from pipeline.domain import clock

        env = loaded(ctx)
        with _register(ctx) as (home, reg):
            if sample is not None:
                cases, scope = audits.sample(reg, sample), f"sampel {sample}"
            else:
                cases = audits.filed_cases(reg, year)
                scope = audits.FULL if year is None else f"tahun {year}"
            problems = verify_archive(home, reg, year, progress=_progress,
                                      only=set(cases) if sample is not None else None,
                                      hashing=hashing, **checks(env))
            audits.record(reg, clock.now(env.cfg.tz), scope, cases, problems)
    finally:
        if hashing is not None:
            hashing.close()
    for line in problems:
        click.echo(line)
    if problems:
        click.echo(f"kkwna: {len(problems)} masalah ditemukan dalam arsip "
                   f"({len(cases)} kasus diperiksa)", err=True)
        sys.exit(1)
    click.echo(f"arsip utuh: semua berkas cocok dengan SHA256SUMS dan register "
               f"({len(cases)} kasus diperiksa)")


@archive.command(name="export")
@click.option("--bagit", "dest", required=True, type=click.Path(file_okay=False),
              help="Folder tujuan (kosong atau belum ada).")
@click.option("--year", type=int, metavar="TAHUN", help="Hanya arsip tahun ini.")
@click.option("--force", is_flag=True,
              help="Tulis juga bila arsip tidak utuh (masalahnya dicatat di bag-info.txt).")
@click.pass_context
@friendly
def export_command(ctx: click.Context, dest: str, year: int | None, force: bool) -> None:
    """Tulis arsip sebagai paket BagIt untuk diserahkan ke lembaga kearsipan."""
    from pipeline.archive.export import export_bagit

    env = loaded(ctx)
    with _register(ctx) as (home, reg):
        bag = export_bagit(home, reg, Path(dest), year, force=force, **checks(env))
    click.echo(f"paket BagIt ditulis di {bag}")


@archive.command()
@click.argument("dest", metavar="TUJUAN", type=click.Path(file_okay=False))
@click.pass_context
@friendly
def replicate(ctx: click.Context, dest: str) -> None:
    """Salin arsip (dan cadangan register dengan rantainya) ke tempat kedua, bertahap."""
    from pipeline.archive import replica

    env = loaded(ctx)
    with _register(ctx) as (home, reg):
        result = replica.replicate(home, reg, Path(dest), **checks(env))
    for line in result.problems:
        click.echo(line)
    if result.refused:
        click.echo(f"kkwna: arsip sumber tidak utuh ({len(result.problems)} masalah): "
                   f"tidak disalin ke {dest}")
        sys.exit(1)
    for rel in result.repaired:
        click.echo(f"{rel}: salinan rusak di tujuan, disalin ulang")
    click.echo(f"{len(result.copied)} berkas disalin ke {dest}; cadangan register diperbarui")
    if result.problems:
        click.echo(f"kkwna: {len(result.problems)} berkas dilaporkan, tidak disalin",
                   err=True)
        sys.exit(1)


@archive.command()
@click.argument("src", metavar="SUMBER", type=click.Path(file_okay=False, exists=True))
@click.pass_context
@friendly
def restore(ctx: click.Context, src: str) -> None:
    """Pulihkan arsip dari salinan `archive replicate` ke kantor yang registernya kosong."""
    from pipeline.archive import replica
    from pipeline.archive.fixity import verify_archive

    env = loaded(ctx)
    home: Home = ctx.obj
    try:
        count = replica.restore(Path(src), home)
    except replica.RestoreError as exc:
        click.echo(f"kkwna: {exc}", err=True)
        sys.exit(1)
    with _register(ctx) as (home, reg):
        problems = verify_archive(home, reg, **checks(env))
    for line in problems:
        click.echo(line)
    if problems:
        click.echo(f"kkwna: {count} berkas dipulihkan, tetapi arsip tidak utuh "
                   f"({len(problems)} masalah)", err=True)
        sys.exit(1)
    click.echo(f"arsip dipulihkan dari {src}: {count} berkas; arsip utuh")


@archive.command()
@click.option("--year", type=int, metavar="TAHUN", help="Hanya arsip tahun ini.")
@click.option("--before", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Perbarui yang cap waktunya berakhir sebelum tanggal ini "
                   "(bawaan: dalam 2 tahun).")
@click.pass_context
@friendly
def renew(ctx: click.Context, year: int | None, before: datetime | None) -> None:
    """Perbarui tanda tangan KK yang diarsipkan (data validasi dan cap waktu baru)."""
    from pipeline.archive import renew as renewal
    from pipeline.signing import settings
    from pipeline.signing.keys import SigningError

    env = loaded(ctx)
    limit = _limit(env, before)
    stamper = settings.timestamper(env.tte)
    if stamper is None:
        raise SigningError("kkwna.toml: tte.tsa_url (atau tte.tsa_p12) belum diisi; "
                           "pembaruan butuh otoritas cap waktu")
    trust = settings.trust(env.tte)
    failed = 0
    with _register(ctx) as (home, reg):
        items = renewal.due(home, reg, limit, year)
        for item in items:
            try:
                name = renewal.renew_case(home, env.cfg, reg, item, trust=trust,
                                          timestamper=stamper)
            except SigningError as exc:
                failed += 1
                click.echo(f"{item.case_id}: tidak diperbarui: {exc}")
                continue
            click.echo(f"{item.case_id}: {item.name} -> {name}")
    if failed:
        click.echo(f"kkwna: {failed} dari {len(items)} KK tidak dapat diperbarui", err=True)
        sys.exit(1)
    click.echo(f"{len(items)} KK diperbarui (cap waktu berakhir sebelum {limit:%d-%m-%Y})")


@archive.command()
@click.pass_context
@friendly
def due(ctx: click.Context) -> None:
    """Yang sudah waktunya: pembaruan tanda tangan, audit arsip, retensi yang berakhir."""
    from pipeline.archive import audits, records
    from pipeline.archive import renew as renewal
    from pipeline.domain import clock

    env = loaded(ctx)
    now = clock.now(env.cfg.tz)
    with _register(ctx) as (home, reg):
        items = renewal.due(home, reg, _limit(env, None))
        lines = audits.status_lines(reg, now)
        ended = records.retention_ended(env.cfg, reg, now.date())
    for item in items:
        click.echo(f"{item.case_id}: perbarui tanda tangan {item.name} (cap waktu berakhir "
                   f"{item.expires.astimezone(env.cfg.tz):%d-%m-%Y}; `kkwna archive renew`)")
    for e in ended:
        assumed = "" if e.recorded else " menurut kkwna.toml sekarang"
        click.echo(f"{e.case_id}: retensi berakhir {e.ends:%d-%m-%Y} ({e.records.kode}, aktif "
                   f"{e.records.aktif} + inaktif {e.records.inaktif} tahun sejak diarsipkan "
                   f"{e.filed:%d-%m-%Y}{assumed}); nasib akhir: {e.records.nasib_akhir}. "
                   "Menunggu keputusan arsiparis (kkwna tidak menghapus berkas)")
    for line in lines:
        if line.startswith("PERHATIAN"):
            click.echo(line.removeprefix("PERHATIAN: "))
    if not items and not ended and not any(line.startswith("PERHATIAN") for line in lines):
        click.echo("tidak ada yang jatuh tempo")


def _limit(env: Env, before: datetime | None) -> datetime:
    """--before as a moment in the office's time zone; by default two years from now."""
    from pipeline.domain import clock

    if before is not None:
        return before.replace(tzinfo=env.cfg.tz)
    now = clock.now(env.cfg.tz)
    return now + timedelta(days=2 * 365)
