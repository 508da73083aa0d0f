"""kkwna.toml is written through tomlkit (issue 17 item 4): whatever a value holds, the file
written reads back to the same value, and the comments the office reads stay."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli.base import cli
from pipeline.office import config
from pipeline.signing.demo import replace_tte_section

# what the hand-written escaping got wrong or never tried: a newline made invalid TOML
AWKWARD = ['a "quoted" name', "C:\\kantor\\tte\\root.pem", "two\nlines", "tab\there",
           "Désa Ünïcode ✓ 😀", "x]y[z", "a # not a comment", "'single'", '"""', "\\n"]
FIXTURE = Path(__file__).parent / "data" / "init-demo-kkwna.toml"


@pytest.mark.parametrize("value", AWKWARD)
def test_a_tte_section_reads_back_what_it_was_given(value: str) -> None:
    text = config.tte_section({"seal_cert": value, "trust_roots": [value, "b.pem"],
                               "tsa_url": "https://tsa.example.id/" + value.strip()})
    tte = tomllib.loads(text)["tte"]
    assert tte["seal_cert"] == value and tte["trust_roots"] == [value, "b.pem"]
    assert tte["tsa_url"] == "https://tsa.example.id/" + value.strip()


@pytest.mark.parametrize("value", AWKWARD)
def test_replacing_the_tte_section_keeps_the_rest_and_reads_back(value: str) -> None:
    text = replace_tte_section(config.DEFAULT, {"passphrase_file": value, "crls": [value]})
    data, before = tomllib.loads(text), tomllib.loads(config.DEFAULT)
    assert data["tte"]["passphrase_file"] == value and data["tte"]["crls"] == [value]
    data["tte"]["passphrase_file"], data["tte"]["crls"] = "", []
    assert data == before
    comments = [line for line in config.DEFAULT.splitlines() if line.lstrip().startswith("#")]
    assert all(c in text.splitlines() for c in comments)


def test_a_file_without_a_tte_section_gets_the_explained_one() -> None:
    head, _, _ = config.DEFAULT.partition("\n# Tanda tangan elektronik (TTE)")
    assert "[tte]" not in head
    text = replace_tte_section(head, {"seal_p12": "x]#\n.p12"})
    assert tomllib.loads(text)["tte"]["seal_p12"] == "x]#\n.p12"
    assert "# Pelaksana tugas (Plt.)" in text and "[office]" in text


def test_init_demo_writes_what_it_wrote_before_the_change(tmp_path: Path) -> None:
    """The file `init --demo` writes parses to the same values as the one the hand-written
    writer made (tests/data/init-demo-kkwna.toml, from before tomlkit), comments kept."""
    home = tmp_path / "kantor"
    done = CliRunner().invoke(cli, ["--home", str(home), "init", "--demo"])
    assert done.exit_code == 0, done.output
    text = (home / config.FILENAME).read_text(encoding="utf-8")
    old = FIXTURE.read_text(encoding="utf-8")
    assert tomllib.loads(text) == tomllib.loads(old)
    comments = [line.strip() for line in old.splitlines() if line.lstrip().startswith("#")]
    assert all(c in {line.strip() for line in text.splitlines()} for c in comments)


def test_the_demo_home_is_quick_to_pick_up_files(tmp_path: Path) -> None:
    from pipeline.demo import walkthrough

    home = walkthrough.new_home(tmp_path / "demo")
    data = tomllib.loads((home.root / config.FILENAME).read_text(encoding="utf-8"))
    assert data["watch"]["stable_seconds"] == walkthrough.STABLE_SECONDS
    data["watch"]["stable_seconds"] = 2
    assert data == tomllib.loads(config.DEFAULT)


def test_the_written_default_tables_are_the_programs_defaults() -> None:
    """The template writes its defaults literally: they must be the ones the code uses."""
    cfg = config.parse(tomllib.loads(config.DEFAULT))
    assert cfg.records == (config.DEFAULT_CLASS,) and cfg.tte == config.TteConfig()
