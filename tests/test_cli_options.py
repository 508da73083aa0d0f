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
    assert status.exit_code == 0, status.output
    assert status.output.startswith("Tidak ada kasus terbuka.\n")


def test_what_follows_a_double_dash_is_left_alone() -> None:
    assert _options_first(["decide", "--home", "H", "X", "--", "--home", "v"]) == \
        ["--home", "H", "decide", "X", "--", "--home", "v"]
    assert _options_first(["-v", "status"]) == ["-v", "status"]


def test_click_speaks_indonesian(tmp_path: Path) -> None:
    home = tmp_path / "kantor"
    assert CliRunner().invoke(cli, ["--home", str(home), "init"]).exit_code == 0
    bad = CliRunner().invoke(cli, ["--home", str(home), "archive", "verify", "--year", "lima"])
    assert bad.exit_code == 2
    assert "Galat: Nilai '--year' tidak sah: 'lima' bukan bilangan bulat." in bad.stderr
    assert "Pemakaian: " in bad.stderr and "Usage" not in bad.stderr
    unknown = CliRunner().invoke(cli, ["--home", str(home), "statsu"])
    assert "Tidak ada perintah 'statsu'." in unknown.stderr
    missing = CliRunner().invoke(cli, ["--home", str(home), "collect"])
    assert "Belum diisi: " in missing.stderr and "Missing" not in missing.stderr
    shown = CliRunner().invoke(cli, ["--help"]).output
    assert "Pemakaian:" in shown and "Opsi:" in shown and "Perintah:" in shown


def test_sign_with_no_terminal_and_no_passphrase_file_says_so(tmp_path: Path) -> None:
    """Run by a script or a service: one line, exit 1, no getpass warning."""
    import os
    import subprocess
    import sys

    home = tmp_path / "kantor"
    assert CliRunner().invoke(cli, ["--home", str(home), "init"]).exit_code == 0
    (tmp_path / "kunci.p12").write_bytes(b"")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-m", "pipeline", "--home", str(home), "sign",
                           "KKWNA-2026-0001", "--p12", str(tmp_path / "kunci.p12")],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=60, cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 1
    assert done.stderr == ("kkwna: tidak ada terminal untuk menanyakan kata sandi; beri "
                           "--passphrase-file\n")


def test_kkwna_toml_speaks_to_the_office_in_indonesian(tmp_path: Path) -> None:
    """The comments of the kkwna.toml that `init` writes (and `init --demo` rewrites)."""
    from pipeline.office import config

    english = (" the ", " is ", " are ", " and ", " of ", " when ", " which ")
    found = [line for line in (config.DEFAULT + config.tte_section()).splitlines()
             if "#" in line and any(w in f" {line.split('#', 1)[1]} " for w in english)]
    assert found == []


def test_init_says_what_is_not_set_up_and_the_command_for_each(tmp_path: Path) -> None:
    home = tmp_path / "kantor"
    made = CliRunner().invoke(cli, ["--home", str(home), "init"])
    assert made.exit_code == 0, made.output
    todo = made.output.split("Belum diatur", 1)[1]
    assert "TTE (langkah 8): `kkwna init --demo`" in todo
    assert "e-mail KK (langkah 9): isi [email]" in todo
    assert "kkwna pengguna sandi 198203112005012017" in todo
    assert "office.lambang" in todo
    assert made.output.rstrip().endswith("init --demo")
    demo = CliRunner().invoke(cli, ["--home", str(tmp_path / "demo"), "init", "--demo"])
    assert demo.exit_code == 0 and "TTE (langkah 8)" not in demo.output
