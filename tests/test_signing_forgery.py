"""A KK edited after signing never verifies (issue 14, item 1).

Each forgery in tests/forgeries.py appends one revision after the head of office's
signature: Info, XMP, an annotation, a changed or added field, a page, a second signature
by another certificate. `verify` and desk 08 refuse every one, and a refused card lends
no identity (case, No. KK, head of family) to what is printed about it.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from pipeline.signing import pades
from pipeline.signing.check import check_signed_draft
from pipeline.signing.inspect import MESSAGES
from pipeline.signing.pki import pem
from pipeline.signing.revisions import info_at
from pipeline.signing.verify import GENUINE, verify_pdf
from tests.forgeries import FORGERIES, OTHER_CASE, info_changed, signed_again
from tests.signing_pki import (
    BLOCK,
    PASSPHRASE,
    make_draft,
    shared_pki,
    sign_elsewhere,
    timestamper,
)

ALL = sorted(FORGERIES) + ["signed_again"]


def _forge(name: str, genuine: Path, out: Path) -> Path:
    if name == "signed_again":
        signed_again(genuine, out, shared_pki().division_p12, PASSPHRASE)
    else:
        FORGERIES[name](genuine, out)
    assert out.read_bytes().startswith(genuine.read_bytes())  # an incremental update
    return out


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A B-LTA card as step 8 files it: signature, validation data, document timestamp."""
    folder = tmp_path_factory.mktemp("kk")
    make_draft(folder / "draft.pdf")
    out = folder / "08 kartu keluarga WNA.pdf"
    pki = shared_pki()
    pades.sign_kk(folder / "draft.pdf", out, p12=pki.head_p12, passphrase=PASSPHRASE,
                  trust=pki.trust, timestamper=timestamper(), block=BLOCK)
    return out


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("draft") / "07 draf TTE KK.pdf"
    return path, make_draft(path)


def test_the_genuine_card_verifies_with_its_identity(genuine: Path) -> None:
    verdict = verify_pdf(genuine, shared_pki().trust, shared_pki().head_sha256)
    assert verdict.ok, verdict.reason
    assert verdict.details["register_no"] == "KKWNA-2026-0001"
    assert verdict.details["level"] == "PAdES B-LTA"


@pytest.mark.parametrize("name", ALL)
def test_verify_refuses_every_revision_after_the_signature(
        genuine: Path, tmp_path: Path, name: str) -> None:
    forged = _forge(name, genuine, tmp_path / "palsu.pdf")
    verdict = verify_pdf(forged, shared_pki().trust, shared_pki().head_sha256)
    assert not verdict.ok
    expected = MESSAGES["many_signatures" if name == "signed_again" else "added_after"]
    assert verdict.reason == expected
    # nothing from the forged revision, and no "PAdES B-LTA" beside a refusal
    assert OTHER_CASE not in verdict.details.values()
    assert "level" not in verdict.details


@pytest.mark.parametrize("name", ALL)
def test_desk_08_refuses_every_revision_after_the_signature(
        draft: tuple[Path, str], tmp_path: Path, name: str) -> None:
    path, sha = draft
    signed = tmp_path / "signed.pdf"
    sign_elsewhere(path, signed, shared_pki().head_p12)
    forged = _forge(name, signed, tmp_path / "palsu.pdf")
    pki = shared_pki()
    problems = check_signed_draft(forged, draft_sha256=sha, trust=pki.trust,
                                  head_of_office_sha256=pki.head_sha256)
    assert problems, f"{name} was accepted on desk 08"


def test_the_identity_is_read_from_the_signed_revision(genuine: Path) -> None:
    """The signed revision's Info is what the signature covers; the newest is the forger's."""
    forged = genuine.with_name("palsu-info.pdf")
    info_changed(genuine, forged)
    reader = PdfFileReader(io.BytesIO(forged.read_bytes()))
    signed_revision = reader.embedded_signatures[0].signed_revision
    assert info_at(reader, signed_revision)[pades.INFO_CASE] == "KKWNA-2026-0001"
    assert info_at(reader, reader.xrefs.total_revisions - 1)[pades.INFO_CASE] == OTHER_CASE


# --- what `kkwna verify` prints at the counter (items 12, 13) -------------------------------

def _png_bomb(path: Path, side: int) -> Path:
    """A PNG of side × side one-bit pixels, all white: a few kB that decode to
    side² pixels (Pillow refuses past 2 × MAX_IMAGE_PIXELS, warns past it)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
                     + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return path


def _kkwna_process(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`kkwna verify` as a clerk runs it: a process of its own, outside an office folder."""
    root = Path(__file__).resolve().parent.parent
    return subprocess.run([sys.executable, "-m", "pipeline", "--home", str(tmp_path / "luar"),
                           *args], capture_output=True, text=True, cwd=root, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(root)})


@pytest.mark.parametrize("side", [10_000, 20_000])
def test_a_decompression_bomb_is_not_genuine_in_one_line(tmp_path: Path, side: int) -> None:
    bomb = _png_bomb(tmp_path / "foto.png", side)
    seal = tmp_path / "segel.pem"
    seal.write_bytes(pem(shared_pki().seal.cert))
    done = _kkwna_process(tmp_path, "verify", str(bomb), "--seal-cert", str(seal))
    assert (done.returncode, done.stderr) == (1, ""), done.stderr
    assert done.stdout.startswith("TIDAK ASLI: gambar terlalu besar (")
    assert len(done.stdout.splitlines()) == 1


def test_an_untrusted_card_gets_the_verdict_first_and_no_library_logs(
        tmp_path: Path, draft: tuple[Path, str]) -> None:
    """pyHanko logs a traceback for a root it does not trust: not on the clerk's terminal."""
    card = tmp_path / "kk.pdf"
    sign_elsewhere(draft[0], card, shared_pki().other_pki_head_p12)
    done = _kkwna_process(tmp_path, "verify", str(card), "--trust-root", str(shared_pki().root))
    assert (done.returncode, done.stderr) == (1, ""), done.stderr
    assert done.stdout == f"TIDAK ASLI: {MESSAGES['untrusted_root']}\n"
    forged = tmp_path / "palsu.pdf"
    sign_elsewhere(draft[0], card, shared_pki().head_p12)
    info_changed(card, forged)
    done = _kkwna_process(tmp_path, "verify", str(forged), "--trust-root", str(shared_pki().root))
    assert (done.returncode, done.stderr, done.stdout) == (
        1, "", f"TIDAK ASLI: {MESSAGES['added_after']}\n")
    verbose = _kkwna_process(tmp_path, "--verbose", "verify", str(forged),
                             "--trust-root", str(shared_pki().root))
    assert "Traceback" in verbose.stderr  # the library's view, for the engineer who asks


def test_a_genuine_card_prints_the_verdict_then_what_the_signature_covers(
        genuine: Path, tmp_path: Path) -> None:
    done = _kkwna_process(tmp_path, "verify", str(genuine), "--trust-root", str(shared_pki().root))
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    lines = done.stdout.splitlines()
    assert lines[:3] == [f"ASLI: {GENUINE}", "Dicakup tanda tangan:",
                         "  Kepala keluarga: JOHN SMITH"]
    assert "  Tingkat tanda tangan: PAdES B-LTA" in lines
