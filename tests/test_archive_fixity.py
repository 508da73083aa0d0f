"""`verify_archive` finds every change to the archive, and the BagIt transfer package."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import bagit
import click
import pytest
from click.testing import CliRunner

from pipeline import archive
from pipeline.archive.hashing import Hashing
from pipeline.cli import archive as commands
from pipeline.cli import register as register_commands
from pipeline.office import config
from pipeline.office.home import Home
from pipeline.store.register import Register
from tests.archive_cases import KK, make_case


@pytest.fixture
def filed(office: Home, reg: Register, cfg: config.Config) -> list[Path]:
    folders = []
    for n in range(1, 4):
        case = make_case(office, reg, n, returned_at=3 if n == 2 else None)
        folders.append(archive.file_case(office, cfg, reg, case))
    assert archive.verify_archive(office, reg) == []
    return folders


Verify = Callable[..., list[str]]


@pytest.fixture(params=["folders given", "binders walked"])
def verify(request: pytest.FixtureRequest, office: Home, reg: Register) -> Verify:
    """`verify_archive` as the library calls it (the register's folders hashed), and as
    the command does (the binders walked and hashed before the register is read)."""
    def run(year: int | None = None) -> list[str]:
        early = (Hashing.of_archive(office.archive, year)
                 if request.param == "binders walked" else None)
        return archive.verify_archive(office, reg, year, hashing=early)
    return run


def rel(office: Home, path: Path) -> str:
    return path.relative_to(office.root).as_posix()


def writable(path: Path) -> None:
    path.parent.chmod(0o755)
    if path.exists():
        path.chmod(0o644)


def test_one_changed_byte_is_found_naming_the_file(office: Home, reg: Register, verify: Verify,
                                                   filed: list[Path]) -> None:
    victim = filed[0] / "03 lembar verifikasi.pdf"
    writable(victim)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    problems = verify()
    assert problems == [
        f"{rel(office, victim)}: isi berubah (tidak cocok dengan SHA256SUMS)",
        f"{rel(office, victim)}: isi tidak cocok dengan checksum di register",
    ]


def test_a_deleted_file_is_found(office: Home, reg: Register, verify: Verify,
                                 filed: list[Path]) -> None:
    victim = filed[1] / "scans" / "paspor.jpg"
    writable(victim)
    victim.unlink()
    assert verify() == [
        f"{rel(office, victim)}: hilang (tercatat di SHA256SUMS dan register)"]


def test_an_added_file_is_found(office: Home, reg: Register, verify: Verify,
                                filed: list[Path]) -> None:
    intruder = filed[2] / "catatan.txt"
    writable(intruder)
    intruder.write_text("ditambahkan kemudian")
    assert verify() == [
        f"{rel(office, intruder)}: berkas tambahan, tidak ada di SHA256SUMS",
        f"{rel(office, intruder)}: berkas tidak tercatat di register",
    ]


def test_a_missing_case_folder_and_a_stray_one_are_found(office: Home, reg: Register,
                                                         verify: Verify,
                                                         filed: list[Path]) -> None:
    stray = filed[0].parent / "KKWNA-2026-0099 ORANG LAIN"
    stray.mkdir()
    moved = filed[1].with_name("dipindah")
    os.rename(filed[1], moved)
    problems = verify(2026)
    assert f"{rel(office, filed[1])}: map kasus KKWNA-2026-0002 hilang dari arsip" in problems
    assert (f"{rel(office, stray)}: map tidak tercatat di register sebagai kasus yang "
            "diarsipkan") in problems
    assert (f"{rel(office, moved)}: map tidak tercatat di register sebagai kasus yang "
            "diarsipkan") in problems


def test_an_edited_event_breaks_the_chain(office: Home, reg: Register, verify: Verify,
                                          filed: list[Path]) -> None:
    # someone edits the history behind the program's back
    reg.db.execute("UPDATE events SET officer_name = 'ORANG LAIN' WHERE id = 3")
    problems = verify()
    assert len(problems) == 1 and problems[0].startswith("register:")
    assert "#3" in problems[0] and "KKWNA-2026-0001" in problems[0]


def test_signatures_are_checked_and_progress_is_reported(office: Home, reg: Register,
                                                         filed: list[Path]) -> None:
    seen: list[Path] = []
    steps: list[tuple[int, int]] = []

    def check(path: Path) -> str | None:
        seen.append(path)
        return "sertifikat dicabut" if "0003" in path.parent.name else None

    problems = archive.verify_archive(office, reg, progress=lambda d, t: steps.append((d, t)),
                                      check_signature=check)
    assert sorted(p.parent.name for p in seen) == ["KKWNA-2026-0001 PEMOHON NOMOR 1",
                                                   "KKWNA-2026-0003 PEMOHON NOMOR 3"]
    assert problems == [f"{rel(office, filed[2] / KK)}: tanda tangan elektronik: "
                        "sertifikat dicabut"]
    assert steps[0] == (0, steps[0][1]) and steps[-1] == (steps[0][1], steps[0][1])
    assert steps[0][1] == sum(len([p for p in f.rglob("*") if p.is_file()]) - 1
                              for f in filed)  # every file but SHA256SUMS


def test_the_year_exports_as_a_valid_bagit_bag(office: Home, reg: Register, filed: list[Path],
                                               tmp_path: Path) -> None:
    dest = archive.export_bagit(office, reg, tmp_path / "serah-terima", year=2026)
    bag = bagit.Bag(str(dest))
    bag.validate()
    payload = set(bag.payload_files())
    assert "data/2026/buku-register-2026.pdf" in payload
    assert "data/2026/buku-register-2026.csv" in payload
    assert f"data/2026/odner-01/{filed[0].name}/{KK}" in payload
    assert f"data/2026/odner-01/{filed[0].name}/SHA256SUMS" in payload
    assert "sha256" in bag.algorithms
    with pytest.raises(archive.ExportError, match="tidak kosong"):
        archive.export_bagit(office, reg, dest, year=2026)
    with pytest.raises(archive.ExportError, match="2031"):
        archive.export_bagit(office, reg, tmp_path / "lain", year=2031)


def _cli(office: Home) -> click.Group:
    """The archive commands attached to a root group as pipeline.cli attaches them."""

    @click.group()
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = office

    root.add_command(commands.archive)
    root.add_command(register_commands.register)
    return root


def test_commands_verify_export_and_csv(office: Home, reg: Register, filed: list[Path],
                                        tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(_cli(office), ["archive", "verify", "--year", "2026"])
    assert ok.exit_code == 0, ok.output
    assert "arsip utuh" in ok.output

    victim = filed[0] / "scans" / "paspor.jpg"
    writable(victim)
    original = victim.read_bytes()
    victim.write_bytes(b"diganti")
    bad = runner.invoke(_cli(office), ["archive", "verify"])
    assert bad.exit_code == 1
    assert f"{rel(office, victim)}: isi berubah (tidak cocok dengan SHA256SUMS)" in bad.output

    table = runner.invoke(_cli(office), ["register", "export", "--csv", "--year", "2026"])
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].startswith("No.,Tanggal diterima,Nomor register,Nama pemohon")
    assert [line.split(",")[2] for line in lines[1:]] == [
        "KKWNA-2026-0001", "KKWNA-2026-0002", "KKWNA-2026-0003"]

    # a tampered archive is not exported (it would launder the change into a valid bag)
    refused = runner.invoke(_cli(office), ["archive", "export", "--bagit", str(tmp_path / "b")])
    assert refused.exit_code == 1 and "scans/paspor.jpg: isi berubah" in refused.output
    victim.write_bytes(original)
    bag = runner.invoke(_cli(office), ["archive", "export", "--bagit", str(tmp_path / "b")])
    assert bag.exit_code == 0, bag.output
    done = subprocess.run([sys.executable, "-m", "bagit", "--validate", str(tmp_path / "b")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    again = runner.invoke(_cli(office), ["archive", "export", "--bagit", str(tmp_path / "b")])
    assert again.exit_code == 1 and "tidak kosong" in again.output


def test_the_files_hash_in_another_process_while_the_chain_is_checked_each_read_once(
        office: Home, reg: Register, filed: list[Path], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    """The register's chain checks (pure Python, holding the GIL) run in this process
    while the files hash in a child process, not before it nor stalling it; every file is
    hashed exactly once. A marker file carries what the child hashed back to the test."""
    from pipeline.archive import fixity, hashing

    marker = tmp_path / "hashed.txt"
    real_hash, real_chain = hashing.sha256_path, fixity._chain_problems

    def counting_hash(path: str) -> str:
        with open(marker, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {path}\n")
        return real_hash(path)

    overlapped: list[bool] = []

    def chain_beside_hashing(r: Register) -> list[str]:
        for _ in range(1000):  # up to 10 s: the child has started hashing
            if marker.exists() and marker.stat().st_size:
                overlapped.append(True)
                break
            time.sleep(0.01)
        return real_chain(r)

    monkeypatch.setattr(hashing, "sha256_path", counting_hash)
    monkeypatch.setattr(fixity, "_chain_problems", chain_beside_hashing)
    assert archive.verify_archive(office, reg) == []
    assert overlapped == [True]
    lines = [line.split(" ", 1) for line in marker.read_text(encoding="utf-8").splitlines()]
    assert lines and all(pid != str(os.getpid()) for pid, _ in lines)
    on_disk = sorted(str(p) for f in filed for p in f.rglob("*")
                     if p.is_file() and p.name != "SHA256SUMS")
    assert sorted(path for _, path in lines) == on_disk


def test_the_register_is_read_in_a_few_queries_not_one_per_case(
        office: Home, reg: Register, cfg: config.Config) -> None:
    """The documents table is read whole, once for the files and once for the committed
    states, however many cases: a query per case was a fifth of the register's time."""
    for n in range(4, 9):
        archive.file_case(office, cfg, reg, make_case(office, reg, n))
    statements: list[str] = []
    reg.db.set_trace_callback(statements.append)
    try:
        assert archive.verify_archive(office, reg) == []
    finally:
        reg.db.set_trace_callback(None)
    assert len([s for s in statements if "FROM documents" in s]) <= 2, statements
    assert len(statements) < 20, statements


def test_archive_verify_with_the_seal_certificate_alone_loads_no_signing_stack(
        office: Home, reg: Register, filed: list[Path], tmp_path: Path) -> None:
    """An office whose kkwna.toml names only the seal certificate (no trust roots: no
    signature or timestamp to check) verifies its archive and its signed checkpoint
    without loading pyHanko or the PDF makers: they were most of the command's time."""
    import datetime as dt
    import re

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from pipeline.store import checkpoint
    from tests.test_startup import loaded_by

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Segel uji")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=3)).sign(key, hashes.SHA256()))
    pem = tmp_path / "segel.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    toml = office.root / config.FILENAME
    text, n = re.subn(r"(?m)^seal_cert *=.*$", f'seal_cert = "{pem}"', toml.read_text())
    assert n == 1
    toml.write_text(text)
    checkpoint.add(reg, key, at=now)
    modules, done = loaded_by(tmp_path, "--home", str(office.root), "archive", "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "arsip utuh" in done.stdout
    # nor asyncio and asn1crypto's CMS: only a checkpoint's timestamp token needs them
    assert sorted(modules & {"pyhanko", "pyhanko_certvalidator", "reportlab", "pikepdf",
                             "pypdf", "PIL", "segno", "asyncio", "asn1crypto.cms"}) == []
    # the same checkpoint signed by another key is reported, so it was checked
    other = ec.generate_private_key(ec.SECP256R1())
    checkpoint.add(reg, other, at=now)
    _, refused = loaded_by(tmp_path, "--home", str(office.root), "archive", "verify")
    assert refused.returncode == 1 and "checkpoint" in refused.stdout, refused.stdout


def test_with_other_threads_running_the_files_hash_in_this_process_all_the_same(
        office: Home, reg: Register, filed: list[Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """fork copies no thread but the caller's: with another thread running (a web server's,
    say) the folders are checked on threads here, finding the same problems."""
    import threading

    victim = filed[1] / "03 lembar verifikasi.pdf"
    writable(victim)
    victim.write_bytes(victim.read_bytes() + b"%")
    steps: list[tuple[int, int]] = []

    def no_fork() -> int:
        raise AssertionError("forked with another thread running")

    monkeypatch.setattr(os, "fork", no_fork)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        problems = archive.verify_archive(office, reg, progress=lambda d, t: steps.append((d, t)))
    finally:
        stop.set()
        other.join()
    assert problems == [
        f"{rel(office, victim)}: isi berubah (tidak cocok dengan SHA256SUMS)",
        f"{rel(office, victim)}: isi tidak cocok dengan checksum di register",
    ]
    assert steps[0] == (0, steps[-1][1]) and steps[-1][0] == steps[-1][1] and len(steps) > 2


def test_a_fifo_put_in_a_case_folder_is_reported_and_does_not_hang_the_check(
        office: Home, reg: Register, verify: Verify, filed: list[Path]) -> None:
    """Opening a FIFO to read waits for a writer that never comes: one put in place of a
    filed file, or beside them, is reported as unreadable (or unlisted), not waited on."""
    import signal

    victim = filed[0] / "scans" / "paspor.jpg"
    writable(victim)
    victim.unlink()
    os.mkfifo(victim)
    extra = filed[1] / "pipa"
    writable(extra)
    os.mkfifo(extra)

    def stuck(*_: object) -> None:
        raise AssertionError("archive verify waited on a FIFO")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(30)
    try:
        problems = verify()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert problems == [
        f"{rel(office, extra)}: berkas tambahan, tidak ada di SHA256SUMS",
        f"{rel(office, extra)}: berkas tidak tercatat di register",
        f"{rel(office, victim)}: tidak dapat dibaca (bukan berkas biasa)",
    ]


def test_the_command_starts_hashing_the_binders_before_it_reads_settings_or_register(
        office: Home, reg: Register, filed: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The hashing is most of `archive verify`'s time: it starts first and runs while the
    settings and the register are read; a sample waits for the register to draw it."""
    from pipeline.cli import base

    order: list[str] = []
    real_start, real_loaded = Hashing.of_archive.__func__, base.loaded  # type: ignore[attr-defined]

    def start(cls: type[Hashing], where: Path, year: int | None = None) -> Hashing:
        order.append(f"hashing {where.relative_to(office.root)} {year}")
        return real_start(cls, where, year)  # type: ignore[no-any-return]

    def loaded(ctx: click.Context) -> object:
        order.append("settings")
        return real_loaded(ctx)

    monkeypatch.setattr(Hashing, "of_archive", classmethod(start))
    monkeypatch.setattr(commands, "loaded", loaded)
    ok = CliRunner().invoke(_cli(office), ["archive", "verify", "--year", "2026"])
    assert ok.exit_code == 0 and "arsip utuh" in ok.output, ok.output
    assert order == ["hashing archive 2026", "settings"]
    order.clear()
    sample = CliRunner().invoke(_cli(office), ["archive", "verify", "--sample", "2"])
    assert sample.exit_code == 0 and "(2 kasus diperiksa)" in sample.output, sample.output
    assert order == ["settings"]
