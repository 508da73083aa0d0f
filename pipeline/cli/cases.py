"""`kkwna decide` and `kkwna enter`: a desk decision from a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipeline import flow, services
from pipeline.cli.base import cli, friendly, loaded_to_write
from pipeline.domain import family, sop
from pipeline.domain.errors import UserError
from pipeline.steps import data_entry_step, handler
from pipeline.steps.base import COMMON_FIELDS
from pipeline.store.register import Register

MAX_JSON_BYTES = 1 << 20


def known_fields(step: int, case_id: str = "") -> tuple[str, ...]:
    """The step's own fields on the form of *case_id*'s service (its prefix tells it; KK
    WNA's for an id no service has: the register lookup then says what it is)."""
    try:
        service = services.of_id(case_id) if case_id else services.default()
    except KeyError:
        service = services.default()
    step_of = {s.number for s in service.steps}
    return handler(service, step).fields if step in step_of else handler(step).fields


def fields_help() -> str:
    lines = []
    for s in sop.decided_at_desk():
        lines.append(f"langkah {s.number}: {handler(s.number).fields_help()}")
    return ("\b\nIsian per langkah (--field KUNCI=NILAI; kotak centang: ya/tidak):\n"
            + "\n".join(lines))


def field_pairs(step: int, pairs: tuple[str, ...], case_id: str = "") -> dict[str, str]:
    fields = {}
    allowed = set(known_fields(step, case_id)) | set(COMMON_FIELDS)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.BadParameter(f"tulis KUNCI=NILAI, bukan {pair!r}", param_hint="--field")
        if key not in allowed:
            own = ", ".join(known_fields(step, case_id)) or "(tidak ada)"
            raise UserError(f"isian {key!r} tidak dikenal pada langkah {step}; "
                            f"isian langkah ini: {own}")
        fields[key] = value.strip()
    return fields


@cli.command(epilog=fields_help())
@click.argument("case_id", metavar="KASUS")
@click.option("--step", type=int, required=True, metavar="LANGKAH",
              help="Langkah SOP yang diputuskan.")
@click.option("--approve", is_flag=True, help="Teruskan kasus (setuju).")
@click.option("--return", "reason", metavar="ALASAN", help="Kembalikan kasus, dengan alasannya.")
@click.option("--officer", "nip", required=True, metavar="NIP", help="NIP Anda (kkwna.toml).")
@click.option("--field", "pairs", multiple=True, metavar="KUNCI=NILAI",
              help="Satu isian formulir, mis. cek_kitap=ya (boleh diulang).")
@click.pass_context
@friendly
def decide(ctx: click.Context, case_id: str, step: int, approve: bool, reason: str | None,
           nip: str, pairs: tuple[str, ...]) -> None:
    """Keputusan formulir meja, diberikan dari terminal."""
    if approve == (reason is not None):
        raise click.UsageError("pilih satu: --approve atau --return ALASAN")
    # any service's desk step here; the case's own table is asked once it is loaded
    if step not in {s.number for svc in services.all() for s in svc.decided_at_desk()}:
        raise UserError(f"langkah {step} tidak diputuskan di meja")
    env = loaded_to_write(ctx)
    fields = field_pairs(step, pairs, case_id)
    reg = Register(env.home.register_path)
    try:
        click.echo(flow.decide_from_terminal(env, reg, case_id, step, approve=approve,
                                             note=reason or "", nip=nip, fields=fields))
    finally:
        reg.close()


@cli.command()
@click.argument("case_id", metavar="KASUS")
@click.argument("data_file", metavar="BERKAS_JSON",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--officer", "nip", required=True, metavar="NIP", help="NIP Anda (kkwna.toml).")
@click.pass_context
@friendly
def enter(ctx: click.Context, case_id: str, data_file: Path, nip: str) -> None:
    """Langkah 4 (perekaman data) dari berkas JSON, bukan dari formulir."""
    data = read_family(data_file)
    env = loaded_to_write(ctx)
    reg = Register(env.home.register_path)
    fields = family.to_form_fields(data, area=env.cfg.area)
    try:
        # the data-entry step of the case's own service
        try:
            step = data_entry_step(services.of(flow.load(reg, case_id)))
        except KeyError as exc:
            raise UserError(str(exc.args[0])) from None
        click.echo(flow.decide_from_terminal(env, reg, case_id, step, approve=True, note="",
                                             nip=nip, fields=fields, start_from_form=False))
    finally:
        reg.close()


def read_family(path: Path) -> dict[str, object]:
    if path.stat().st_size > MAX_JSON_BYTES:
        raise UserError(f"{path}: terlalu besar untuk data keluarga (maks. 1 MB)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise UserError(f"{path}: bukan JSON yang sah: {str(exc)[:200]}") from None
    if not isinstance(data, dict) or not isinstance(data.get("anggota", []), list):
        raise UserError(f"{path}: harus berupa objek JSON berisi data keluarga "
                        f"(no_kk, alamat, ..., anggota: [...])")
    return data
