"""The `kkwna` command group and how errors reach the terminal: a `KkwnaError` becomes one
line on stderr and its exit code; anything else is an internal error (exit 70, one line;
the traceback with --verbose)."""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from pipeline import config, fsutil, restored
from pipeline import home as homes
from pipeline.errors import INTERNAL, KkwnaError
from pipeline.model import Env
from pipeline.register import Register

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
            click.echo(f"kkwna: kesalahan internal: {type(exc).__name__}: {exc} "
                       f"(jalankan dengan --verbose untuk rinciannya)", err=True)
            sys.exit(INTERNAL)

    return run  # type: ignore[return-value]


# command -> the module of pipeline.cli that defines it: a command loads only what it uses,
# so `kkwna status` starts in a fraction of a second, without the PDF and signing stacks
COMMANDS = {"init": "office", "watch": "office", "status": "office", "decide": "cases",
            "enter": "cases", "sign": "signing", "verify": "signing", "collect": "handover",
            "archive": "archive", "register": "register", "report": "reports", "demo": "demo"}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            importlib.import_module(f"pipeline.cli.{COMMANDS[name]}")
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup)
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


def loaded(ctx: click.Context) -> Env:
    """The office of this command: its home and its kkwna.toml, whose `[files]` policy
    (mode, group) then applies to every file the command writes."""
    home: homes.Home = ctx.obj
    cfg = config.load(home.root)
    try:
        fsutil.set_file_policy(cfg.files.mode, cfg.files.group or None)
    except ValueError as exc:
        raise config.ConfigError(f"{config.FILENAME}: [files]: {exc}") from exc
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
