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
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import click

import pipeline.cli.bahasa as bahasa
from pipeline.domain.errors import INTERNAL, KkwnaError

# The office's own modules (config, home, register...) are imported where a command first
# needs them, not here: `kkwna --help` loads this module and click alone (issue 18).
if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from pipeline.domain.model import Env
    from pipeline.office.home import Home

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
            from pipeline.office import machine

            if machine.is_machine_fault(exc):  # a full disk anywhere: one line, try again
                fault = machine.fault(exc, f"kkwna {ctx.info_name}", ctx.find_root().obj.root
                                      if ctx.find_root().obj else None)
                click.echo(f"kkwna: {fault}", err=True)
                sys.exit(fault.exit_code)
            click.echo(f"kkwna: kesalahan internal: {type(exc).__name__}: {exc} "
                       f"(jalankan dengan --verbose untuk rinciannya)", err=True)
            sys.exit(INTERNAL)

    return run  # type: ignore[return-value]


class Listed(NamedTuple):
    """Where a command is defined (a module of pipeline.cli) and its summary in `--help`:
    the first paragraph of its docstring (a test holds the two equal)."""

    module: str
    help: str


# Every command, loaded only when it runs: `kkwna status` never imports the PDF and signing
# stacks, and `kkwna --help` imports no command module at all.
COMMANDS = {
    "archive": Listed("archive", "Arsip: pemeriksaan keutuhan dan paket serah-terima (BagIt)."),
    "collect": Listed("handover", "Serahkan KK yang sudah ditandatangani sesuai kode "
                                  "pengambilan (langkah 10-11)."),
    "decide": Listed("cases", "Keputusan formulir meja, diberikan dari terminal."),
    "demo": Listed("demo", "Coba kkwna: kantor demo, satu keluarga contoh melewati 11 "
                           "langkah, lalu laporannya."),
    "enter": Listed("cases", "Langkah 4 (perekaman data) dari berkas JSON, bukan dari "
                             "formulir."),
    "init": Listed("office", "Buat folder kantor: inbox/, desks/, cases/, archive/ ... "
                             "dan kkwna.toml."),
    "pengguna": Listed("web", "Akun petugas untuk `kkwna serve`."),
    "register": Listed("register", "Buku register elektronik."),
    "report": Listed("reports", "Tulis evaluasi kinerja bulanan (PDF/A dan CSV) lalu "
                                "tampilkan lokasi berkasnya."),
    "serve": Listed("web", "Pintu web: /verifikasi untuk siapa saja, /persetujuan "
                           "(langkah 8) dan /papan untuk petugas."),
    "sign": Listed("signing", "Langkah 8: Kepala Dinas menandatangani KK yang menunggu "
                              "(PAdES), di sini atau lewat layanan TTE."),
    "status": Listed("office", "Kasus terbuka: langkah, meja, menit menunggu dibanding "
                               "standar SOP; lalu yang tidak dapat dikerjakan `kkwna watch` "
                               "(gangguan, masalah register, folder inbox yang ditahan)."),
    "verify": Listed("signing", "Apakah KK ini asli? PDF: tanda tangannya; foto atau "
                                "pindaian: segel QR-nya."),
    "watch": Listed("office", "Jalankan alur kerja pada inbox/ dan desks/ (Ctrl-C: berhenti "
                              "setelah berkas yang sedang diproses)."),
}

# click's usage placeholders are not in its message catalogue: set here, for every command
OPTIONS_METAVAR = "[OPSI]"
SUBCOMMAND_METAVAR = "PERINTAH [ARGUMEN]..."


class Command(click.Command):
    """A command whose usage line reads `kkwna decide [OPSI] KASUS`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)


class Group(click.Group):
    """A group whose usage line reads `kkwna archive [OPSI] PERINTAH [ARGUMEN]...`, and
    whose commands and sub-groups do the same."""

    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)


Group.group_class = Group  # a sub-group (archive, register...) is not lazy: plain Group


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


class LazyGroup(Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _options_first(list(args)))

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            importlib.import_module(f"pipeline.cli.{COMMANDS[name].module}")
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's own command list, drawn from stand-ins that carry only the summary in
        COMMANDS (a command already loaded speaks for itself): no command module loads."""
        listed = {name: self.commands.get(name) or click.Command(name, help=COMMANDS[name].help)
                  for name in self.list_commands(ctx)}
        click.Group.format_commands(click.Group(commands=listed), ctx, formatter)


LEVELS = {"DEBUG": "debug", "INFO": "info", "WARNING": "peringatan", "ERROR": "galat",
          "CRITICAL": "gawat"}


class OfficeTime(logging.Formatter):
    """Log lines stamped in office time (``27-11-2026 09:14:05 WITA``), levels in Indonesian."""

    def __init__(self, tz: ZoneInfo) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")
        self.tz = tz

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        from pipeline.domain.clock import zone_name

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
              help="Folder kantor (bawaan: folder saat ini, atau $KKWNA_HOME).")
@click.option("--verbose", "-v", is_flag=True,
              help="Tampilkan jalannya proses dan rincian kesalahan (traceback).")
@click.version_option(package_name="kkwna")
@click.pass_context
def cli(ctx: click.Context, home_dir: str | None, verbose: bool) -> None:
    """kkwna: Kartu Keluarga WNA, dari pindaian di loket depan hingga odner arsip."""
    from pipeline.office import home as homes

    _terminal_logs(verbose)
    ctx.obj = homes.resolve(home_dir)


def loaded(ctx: click.Context) -> Env:
    """The office of this command: its home and its kkwna.toml, whose `[files]` policy
    (mode, group) then applies to every file the command writes."""
    from pipeline.domain.model import Env
    from pipeline.office import config, fsutil

    home: Home = ctx.obj
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
    (`pipeline.office.restored`), before anything is drawn, filed or numbered."""
    from pipeline.office import restored
    from pipeline.store.register import Register

    env = loaded(ctx)
    if env.home.register_path.exists():
        reg = Register(env.home.register_path)
        try:
            restored.check(env.home, reg)
        finally:
            reg.close()
    return env
