"""Durable writes (one atomic writer, file modes), safe reads of untrusted files, names."""

from __future__ import annotations

import grp
import hashlib
import os
import stat
import unicodedata
from pathlib import Path

import pytest

from pipeline.office import fsutil
from pipeline.office.fsutil import (
    UntrustedFile,
    atomic_copy,
    atomic_write_bytes,
    atomic_write_text,
    atomic_writer,
    fit_name,
    open_untrusted,
    sha256_file,
    sha256_untrusted,
    unique_path,
)


@pytest.mark.parametrize("name, second", [
    ("scan.pdf", "scan (2).pdf"),
    ("Dr. John", "Dr. John (2)"),  # a folder named with a dot keeps its whole name
    (".hidden", ".hidden (2)"),
])
def test_unique_path_counts_before_the_extension_only(tmp_path, name, second):
    assert unique_path(tmp_path, name).name == name
    (tmp_path / name).mkdir()
    assert unique_path(tmp_path, name).name == second
    (tmp_path / second).mkdir()
    assert unique_path(tmp_path, name).name == second.replace("(2)", "(3)")


# ---------------------------------------------------------------- untrusted files


@pytest.fixture
def strange(tmp_path: Path) -> dict[str, Path]:
    """A desk holding what must never be read: a FIFO, links to a device and to a real
    file elsewhere, a folder."""
    desk = tmp_path / "desk"
    desk.mkdir()
    outside = tmp_path / "elsewhere.pdf"
    outside.write_bytes(b"%PDF-1.7 real content")
    os.mkfifo(desk / "fifo.pdf")
    (desk / "zero.pdf").symlink_to("/dev/zero")
    (desk / "link.pdf").symlink_to(outside)
    (desk / "folder.pdf").mkdir()
    return {p.stem: p for p in desk.iterdir()}


@pytest.mark.timeout(5)
@pytest.mark.parametrize("kind, code", [
    ("fifo", "not-a-file"), ("zero", "symlink"), ("link", "symlink"), ("folder", "not-a-file"),
])
def test_open_untrusted_refuses_quickly_and_never_reads(strange, kind, code):
    with pytest.raises(UntrustedFile) as caught:
        open_untrusted(strange[kind], 1 << 20)
    assert caught.value.code == code
    assert "bukan berkas biasa" in caught.value.reason_id
    with pytest.raises(UntrustedFile):
        sha256_untrusted(strange[kind], 1 << 20)


@pytest.mark.timeout(5)
def test_hashing_and_copying_never_hang_on_a_fifo_or_device(strange, tmp_path):
    for kind in ("fifo", "zero"):
        with pytest.raises(UntrustedFile):
            sha256_file(strange[kind])  # follows links, but only to regular files
        with pytest.raises(UntrustedFile):
            atomic_copy(strange[kind], tmp_path / "copy.pdf")
    assert not (tmp_path / "copy.pdf").exists()
    assert sha256_file(strange["link"]) == hashlib.sha256(b"%PDF-1.7 real content").hexdigest()


def test_open_untrusted_bounds_the_size(tmp_path):
    path = tmp_path / "big.pdf"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(UntrustedFile) as caught:
        open_untrusted(path, 2047)
    assert caught.value.code == "too-large" and caught.value.size == 2048
    assert "terlalu besar" in caught.value.reason_id
    with open_untrusted(path, 2048) as fh:
        assert fh.read() == b"x" * 2048
    assert sha256_untrusted(path, 2048) == hashlib.sha256(b"x" * 2048).hexdigest()
    with pytest.raises(FileNotFoundError):
        open_untrusted(tmp_path / "missing.pdf", 10)


# ---------------------------------------------------------------- the atomic writer


@pytest.fixture
def umask():
    old = os.umask(0o022)
    os.umask(old)

    def set_umask(value: int) -> None:
        os.umask(value)

    yield set_umask
    os.umask(old)
    fsutil.set_file_policy(None, None)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask, expected", [(0o002, 0o664), (0o022, 0o644), (0o077, 0o600)])
def test_written_files_get_the_mode_the_umask_gives(tmp_path, umask, mask, expected):
    umask(mask)
    source = tmp_path / "source.bin"
    source.write_bytes(b"abc")
    atomic_write_bytes(tmp_path / "a.pdf", b"%PDF")
    atomic_write_text(tmp_path / "kkwna.toml", "x = 1\n")
    atomic_copy(source, tmp_path / "print" / "copy.pdf")
    with atomic_writer(tmp_path / "signed.pdf") as out:
        out.write(b"%PDF-1.7\n")
        out.write(b"streamed")
    for name in ("a.pdf", "kkwna.toml", "print/copy.pdf", "signed.pdf"):
        assert mode_of(tmp_path / name) == expected, name
    assert (tmp_path / "signed.pdf").read_bytes() == b"%PDF-1.7\nstreamed"
    assert (tmp_path / "print" / "copy.pdf").read_bytes() == b"abc"


def test_the_office_policy_and_an_explicit_mode_override_the_umask(tmp_path, umask):
    umask(0o077)
    group = grp.getgrgid(os.getegid()).gr_name
    fsutil.set_file_policy(0o660, group)
    atomic_write_bytes(tmp_path / "shared.pdf", b"x")
    assert mode_of(tmp_path / "shared.pdf") == 0o660
    assert (tmp_path / "shared.pdf").stat().st_gid == os.getegid()
    atomic_write_bytes(tmp_path / "private.bin", b"x", mode=0o600)
    assert mode_of(tmp_path / "private.bin") == 0o600


@pytest.mark.parametrize("mode, group", [(0o444, None), (0o1777, None), (None, "no-such-group-x")])
def test_a_bad_file_policy_is_refused(umask, mode, group):
    with pytest.raises(ValueError):
        fsutil.set_file_policy(mode, group)
    assert fsutil.file_policy() == (None, None)


def test_the_writer_is_a_stream_pyhanko_signs_into_directly(tmp_path):
    from pyhanko.pdf_utils import misc

    with atomic_writer(tmp_path / "signed.pdf") as out:
        assert misc.assert_writable_and_random_access(out)  # else pyHanko buffers it all
        out.write(b"%PDF-1.7 <0000>")
        out.seek(9)
        out.write(b"<abcd>")  # the signature filled in afterwards, as pyHanko does
        out.seek(0)
        assert out.read() == b"%PDF-1.7 <abcd>"
    assert (tmp_path / "signed.pdf").read_bytes() == b"%PDF-1.7 <abcd>"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "form.pdf"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_writer(target) as out:
        out.write(b"half of the new")
        raise RuntimeError("pyHanko failed halfway")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["form.pdf"]


# ---------------------------------------------------------------- long names

SCRIPTS = {
    "latin": "Dokumen permohonan Kartu Keluarga warga negara asing ",
    "accented": "Nguyễn Thị Minh Khai hồ sơ gia đình ",
    "combining": "Jose\u0301 Mari\u0301a Mu\u0308ller ",  # accents as separate characters
    "cjk": "外国人家族カード申請書類一式 ",
    "arabic": "بطاقة العائلة للمقيمين الأجانب ",
    "devanagari": "विदेशी नागरिक परिवार कार्ड आवेदन ",
    "emoji": "👨‍👩‍👧‍👦🇮🇩😀 ",
    "gothic": "𐌰𐌱𐌲𐌳𐌴𐌵𐌶𐌷 ",  # four bytes each
}


def long_name(text: str, suffix: str, at_least: int = 300) -> str:
    name = text
    while len((name + suffix).encode()) < at_least:
        name += text
    return name.strip() + suffix


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("suffix", [".pdf", ""])
def test_fit_name_cuts_between_characters_and_keeps_the_extension(tmp_path, script, suffix):
    name = long_name(SCRIPTS[script], suffix)
    for reserve in (0, len(".error.txt"), 19):
        short = fit_name(name, reserve=reserve)
        assert len(short.encode()) + reserve <= 255
        assert len(short.encode()) + reserve >= 255 - 40  # not shortened more than needed
        assert short.endswith("~" + suffix)
        kept = short[:-len("~" + suffix)]
        assert name.startswith(kept)
        nxt = name[len(kept)] if len(kept) < len(name) else " "
        assert unicodedata.category(nxt) not in ("Mn", "Mc", "Me") and nxt != "\u200d"
        assert not kept.endswith("\u200d")
        # the file system takes the shortened name with what was reserved for
        (tmp_path / (short + "x" * reserve)).write_bytes(b"")


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_name_at_the_limit_is_kept_and_one_byte_more_is_cut(tmp_path, script):
    name = long_name(SCRIPTS[script], ".pdf")
    exact = fit_name(name)
    while len(exact.encode()) < 255:  # pad with ASCII to exactly 255 bytes
        exact = "a" + exact
    assert len(exact.encode()) == 255
    assert fit_name(exact) == exact
    (tmp_path / exact).write_bytes(b"")  # the real limit of the file system
    assert len(fit_name(exact, reserve=1).encode()) <= 254
