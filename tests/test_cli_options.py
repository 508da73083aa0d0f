"""The command line as staff type it: the group's options (--home, --verbose) may come
after the command too (`kkwna init --demo --home DIR`, issue 19)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.cli.base import _options_first


def test_home_after_the_command_is_the_same_as_before(tmp_path: Path) -> None:
    home = tmp_path / "kantor"
    made = CliRunner().invoke(cli, ["init", "--home", str(home)])
    assert made.exit_code == 0, made.output
    assert (home / "kkwna.toml").is_file() and (home / "inbox").is_dir()
    status = CliRunner().invoke(cli, ["status", f"--home={home}", "--verbose"])
    assert (status.exit_code, status.output.strip()) == (0, "Tidak ada kasus terbuka.")


def test_what_follows_a_double_dash_is_left_alone() -> None:
    assert _options_first(["decide", "--home", "H", "X", "--", "--home", "v"]) == \
        ["--home", "H", "decide", "X", "--", "--home", "v"]
    assert _options_first(["-v", "status"]) == ["-v", "status"]
