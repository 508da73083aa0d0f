"""`kkwna archive replicate DEST` and `kkwna archive restore SRC`: a second copy, made
incrementally and checked against the recorded checksums, that never takes in a change or a
loss at the source, and from which the archive comes back whole."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from click.testing import CliRunner

from pipeline import archive
from pipeline.archive import replica
from pipeline.office import config
from pipeline.office import home as homes
from pipeline.office.home import Home
from pipeline.store.register import Register
from tests.archive_cases import make_case
from tests.test_archive_fixity import _cli, filed, writable  # noqa: F401 - the fixture


def test_replicate_copies_verifies_and_is_incremental(office: Home, reg: Register,
                                                      filed: list[Path],  # noqa: F811
                                                      cfg: config.Config,
                                                      tmp_path: Path) -> None:
    dest = tmp_path / "nas"
    runner = CliRunner()
    first = runner.invoke(_cli(office), ["archive", "replicate", str(dest)])
    assert first.exit_code == 0, first.output
    copy = dest / "archive" / filed[0].relative_to(office.archive)
    assert (copy / "SHA256SUMS").read_bytes() == (filed[0] / "SHA256SUMS").read_bytes()
    assert (dest / "archive" / "register.sqlite3").exists()
    assert (dest / "archive" / "register.chain").exists()
    assert "disalin" in first.output

    again = replica.replicate(office, reg, dest)
    assert again.copied == [] and again.problems == []  # nothing new: nothing copied

    new = archive.file_case(office, cfg, reg, make_case(office, reg, 4))
    third = replica.replicate(office, reg, dest)
    assert third.problems == []
    assert all(rel.startswith("2026/") for rel in third.copied)
    assert any(new.name in rel for rel in third.copied)


def test_a_changed_byte_at_the_source_is_reported_not_copied(office: Home, reg: Register,
                                                             filed: list[Path],  # noqa: F811
                                                             tmp_path: Path) -> None:
    dest = tmp_path / "nas"
    assert replica.replicate(office, reg, dest).problems == []
    victim = filed[0] / "03 lembar verifikasi.pdf"
    copy = dest / "archive" / victim.relative_to(office.archive)
    kept = copy.read_bytes()
    writable(victim)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    refused = CliRunner().invoke(_cli(office), ["archive", "replicate", str(dest)])
    assert refused.exit_code == 1
    assert "03 lembar verifikasi.pdf: isi berubah" in refused.output
    assert "tidak disalin" in refused.output
    assert copy.read_bytes() == kept  # the good copy is never overwritten


def test_a_file_lost_at_the_source_stays_in_the_copy_and_is_reported(
        office: Home, reg: Register, filed: list[Path], tmp_path: Path) -> None:  # noqa: F811
    dest = tmp_path / "nas"
    assert replica.replicate(office, reg, dest).problems == []
    book = next(office.archive.glob("2026/buku-register-2026.pdf"))
    copy = dest / "archive" / book.relative_to(office.archive)
    book.unlink()  # not a case document: the fixity check does not know it
    result = replica.replicate(office, reg, dest)
    assert any("buku-register-2026.pdf" in p and "tidak ada lagi di sumber" in p
               for p in result.problems)
    assert copy.exists()


def test_restore_from_the_copy_yields_an_archive_that_verifies(
        office: Home, reg: Register, filed: list[Path], tmp_path: Path,  # noqa: F811
        monkeypatch: object) -> None:
    dest = tmp_path / "nas"
    assert replica.replicate(office, reg, dest).problems == []
    # the office PC is lost; a new home is set up and the archive restored from the copy
    fresh = homes.Home(tmp_path / "kantor-baru")
    homes.init(fresh)
    shutil.copy(office.root / config.FILENAME, fresh.root / config.FILENAME)
    runner = CliRunner()
    restored = runner.invoke(_cli(fresh), ["archive", "restore", str(dest)])
    assert restored.exit_code == 0, restored.output
    check = runner.invoke(_cli(fresh), ["archive", "verify"])
    assert check.exit_code == 0, check.output
    back = Register(fresh.register_path)
    try:
        assert [c.id for c in back.cases()] == [c.id for c in reg.cases()]
    finally:
        back.close()
    # a home that already holds cases is never overwritten
    again = runner.invoke(_cli(fresh), ["archive", "restore", str(dest)])
    assert again.exit_code == 1
    assert os.path.exists(fresh.register_path)
