"""Forgeries against `archive verify` and the BagIt export (issue 14, items 3, 4 and 5):
swapped documents, signed checkpoints of the chain's head, a tampered archive exported."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime
from pathlib import Path

import bagit
import pytest
from click.testing import CliRunner

from pipeline import archive
from pipeline.archive.filing import SUMS, read_sums, sums_line
from pipeline.office import config
from pipeline.office.home import Home
from pipeline.store import checkpoint
from pipeline.store.register import Register
from tests.archive_cases import KK, make_case
from tests.signing_pki import shared_pki, timestamper
from tests.test_archive_fixity import _cli, rel, writable

AT = datetime.fromisoformat("2026-11-23T09:00+08:00")


@pytest.fixture
def filed(office: Home, reg: Register, cfg: config.Config) -> list[Path]:
    """Three filed cases, each KK with its own bytes (a genuine KK of another case)."""
    folders = []
    for n in range(1, 4):
        case = make_case(office, reg, n, kk_title=f"Kartu keluarga WNA nomor {n}")
        folders.append(archive.file_case(office, cfg, reg, case))
    assert archive.verify_archive(office, reg) == []
    return folders


def swap_kk(office: Home, reg: Register, folders: list[Path]) -> str:
    """Case 1's signed KK replaced by case 3's genuine one, SHA256SUMS and the documents
    row updated to match: what fooled `archive verify` before."""
    victim = folders[0] / KK
    writable(victim)
    victim.write_bytes((folders[2] / KK).read_bytes())
    digest = hashlib.sha256(victim.read_bytes()).hexdigest()
    sums = read_sums(folders[0])
    sums[KK] = digest
    (folders[0] / SUMS).chmod(0o644)
    (folders[0] / SUMS).write_text("".join(sums_line(d, n) for n, d in sorted(sums.items())))
    raw = sqlite3.connect(reg.path, isolation_level=None)
    raw.execute("UPDATE documents SET sha256 = ?, size = ? WHERE case_id = 'KKWNA-2026-0001'"
                " AND name = ?", (digest, victim.stat().st_size, KK))
    raw.close()
    return digest


def forge_everything(reg: Register, digest: str) -> None:
    """The swap made consistent: the case's last event re-committed, every hash recomputed,
    the chain log rewritten from the forged register (its checkpoint lines kept: they
    cannot be signed again without the seal key) and the log's reach in meta kept."""
    raw = sqlite3.connect(reg.path, isolation_level=None)
    raw.row_factory = sqlite3.Row
    last = raw.execute("SELECT id, case_state FROM events WHERE case_id = 'KKWNA-2026-0001'"
                       " ORDER BY id DESC LIMIT 1").fetchone()
    state = json.loads(last["case_state"])
    state["dokumen"][KK] = digest
    raw.execute("UPDATE events SET case_state = ? WHERE id = ?",
                (json.dumps(state, sort_keys=True, separators=(",", ":")), last["id"]))
    Register._rehash(raw, 1)
    kept = [line for line in reg.chain_path.read_text().splitlines(keepends=True)
            if line.startswith("#")]
    rows = raw.execute("SELECT id, case_id, hash FROM events ORDER BY id")
    reg.chain_path.write_text("".join(kept) + "".join(f"{r[0]} {r[1]} {r[2]}\n" for r in rows))
    raw.close()


def test_a_kk_swapped_with_another_cases_genuine_kk_is_reported(office: Home, reg: Register,
                                                                 filed: list[Path]) -> None:
    swap_kk(office, reg, filed)
    problems = archive.verify_archive(office, reg)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"register: Kasus KKWNA-2026-0001: dokumen {KK} tidak "
                                  f"sesuai dengan peristiwa terakhirnya #")
    bad = CliRunner().invoke(_cli(office), ["archive", "verify"])
    assert bad.exit_code == 1 and "arsip utuh" not in bad.output


def test_a_fully_forged_register_and_log_is_caught_by_a_signed_checkpoint(
        office: Home, reg: Register, filed: list[Path]) -> None:
    pki = shared_pki()
    made = checkpoint.add(reg, pki.seal.key, at=AT)
    assert archive.verify_archive(office, reg, seal_cert=pki.seal.cert) == []
    forge_everything(reg, swap_kk(office, reg, filed))
    assert archive.verify_archive(office, reg) == []  # what a hash chain alone cannot see
    problems = archive.verify_archive(office, reg, seal_cert=pki.seal.cert)
    assert problems == [
        f"register: checkpoint #{made.event_id} ({made.head[:16]}) yang ditandatangani segel "
        f"kantor tidak cocok dengan rantai register sekarang: riwayat sampai #{made.event_id} "
        f"ditulis ulang."]


def test_a_removed_checkpoint_is_reported(office: Home, reg: Register,
                                          filed: list[Path]) -> None:
    pki = shared_pki()
    made = checkpoint.add(reg, pki.seal.key, at=AT)
    text = reg.chain_path.read_text()
    reg.chain_path.write_text("".join(line for line in text.splitlines(keepends=True)
                                      if not line.startswith("# checkpoint")))
    problems = archive.verify_archive(office, reg, seal_cert=pki.seal.cert)
    assert problems == [
        f"register: checkpoint #{made.event_id} ({made.head[:16]}) hilang dari register.chain: "
        f"checkpoint yang pernah dibuat dihapus."]


def test_a_checkpoint_forged_with_another_key_is_reported(office: Home, reg: Register,
                                                          filed: list[Path]) -> None:
    pki = shared_pki()
    made = checkpoint.add(reg, pki.other_seal.key, at=AT)
    problems = archive.verify_archive(office, reg, seal_cert=pki.seal.cert)
    assert problems == [
        f"register: checkpoint #{made.event_id} ({made.head[:16]}): tanda tangan tidak sah "
        f"(bukan kunci segel kantor, atau isinya diubah)."]


def test_a_checkpoint_beyond_the_register_is_reported(office: Home, reg: Register,
                                                      filed: list[Path]) -> None:
    """Events cut off the end after a checkpoint: its id is past the register's last."""
    pki = shared_pki()
    made = checkpoint.add(reg, pki.seal.key, at=AT)
    raw = sqlite3.connect(reg.path, isolation_level=None)
    raw.execute("DELETE FROM events WHERE id = ?", (made.event_id,))
    raw.close()
    problems = archive.verify_archive(office, reg, seal_cert=pki.seal.cert)
    assert (f"register: checkpoint #{made.event_id} ({made.head[:16]}) melampaui register "
            f"(peristiwa terakhir #{made.event_id - 1}): peristiwa terbaru dihapus.") in problems


def test_a_timestamped_checkpoint_verifies_and_a_changed_token_does_not(
        office: Home, reg: Register, filed: list[Path]) -> None:
    pki = shared_pki()
    made = checkpoint.add(reg, pki.seal.key, at=AT, timestamper=timestamper())
    assert made.timestamp
    assert archive.verify_archive(office, reg, seal_cert=pki.seal.cert) == []
    text = reg.chain_path.read_text()
    other = checkpoint.sign(pki.seal.key, made.event_id, made.head, "2026-11-24T09:00:00+08:00",
                            timestamper())
    # the token of another checkpoint pasted onto this one
    forged = text.replace(made.line(), made.line().rsplit(" ", 1)[0] + " "
                          + other.line().rsplit(" ", 1)[1])
    assert forged != text
    reg.chain_path.write_text(forged)
    problems = archive.verify_archive(office, reg, seal_cert=pki.seal.cert)
    assert problems == [f"register: checkpoint #{made.event_id} ({made.head[:16]}): cap waktu "
                        f"TSA bukan untuk checkpoint ini."]


# ----------------------------------------------------------------- the BagIt export (item 5)


def test_a_tampered_archive_is_not_exported(office: Home, reg: Register, filed: list[Path],
                                            tmp_path: Path) -> None:
    victim = filed[1] / "03 lembar verifikasi.pdf"
    writable(victim)
    victim.write_bytes(b"diganti")
    with pytest.raises(archive.ExportError, match="03 lembar verifikasi.pdf: isi berubah"):
        archive.export_bagit(office, reg, tmp_path / "bag")
    assert not (tmp_path / "bag").exists()
    out = CliRunner().invoke(_cli(office), ["archive", "export", "--bagit",
                                            str(tmp_path / "bag")])
    assert out.exit_code == 1 and "isi berubah" in out.output


def test_a_forced_export_names_the_failures_and_keeps_the_filed_checksums(
        office: Home, reg: Register, filed: list[Path], tmp_path: Path) -> None:
    victim = filed[1] / "03 lembar verifikasi.pdf"
    recorded = read_sums(filed[1])[victim.name]
    writable(victim)
    victim.write_bytes(b"diganti")
    out = CliRunner().invoke(_cli(office), ["archive", "export", "--bagit",
                                            str(tmp_path / "bag"), "--force"])
    assert out.exit_code == 0, out.output
    bag = bagit.Bag(str(tmp_path / "bag"))
    failed = bag.info["Kkwna-Fixity-Problem"]
    failed = failed if isinstance(failed, list) else [failed]
    assert any(rel(office, victim) in line and "isi berubah" in line for line in failed)
    name = f"data/2026/odner-01/{filed[1].name}/{victim.name}"
    assert bag.entries[name]["sha256"] == recorded  # what was filed, not the tampered bytes
    with pytest.raises(bagit.BagValidationError):
        bag.validate()


def test_a_sound_archive_exports_with_the_filed_checksums(office: Home, reg: Register,
                                                          filed: list[Path],
                                                          tmp_path: Path) -> None:
    bag = bagit.Bag(str(archive.export_bagit(office, reg, tmp_path / "bag")))
    bag.validate()
    assert "Kkwna-Fixity-Problem" not in bag.info


def test_the_checkpoint_command_and_backup_sign_and_verify_catches_a_removal(
        office: Home, reg: Register, filed: list[Path], tmp_path: Path) -> None:
    from pipeline.signing.demo import set_up_demo

    set_up_demo(office)
    runner = CliRunner()
    made = runner.invoke(_cli(office), ["register", "checkpoint"])
    assert made.exit_code == 0, made.output
    assert "checkpoint #" in made.output and "dengan cap waktu TSA" in made.output
    dest = str(tmp_path / "reg.2026-06-01")
    backup = runner.invoke(_cli(office), ["register", "backup", dest])
    assert backup.exit_code == 0, backup.output
    assert len(checkpoint.read(reg.chain_path)) == 2
    assert len(checkpoint.read(tmp_path / "reg.2026-06-01.chain")) == 2
    ok = runner.invoke(_cli(office), ["archive", "verify"])
    # the test KKs are not signed (reported); the register and its checkpoints are sound
    assert [line for line in ok.output.splitlines() if line.startswith("register:")] == []
    text = reg.chain_path.read_text()
    reg.chain_path.write_text("".join(line for line in text.splitlines(keepends=True)
                                      if not line.startswith("# checkpoint")))
    bad = runner.invoke(_cli(office), ["archive", "verify"])
    assert bad.exit_code == 1 and "hilang dari register.chain" in bad.output
