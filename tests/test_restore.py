"""A register restored from a copy taken after the last intake (kkwna issue 14, item 7): every
command that writes refuses it, naming the witness (the case folders, the chain log, the
documents on disk), and a document already filed is never written over."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from pipeline import flow
from pipeline.domain.errors import KkwnaError
from pipeline.domain.model import Env
from pipeline.office import config
from pipeline.store.register import Register
from tests.conftest import ADM_SIAK, FRONT_OFFICE
from tests.stages import CASE, FAMILY, approve
from tests.test_flow import kkwna


def digests(home) -> dict[str, str]:
    """Every file of the case folder and of print/, by path: what the office has handed out."""
    return {str(p.relative_to(home.root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for root in (home.cases, home.print) for p in sorted(root.rglob("*"))
            if p.is_file()}


def restore(home, backup: Path, *, with_chain: bool) -> None:
    """Copy last night's backup back over the register, as the office would."""
    for stale in home.archive.glob("register.sqlite3-*"):
        stale.unlink()
    shutil.copy(backup, home.register_path)
    if with_chain:
        shutil.copy(backup.with_suffix(".chain"), home.register_path.with_suffix(".chain"))


@pytest.fixture
def restored(office_at):
    """Case KKWNA-2026-0001 taken in and backed up, then decided at step 2 (checklist and
    collection slip filed, the code handed to the applicant), then the backup restored."""
    def make(with_chain: bool):
        home = office_at(2)
        backup = home.root / "cadangan" / "register.sqlite3"
        reg = Register(home.register_path)
        reg.backup(backup)
        reg.close()
        approve(home, 2)
        reg = Register(home.register_path)
        code = reg.get(CASE).collection_code
        reg.close()
        assert code
        before = digests(home)
        restore(home, backup, with_chain=with_chain)
        return home, code, before
    return make


HANDOVER = "199506062019031006"  # the demo hand-over officer (kkwna.toml)
DECIDE_2 = ("decide", CASE, "--step", "2", "--approve", "--officer", FRONT_OFFICE,
            "--field", "cek_hadir_sendiri=ya", "--field", "nama_pemohon=JOHN SMITH")


@pytest.mark.parametrize("with_chain", [False, True], ids=["register-only", "with-chain-log"])
def test_decide_on_a_restored_register_rewrites_nothing(restored, with_chain):
    home, code, before = restored(with_chain)
    refused = kkwna(home, *DECIDE_2)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.stderr.count("\n") == 1 and "Register tertinggal" in refused.stderr
    assert ("register.chain" in refused.stderr) != with_chain  # which witness saw it
    assert digests(home) == before  # the checklist and the applicant's slip stay as filed
    reg = Register(home.register_path)
    try:
        assert [e["action"] for e in reg.events(CASE)] == ["diterima"]
    finally:
        reg.close()
    watch = kkwna(home, "watch", "--once")
    assert watch.returncode == 1 and "Register tertinggal" in watch.stderr
    assert digests(home) == before


def test_a_step_never_writes_over_a_filed_document_the_register_does_not_know(restored):
    """Past the entry checks (a caller that skips them): the step itself stops."""
    home, _, before = restored(True)
    reg = Register(home.register_path)
    try:
        with pytest.raises(KkwnaError) as stopped:
            flow.decide_from_terminal(Env(home, config.load(home.root)), reg, CASE, 2,
                                      approve=True, note="", nip=FRONT_OFFICE,
                                      fields={"cek_hadir_sendiri": "ya"})
        line = str(stopped.value)
        assert "\n" not in line and "02 lembar checklist.pdf" in line and "ditimpa" in line
        assert [e["action"] for e in reg.events(CASE)] == ["diterima"]
    finally:
        reg.close()
    assert digests(home) == before


def _family_file(tmp_path: Path) -> Path:
    path = tmp_path / "keluarga.json"
    path.write_text(json.dumps(FAMILY), encoding="utf-8")
    return path


def _key_files(tmp_path: Path) -> tuple[Path, Path]:
    p12, secret = tmp_path / "kunci.p12", tmp_path / "sandi.txt"
    p12.write_bytes(b"not a key: the check comes first")
    secret.write_text("rahasia")
    secret.chmod(0o600)
    return p12, secret


@pytest.mark.parametrize("command", ["watch", "decide", "enter", "sign", "collect", "report",
                                     "archive"])
def test_every_command_that_writes_refuses_a_register_behind_its_chain_log(
        restored, tmp_path, command):
    home, code, before = restored(False)
    p12, secret = _key_files(tmp_path)
    args = {
        "watch": ("watch", "--once"),
        "decide": DECIDE_2,
        "enter": ("enter", CASE, str(_family_file(tmp_path)), "--officer", ADM_SIAK),
        "sign": ("sign", CASE, "--p12", str(p12), "--passphrase-file", str(secret)),
        "collect": ("collect", code, "--receiver", "JOHN SMITH", "--officer", HANDOVER),
        "report": ("report", "2026-11"),
        "archive": ("archive", "export", "--bagit", str(tmp_path / "bag")),
    }[command]
    refused = kkwna(home, *args)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.stderr.count("\n") == 1, refused.stderr
    assert "Register tertinggal" in refused.stderr and "register.chain" in refused.stderr
    assert digests(home) == before
    assert not (tmp_path / "bag").exists()
    assert not list(home.archive.glob("*/laporan-kinerja-*"))


def test_a_register_behind_the_case_folders_stops_decide_too(office_at):
    """`watch` refused (a newer case folder exists); `decide` used to write anyway."""
    home = office_at(2)
    newer = home.cases / "KKWNA-2026-0002 BAYU"
    newer.mkdir()
    (newer / "01 berkas permohonan.pdf").write_bytes(b"%PDF- the newer case")
    before = digests(home)
    refused = kkwna(home, *DECIDE_2)
    assert refused.returncode == 1 and "Register tertinggal" in refused.stderr
    assert "KKWNA-2026-0002" in refused.stderr
    assert digests(home) == before


def test_the_restore_check_reads_the_register_in_a_few_queries_however_many_cases(
        office, reg: Register) -> None:
    """Every command that writes runs the check, `archive verify` among them: a query per
    open case was a tenth of a year's verification. A document the register does not know
    is still found, in whichever case it lies."""
    from pipeline.office import restored as witnesses
    from pipeline.store.register import RegisterBehind
    from tests.archive_cases import make_case

    cases = [make_case(office, reg, n) for n in range(1, 7)]
    with reg.transaction() as db:
        for case in cases:
            reg.update(db, case, status="open", step=5)
            reg.add_event(db, case.id, at=case.received_at, step=4, action="disetujui")
    statements: list[str] = []
    reg.db.set_trace_callback(statements.append)
    try:
        witnesses.check(office, reg)
    finally:
        reg.db.set_trace_callback(None)
    assert len(statements) < 10, statements
    stray = office.root / reg.get(cases[4].id).folder / "99 tidak tercatat.pdf"
    stray.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(RegisterBehind, match="'99 tidak tercatat.pdf' ada di folder "
                                             f"{cases[4].id}"):
        witnesses.check(office, reg)
