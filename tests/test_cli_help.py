"""Every `--help` a clerk can ask for reads in Bahasa Indonesia (issue 19): the group's, each
command's, each sub-group's (archive, register, pengguna) and their commands', usage line and
placeholders included. Command and option names stay as they are (they are the contract);
what is left on the screen is checked against English words Indonesian office text never
uses."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator

import click
from click.testing import CliRunner

from pipeline.cli.base import COMMANDS, cli

# Common English words of help texts, and click's default placeholders (type names, usage).
ENGLISH = frozenset(" ".join([
    "a an the of for with and or to from by in on at as is are be it its this that your",
    "here every each when which what who instead not then also only into than",
    "show print write read set run make open hand try file files",
    "default options command commands args integer text float range",
    "case code dest src reason name key value seconds"]).split())

# Command and option names, config keys (tte.trust_roots), paths (print/, PDF/A, .p12/.pfx)
# and quoted commands (`kkwna serve`) are names, not prose.
NAMES = re.compile(r"`[^`]*`|(?<![\w-])--?[\w-]+|\S*\w/\S*|\S*\w\.\w\S*")


def english_words(text: str) -> set[str]:
    prose = NAMES.sub(" ", text)
    return {w for w in re.findall(r"\b[A-Za-z]+\b", prose) if w.lower() in ENGLISH}


def every_command() -> Iterator[list[str]]:
    """The path of every command and group under `kkwna`, the group itself first."""
    for module in {m for m, _ in COMMANDS.values()}:
        importlib.import_module(f"pipeline.cli.{module}")

    def walk(command: click.Command, path: list[str]) -> Iterator[list[str]]:
        yield path
        if isinstance(command, click.Group):
            for name, sub in sorted(command.commands.items()):
                yield from walk(sub, [*path, name])

    yield from walk(cli, [])


def help_of(path: list[str]) -> str:
    shown = CliRunner().invoke(cli, [*path, "--help"], prog_name="kkwna", terminal_width=100)
    assert shown.exit_code == 0, (path, shown.output)
    return shown.output


def test_the_checker_finds_english_and_passes_indonesian() -> None:
    assert english_words("Show the file for a case (default: here).") == \
        {"Show", "the", "file", "for", "a", "case", "default", "here"}
    indonesian = ("Pemakaian: kkwna archive verify [OPSI] --passphrase-file BERKAS\n"
                  "  Periksa setiap berkas terhadap SHA256SUMS; bawaan: tte.trust_roots, "
                  "`kkwna serve`, print/, a1_<kunci> .. a10_<kunci>.")
    assert english_words(indonesian) == set()


def test_every_help_reads_in_indonesian() -> None:
    paths = list(every_command())
    assert {"archive verify", "register export", "pengguna sandi", "decide", ""} <= \
        {" ".join(p) for p in paths}
    assert len([p for p in paths if len(p) == 1]) == len(COMMANDS)
    found = {" ".join(p) or "kkwna": sorted(words) for p in paths
             if (words := english_words(help_of(p)))}
    assert found == {}


def test_usage_lines_and_placeholders_are_indonesian() -> None:
    top = help_of([])
    assert top.startswith("Pemakaian: kkwna [OPSI] PERINTAH [ARGUMEN]...\n")
    assert help_of(["decide"]).startswith("Pemakaian: kkwna decide [OPSI] KASUS\n")
    assert "--year TAHUN" in help_of(["archive", "verify"])
    # click names a missing argument by its placeholder: the same word as in the usage
    missing = CliRunner().invoke(cli, ["collect"], prog_name="kkwna")
    assert missing.exit_code == 2 and "argumen 'KODE'" in missing.stderr


def test_version_is_indonesian() -> None:
    shown = CliRunner().invoke(cli, ["--version"], prog_name="kkwna")
    assert shown.exit_code == 0 and shown.output.startswith("kkwna, versi ")
