"""Start-up (issue 18): `kkwna --help`, `kkwna status` and `kkwna verify` import only what
they use. Each command runs in a fresh interpreter, as a clerk starts it, and reports the
top-level modules it loaded. Nothing here is timed: bench/startup_bench.py times them."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from pipeline.cli.base import COMMANDS, cli
from tests.test_tte_flow import _case, _kkwna, _pki

# Runs the CLI with argv[2:] and writes the sorted top-level modules it loaded to argv[1].
RUN_AND_LIST = """
import json, sys
from pipeline.cli import main
out, sys.argv = sys.argv[1], ['kkwna', *sys.argv[2:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
with open(out, 'w') as fh:
    json.dump(sorted({m.partition('.')[0] for m in sys.modules}), fh)
sys.exit(code)
"""

# the PDF, signing, image, web and watcher stacks: none is needed to list the commands
HEAVY = {"pyhanko", "pyhanko_certvalidator", "pikepdf", "reportlab", "PIL", "cryptography",
         "asn1crypto", "holidays", "watchdog", "zxingcpp", "starlette", "uvicorn", "pypdf",
         "pypdfium2", "segno", "bagit", "jinja2", "lxml", "fontTools", "aiohttp"}
# what `verify` of a PDF needs besides what pyHanko alone loads to validate it is nothing
# of the drawing, PDF/A, image, web or watcher stacks
NOT_FOR_VERIFY = {"pikepdf", "reportlab", "PIL", "zxingcpp", "starlette", "uvicorn",
                  "pypdfium2", "segno", "bagit", "jinja2", "fontTools", "watchdog", "holidays"}


def loaded_by(tmp_path: Path, *args: str) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    out = tmp_path / "modules.json"
    done = subprocess.run([sys.executable, "-c", RUN_AND_LIST, str(out), *args],
                          capture_output=True, text=True, check=False)
    assert out.is_file(), done.stderr
    return set(json.loads(out.read_text())), done


def test_help_lists_every_command_without_the_heavy_libraries(tmp_path: Path) -> None:
    modules, done = loaded_by(tmp_path, "--help")
    assert done.returncode == 0, done.stderr
    assert sorted(modules & HEAVY) == []
    listed = done.stdout.split("Perintah:", 1)[1]
    for name in COMMANDS:
        assert f"\n  {name} " in listed, name
    # and no command module was imported to say what the commands do
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys; from pipeline.cli import main; sys.argv = "
         "['kkwna', '--help']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
         "print(sorted(m for m in sys.modules if m.startswith('pipeline.cli.')), "
         "file=sys.stderr)"], capture_output=True, text=True, check=False).stderr
    assert "pipeline.cli.office" not in loaded and "pipeline.cli.signing" not in loaded


def test_status_of_an_empty_office_loads_no_pdf_or_signing_stack(tmp_path: Path) -> None:
    home = tmp_path / "kantor"
    assert CliRunner().invoke(cli, ["--home", str(home), "init"]).exit_code == 0
    modules, done = loaded_by(tmp_path, "--home", str(home), "status")
    assert done.returncode == 0, done.stderr
    assert "Tidak ada kasus terbuka" in done.stdout
    assert sorted(modules & (HEAVY - {"holidays"})) == []


def test_verify_of_a_signed_card_loads_no_drawing_or_image_stack(demo_at, tmp_path: Path
                                                                 ) -> None:
    home, ids = demo_at(8)
    cid, pki = ids["JOHN SMITH"], _pki(home)
    signed = _kkwna(home, "sign", cid, "--p12", str(pki["head"]), "--passphrase-file",
                    str(pki["passphrase"]))
    assert signed.exit_code == 0, signed.output
    card = home.root / _case(home, cid).folder / "08 kartu keluarga WNA.pdf"
    modules, done = loaded_by(tmp_path, "--home", str(home.root), "verify", str(card))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ASLI:") and "PAdES B-LTA" in done.stdout
    assert sorted(modules & NOT_FOR_VERIFY) == []


def _loaded_commands() -> dict[str, click.Command]:
    for module in {m for m, _ in COMMANDS.values()}:
        importlib.import_module(f"pipeline.cli.{module}")
    return dict(cli.commands)


def test_the_map_names_every_command_and_its_docstring_summary() -> None:
    commands = _loaded_commands()
    assert sorted(commands) == sorted(COMMANDS)
    for name, command in commands.items():
        first_paragraph = " ".join((command.help or "").split("\n\n")[0].split())
        assert COMMANDS[name][1] == first_paragraph, name


def test_help_reads_as_click_would_print_it_from_the_loaded_commands(
        monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = _loaded_commands()
    ctx = click.Context(cli, info_name="kkwna")
    for width in (60, 80, 120):
        expected = click.HelpFormatter(width=width)
        click.Group.format_commands(cli, ctx, expected)  # click's own, every module loaded
        with monkeypatch.context() as m:
            m.setattr(cli, "commands", {})  # as `kkwna --help` starts: none loaded
            lazy = click.HelpFormatter(width=width)
            cli.format_commands(ctx, lazy)
        assert lazy.getvalue() == expected.getvalue(), width
    assert all(f"  {name} " in expected.getvalue() for name in loaded)


def test_verify_judges_a_timestamped_signature_in_one_validation(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.signing import inspect, pades
    from tests.signing_pki import BLOCK, PASSPHRASE, make_draft, shared_pki, timestamper

    make_draft(tmp_path / "draft.pdf")
    card, pki = tmp_path / "kk.pdf", shared_pki()
    pades.sign_kk(tmp_path / "draft.pdf", card, p12=pki.head_p12, passphrase=PASSPHRASE,
                  trust=pki.trust, timestamper=timestamper(), block=BLOCK)
    moments: list[object] = []
    validate = inspect._validate

    def counted(*args: Any) -> Any:
        moments.append(args[3])
        return validate(*args)

    monkeypatch.setattr(inspect, "_validate", counted)
    found = inspect.inspect_signature(card, pki.trust)
    assert found.problems == [] and found.level == "PAdES B-LTA"
    # pyHanko's validation is most of verify's own work: once, at the timestamp's time
    assert moments == [found.timestamp_time] and found.timestamp_time is not None


def test_the_regency_lookup_every_command_makes_reads_the_same_lines() -> None:
    from pipeline.domain import refdata

    lines = refdata._national_text().splitlines()
    regencies = [line.split(",")[0] for line in lines if line[5:6] == "," and line[2:3] == "."]
    for prefix in {regencies[0], regencies[-1], "63.05", "63.05.04", *regencies[::50]}:
        for run in (f"{prefix},", f"{prefix}."):
            assert refdata._lines_of(run) == [x for x in lines if x.startswith(run)], run
    assert refdata._lines_of("99.99,") == []
