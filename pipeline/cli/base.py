"""The `kkwna` command group and how errors reach the terminal: a `KkwnaError` becomes one
line on stderr and its exit code; anything else is an internal error (exit 70, one line;
the traceback with --verbose). Log lines on the terminal are kkwna's own, stamped in office
time; the libraries' (pyHanko logs a traceback for every revision it distrusts) only with
--verbose."""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

from pipeline import config, fsutil, machine, restored
from pipeline import home as homes
from pipeline.cli import bahasa
from pipeline.errors import INTERNAL, KkwnaError
from pipeline.model import Env
from pipeline.register import Register

bahasa.install()  # click's own messages in Indonesian

F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Errors become one line on stderr and an exit code; tracebacks only with --verbose."""

    @wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        verbose = ctx.find_root().params.get("verbose", False)
        try:
            return fn(*args, **kwargs)
        except KkwnaError as exc:
            if verbose:
                raise
            click.echo(f"kkwna: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if verbose:
                raise
            if machine.is_machine_fault(exc):  # a full disk anywhere: one line, try again
                fault = machine.fault(exc, f"kkwna {ctx.info_name}", ctx.find_root().obj.root
                                      if ctx.find_root().obj else None)
                click.echo(f"kkwna: {fault}", err=True)
                sys.exit(fault.exit_code)
            click.echo(f"kkwna: kesalahan internal: {type(exc).__name__}: {exc} "
                       f"(jalankan dengan --verbose untuk rinciannya)", err=True)
            sys.exit(INTERNAL)

    return run  # type: ignore[return-value]


# command -> the module of pipeline.cli that defines it: a command loads only what it uses,
# so `kkwna status` starts in a fraction of a second, without the PDF and signing stacks
COMMANDS = {"init": "office", "watch": "office", "status": "office", "decide": "cases",
            "enter": "cases", "sign": "signing", "verify": "signing", "collect": "handover",
            "archive": "archive", "register": "register", "report": "reports", "demo": "demo",
            "serve": "web", "pengguna": "web"}


def _options_first(args: list[str]) -> list[str]:
    """`kkwna init --demo --home DIR` means `kkwna --home DIR init --demo`: the group's own
    options (--home, --verbose) may follow the command; an argument after `--` is never
    taken for one."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        if arg == "--home" and i + 1 < len(args):
            front += args[i:i + 2]
            i += 2
            continue
        if arg.startswith("--home=") or arg in ("--verbose", "-v"):
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


class LazyGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _options_first(list(args)))

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            importlib.import_module(f"pipeline.cli.{COMMANDS[name]}")
        return super().get_command(ctx, name)


LEVELS = {"DEBUG": "debug", "INFO": "info", "WARNING": "peringatan", "ERROR": "galat",
          "CRITICAL": "gawat"}


class OfficeTime(logging.Formatter):
    """Log lines stamped in office time (``27-11-2026 09:14:05 WITA``), levels in Indonesian."""

    def __init__(self, tz: ZoneInfo) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")
        self.tz = tz

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        from pipeline.clock import zone_name

        moment = datetime.fromtimestamp(record.created, self.tz)
        return f"{moment:%d-%m-%Y %H:%M:%S} {zone_name(moment)}".strip()

    def format(self, record: logging.LogRecord) -> str:
        record.levelname = LEVELS.get(record.levelname, record.levelname)
        return super().format(record)


class OursOnly(logging.Filter):
    """Only kkwna's own records (loggers under ``pipeline``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.partition(".")[0] == "pipeline"


def _terminal_handlers() -> list[logging.Handler]:
    """The handler basicConfig put on the terminal (not a test runner's capture)."""
    return [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]


def _terminal_logs(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S")
    for handler in _terminal_handlers():
        for old in [f for f in handler.filters if isinstance(f, OursOnly)]:
            handler.removeFilter(old)
        if not verbose:
            handler.addFilter(OursOnly())


@click.group(cls=LazyGroup)
@click.option("--home", "home_dir", envvar="KKWNA_HOME", type=click.Path(file_okay=False),
              help="The office folder (default: the current folder, or $KKWNA_HOME).")
@click.option("--verbose", "-v", is_flag=True, help="Log progress and show tracebacks.")
@click.version_option(package_name="kkwna")
@click.pass_context
def cli(ctx: click.Context, home_dir: str | None, verbose: bool) -> None:
    """kkwna: Kartu Keluarga WNA, from the front-desk scan to the archive binder."""
    _terminal_logs(verbose)
    ctx.obj = homes.resolve(home_dir)


def loaded(ctx: click.Context) -> Env:
    """The office of this command: its home and its kkwna.toml, whose `[files]` policy
    (mode, group) then applies to every file the command writes."""
    home: homes.Home = ctx.obj
    cfg = config.load(home.root)
    try:
        fsutil.set_file_policy(cfg.files.mode, cfg.files.group or None)
    except ValueError as exc:
        raise config.ConfigError(f"{config.FILENAME}: [files]: {exc}") from exc
    for handler in _terminal_handlers():
        handler.setFormatter(OfficeTime(cfg.tz))
    return Env(home, cfg)


def loaded_to_write(ctx: click.Context) -> Env:
    """`loaded`, for a command that writes: it stops first (RegisterBehind, one line) when
    the register is older than the office's case folders, chain log or filed documents
    (`pipeline.restored`), before anything is drawn, filed or numbered."""
    env = loaded(ctx)
    if env.home.register_path.exists():
        reg = Register(env.home.register_path)
        try:
            restored.check(env.home, reg)
        finally:
            reg.close()
    return env
