"""`kkwna`: the terminal side of the pipeline. Each command parses, calls one function,
and maps errors to an exit code: 0 done, 1 a user error (one line), 2 bad usage,
70 an internal error (one line; the traceback with --verbose)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from pipeline import config, documents, engine, forms, sop, status, steps
from pipeline import home as homes
from pipeline.config import ConfigError
from pipeline.engine import Refused
from pipeline.home import Home, HomeError
from pipeline.register import Register, RegisterError

USER_ERRORS = (ConfigError, HomeError, RegisterError, Refused, forms.FormUnreadable)
INTERNAL = 70
QUIET = {"unchanged", "untouched", "empty-folder", "stale"}  # not worth a line in the log


class UserError(Exception):
    pass


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Errors become one line on stderr and an exit code; tracebacks only with --verbose."""

    @wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        verbose = ctx.find_root().params.get("verbose", False)
        try:
            return fn(*args, **kwargs)
        except (UserError, *USER_ERRORS) as exc:
            if verbose:
                raise
            click.echo(f"kkwna: {exc}", err=True)
            sys.exit(1)
        except (click.ClickException, click.exceptions.Exit, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if verbose:
                raise
            click.echo(f"kkwna: internal error: {type(exc).__name__}: {exc} "
                       f"(run with --verbose for details)", err=True)
            sys.exit(INTERNAL)

    return run


@click.group()
@click.option("--home", "home_dir", envvar="KKWNA_HOME", type=click.Path(file_okay=False),
              help="The office folder (default: the current folder, or $KKWNA_HOME).")
@click.option("--verbose", "-v", is_flag=True, help="Log progress and show tracebacks.")
@click.version_option(package_name="kkwna")
@click.pass_context
def cli(ctx: click.Context, home_dir: str | None, verbose: bool) -> None:
    """kkwna: Kartu Keluarga WNA, from the front-desk scan to the archive binder."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S")
    ctx.obj = homes.resolve(home_dir)


def _loaded(ctx: click.Context) -> tuple[Home, config.Config]:
    home: Home = ctx.obj
    return home, config.load(home.root)


@cli.command()
@click.pass_context
@friendly
def init(ctx: click.Context) -> None:
    """Create the office folder: inbox/, desks/, cases/, archive/ ... and kkwna.toml."""
    home: Home = ctx.obj
    for line in homes.init(home):
        click.echo(line)
    cfg = config.load(home.root)
    Register(home.register_path).close()
    click.echo(f"home: {home.root}")
    for officer in cfg.officers:
        mark = " (DEMO: replace in kkwna.toml)" if officer.demo else ""
        click.echo(f"{officer.role}: {officer.nama}, NIP {officer.nip_display}{mark}")


@cli.command()
@click.option("--poll", type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="Poll the folders every SECONDS (network shares: SMB/NFS) instead of inotify.")
@click.option("--once", is_flag=True, help="Handle what is there now, then exit.")
@click.pass_context
@friendly
def watch(ctx: click.Context, poll: float | None, once: bool) -> None:
    """Run the pipeline on inbox/ and desks/ (Ctrl-C stops between items)."""
    from pipeline.watcher import Watcher

    home, cfg = _loaded(ctx)
    homes.init(home)

    def report(entry: Path, outcome: str) -> None:
        if outcome not in QUIET:
            click.echo(f"{entry.name}: {outcome}")

    if not once:
        click.echo(f"kkwna watching {home.inbox} and {home.desks} (Ctrl-C to stop)")
    Watcher(home, cfg, poll=poll, once=once, on_item=report).run()


@cli.command(name="status")
@click.argument("case_id", required=False)
@click.pass_context
@friendly
def status_cmd(ctx: click.Context, case_id: str | None) -> None:
    """Open cases: step, desk, minutes waiting against the SOP standard."""
    home, cfg = _loaded(ctx)
    reg = Register(home.register_path)
    click.echo(status.render(home, cfg, reg, case_id))


def _field_pairs(pairs: tuple[str, ...]) -> dict[str, str]:
    fields = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected key=value, got {pair!r}", param_hint="--field")
        fields[key.strip()] = value.strip()
    return fields


def _open_case(reg: Register, case_id: str) -> Any:
    case = reg.find(case_id.strip().upper())
    if case is None:
        raise UserError(f"no case {case_id!r} in the register")
    return case


@cli.command()
@click.argument("case_id")
@click.option("--step", type=int, required=True, help="The SOP step being decided.")
@click.option("--approve", is_flag=True, help="Forward the case (setuju).")
@click.option("--return", "reason", metavar="REASON", help="Return the case (kembalikan), why.")
@click.option("--officer", "nip", required=True, metavar="NIP", help="Your NIP (kkwna.toml).")
@click.option("--field", "pairs", multiple=True, metavar="KEY=VALUE",
              help="A form field, e.g. cek_kitap=ya (repeatable).")
@click.pass_context
@friendly
def decide(ctx: click.Context, case_id: str, step: int, approve: bool, reason: str | None,
           nip: str, pairs: tuple[str, ...]) -> None:
    """The decision a desk form carries, from a terminal."""
    if approve == (reason is not None):
        raise click.UsageError("give exactly one of --approve or --return REASON")
    home, cfg = _loaded(ctx)
    reg = Register(home.register_path)
    case = _open_case(reg, case_id)
    if step not in {s.number for s in sop.STEPS if s.desk}:
        raise UserError(f"step {step} is not decided at a desk")
    officer = cfg.officer(nip, sop.step(step).role.key)
    # the form as it lies on the desk (pre-filled), with the fields given here on top
    fields = {k: ("ya" if v is True else "tidak" if v is False else str(v))
              for k, v in documents.form_data(cfg, case, step, {})["fields"].items()}
    fields.update(_field_pairs(pairs))
    d = engine.Decision(case_id=case.id, step=step, approve=approve, note=reason or "",
                        officer_name=officer.nama if officer else "", officer_nip=nip,
                        fields=fields)
    with homes.WorkLock(home):
        click.echo(steps.decide(home, cfg, reg, case, d))


@cli.command()
@click.argument("case_id")
@click.argument("data_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--officer", "nip", required=True, metavar="NIP", help="Your NIP (kkwna.toml).")
@click.pass_context
@friendly
def enter(ctx: click.Context, case_id: str, data_file: Path, nip: str) -> None:
    """Step 4 (data entry) from a JSON file instead of the form."""
    from pipeline import family

    try:
        data = json.loads(data_file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"{data_file}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise UserError(f"{data_file}: expected a JSON object with the family data")
    home, cfg = _loaded(ctx)
    reg = Register(home.register_path)
    case = _open_case(reg, case_id)
    officer = cfg.officer(nip, sop.ADM_SIAK.key)
    d = engine.Decision(case_id=case.id, step=4, approve=True, note="",
                        officer_name=officer.nama if officer else "", officer_nip=nip,
                        fields=family.to_form_fields(data))
    with homes.WorkLock(home):
        click.echo(steps.decide(home, cfg, reg, case, d))


def main() -> None:
    cli(prog_name="kkwna")
