"""Quarantine: names at the 255-byte limit in several scripts, notes in office time."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.intake.quarantine import quarantine
from pipeline.office.home import Home
from tests.test_fsutil import SCRIPTS, long_name


@pytest.fixture
def home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "kantor")
    home.inbox.mkdir(parents=True)
    return home


def exactly_255(text: str, suffix: str) -> str:
    name = long_name(text, suffix)
    encoded = name.encode()
    while len(encoded) > 255:  # drop whole characters from the front until it fits
        name = name[1:]
        encoded = name.encode()
    return "a" * (255 - len(encoded)) + name


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("as_folder", [False, True])
def test_an_entry_named_at_the_limit_is_quarantined_with_its_full_name_in_the_note(
        home, script, as_folder):
    name = exactly_255(SCRIPTS[script], "" if as_folder else ".pdf")
    assert len(name.encode()) == 255
    for copy in (1, 2):  # the second one gets a number and must still fit
        entry = home.inbox / name
        if as_folder:
            entry.mkdir()
            (entry / "scan.jpg").write_bytes(b"not a jpeg")
        else:
            entry.write_bytes(b"not a pdf")
        target = quarantine(home, entry, [(name, "Jenis berkas tidak didukung")])
        assert not entry.exists()
        assert target.exists() and target.parent == home.quarantine
        assert (target / "scan.jpg").exists() if as_folder else target.read_bytes()
        note = target.with_name(target.name + ".error.txt")
        assert len(note.name.encode()) <= 255
        text = note.read_text(encoding="utf-8")
        assert f"Berkas '{name}' tidak dapat diterima" in text
        assert f"disimpan sebagai '{target.name}'" in text
        assert f"- {name}: Jenis berkas tidak didukung" in text
        if copy == 2:
            assert "(2)" in target.name
    assert len(list(home.quarantine.iterdir())) == 4


def test_a_short_name_is_kept_as_it_is(home):
    entry = home.inbox / "scan rusak.pdf"
    entry.write_bytes(b"x")
    target = quarantine(home, entry, [("scan rusak.pdf", "rusak")])
    assert target.name == "scan rusak.pdf"
    note = (home.quarantine / "scan rusak.pdf.error.txt").read_text()
    assert "disimpan sebagai" not in note
    # one language: the clerk's (English only with --verbose, in the log)
    assert "could not" not in note and "quarantine." not in note and "Fix or" not in note


def test_the_note_is_stamped_in_office_time_whatever_the_host_zone(home, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")  # the host's own zone must not show
    monkeypatch.setenv("KKWNA_NOW", "2026-11-23T09:14:00+08:00")
    entry = home.inbox / "a.pdf"
    entry.write_bytes(b"x")
    quarantine(home, entry, [("a.pdf", "rusak")])
    text = (home.quarantine / "a.pdf.error.txt").read_text()
    assert "(23-11-2026 09:14 WITA)" in text
