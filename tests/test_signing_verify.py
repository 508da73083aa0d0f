"""`verify`: a genuine KK passes; a flipped byte, a later revision painting over the page,
another PKI, and a photographed card whose QR seal was altered or re-made with another
key each fail with one Indonesian line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import A4, landscape

from pipeline.render import fonts
from pipeline.render.qr import draw_qr
from pipeline.signing import keys, pades
from pipeline.signing.inspect import MESSAGES
from pipeline.signing.pki import DemoCA, Person, p12_bytes, pem
from pipeline.signing.seal import REASONS, SealFields, family_digest, make_seal, make_seal_v1
from pipeline.signing.verify import GENUINE, verify_image, verify_pdf
from tests.forgeries import decompression_bomb_png
from tests.signing_pki import (
    BLOCK,
    FAMILY,
    PASSPHRASE,
    make_draft,
    paint_after,
    shared_pki,
    timestamper,
)


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kk")
    make_draft(folder / "draft.pdf")
    out = folder / "08 kartu keluarga WNA.pdf"
    pki = shared_pki()
    pades.sign_kk(folder / "draft.pdf", out, p12=pki.head_p12, passphrase=PASSPHRASE,
                  trust=pki.trust, timestamper=timestamper(), block=BLOCK)
    return out


def _verify(path: Path) -> tuple[bool, str]:
    verdict = verify_pdf(path, shared_pki().trust, shared_pki().head_sha256)
    return verdict.ok, verdict.reason


def test_genuine_kk_is_ok_with_its_details(genuine: Path) -> None:
    verdict = verify_pdf(genuine, shared_pki().trust, shared_pki().head_sha256)
    assert verdict.ok and verdict.reason == GENUINE
    assert verdict.details["register_no"] == "KKWNA-2026-0001"
    assert verdict.details["no_kk"] == "6305041211260001"
    assert verdict.details["pemegang"] == "JOHN SMITH"
    assert "RINA INDRIANI" in verdict.details["penanda_tangan"]
    assert verdict.details["waktu_tanda_tangan"].endswith("WITA")
    assert verdict.details["cap_waktu"].endswith("WITA")
    assert verdict.details["level"] == "PAdES B-LTA"


def test_one_byte_flipped_inside_the_signed_range(genuine: Path, tmp_path: Path) -> None:
    data = bytearray(genuine.read_bytes())
    at = data.index(b"Kartu Keluarga No. 6305041211260001")  # the first revision's Title
    data[at] ^= 0x20  # "K" -> "k"
    flipped = tmp_path / "flipped.pdf"
    flipped.write_bytes(bytes(data))
    assert _verify(flipped) == (False, MESSAGES["bytes_changed"])


def test_a_later_revision_painting_over_the_page(genuine: Path, tmp_path: Path) -> None:
    painted = tmp_path / "painted.pdf"
    paint_after(genuine, painted)
    assert _verify(painted) == (False, MESSAGES["added_after"])


def test_a_kk_signed_by_another_pki(tmp_path: Path) -> None:
    make_draft(tmp_path / "draft.pdf")
    out = tmp_path / "palsu.pdf"
    fake_ca = DemoCA("TEST Root CA palsu", organisation="TEST Palsu")
    fake = fake_ca.issue_signer(Person("Hj. RINA INDRIANI, ST", "198203112005012017"))
    (tmp_path / "fake.p12").write_bytes(p12_bytes(fake, [fake_ca.cert], PASSPHRASE, "f"))
    (tmp_path / "fake-root.pem").write_bytes(pem(fake_ca.cert))
    (tmp_path / "fake.crl").write_bytes(fake_ca.crl().public_bytes(Encoding.DER))
    fake_trust = keys.Trust.load([tmp_path / "fake-root.pem"], [tmp_path / "fake.crl"])
    pades.sign_kk(tmp_path / "draft.pdf", out, p12=tmp_path / "fake.p12",
                  passphrase=PASSPHRASE, trust=fake_trust, timestamper=None, block=BLOCK)
    assert verify_pdf(out, fake_trust, None).ok  # it is a well-formed B-LT card ...
    ok, reason = _verify(out)  # ... that the office's trust roots do not vouch for
    assert not ok and reason == MESSAGES["untrusted_root"]


def test_a_genuine_card_signed_by_someone_else_is_an_unknown_signer(tmp_path: Path) -> None:
    make_draft(tmp_path / "draft.pdf")
    pki = shared_pki()
    pades.sign_kk(tmp_path / "draft.pdf", tmp_path / "kk.pdf", p12=pki.division_p12,
                  passphrase=PASSPHRASE, trust=pki.trust, timestamper=None, block=BLOCK)
    assert _verify(tmp_path / "kk.pdf") == (False, MESSAGES["unknown_signer"])


# --------------------------------------------------------------------------- photos


def _seal_fields(**changes: object) -> SealFields:
    base = SealFields(register_no="KKWNA-2026-0001", no_kk="6305041211260001",
                      kepala_keluarga="JOHN SMITH", jumlah_anggota=2,
                      tanggal_terbit=dt.date(2026, 11, 27), family_digest=family_digest(FAMILY))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _photo_of_card(qr_text: str, out: Path) -> Path:
    """A printed card with the seal QR, rendered and then 'photographed': turned a little,
    blurred, JPEG-compressed."""
    buf = io.BytesIO()
    c = fonts.new_canvas(buf, landscape(A4), "KK")
    c.setFont(fonts.BOLD, 16)
    c.drawString(300, 540, "KARTU KELUARGA")
    c.drawString(290, 520, "No. 6305041211260001")
    draw_qr(c, qr_text, 640, 60, 130)
    c.showPage()
    c.save()
    page = pdfium.PdfDocument(buf.getvalue())[0]
    image = page.render(scale=200 / 72).to_pil().convert("RGB")
    image = image.rotate(4, expand=True, fillcolor=(235, 230, 220))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    image.save(out, "JPEG", quality=70)
    return out


def test_photo_of_a_genuine_card_reads_the_seal(tmp_path: Path) -> None:
    text = make_seal(_seal_fields(), shared_pki().seal.key)
    verdict = verify_image(_photo_of_card(text, tmp_path / "foto.jpg"), shared_pki().seal.cert)
    assert verdict.ok, verdict.reason
    assert verdict.details["no_kk"] == "6305041211260001"
    assert verdict.details["pemegang"] == "JOHN SMITH"
    assert verdict.details["register_no"] == "KKWNA-2026-0001"
    assert verdict.details["jumlah_anggota"] == "2"
    assert verdict.details["tanggal_terbit"] == "27-11-2026"


def test_photo_of_a_card_printed_with_the_first_seal_format(tmp_path: Path) -> None:
    text = make_seal_v1(_seal_fields(), shared_pki().seal.key)
    verdict = verify_image(_photo_of_card(text, tmp_path / "foto.jpg"), shared_pki().seal.cert)
    assert verdict.ok, verdict.reason
    assert (verdict.details["pemegang"], verdict.details["tanggal_terbit"]) == (
        "JOHN SMITH", "27-11-2026")


def test_photo_with_an_altered_qr_fails(tmp_path: Path) -> None:
    text = make_seal(_seal_fields(), shared_pki().seal.key)
    # change one character of the base45 body: still a well-formed QR, a broken seal
    i = len(text) // 2
    altered = text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1:]
    verdict = verify_image(_photo_of_card(altered, tmp_path / "foto.jpg"),
                           shared_pki().seal.cert)
    assert not verdict.ok
    assert verdict.reason in (REASONS["signature"], REASONS["format"])


def test_photo_with_a_qr_remade_with_another_key_fails(tmp_path: Path) -> None:
    forged = make_seal(_seal_fields(kepala_keluarga="JANE DOE"), shared_pki().other_seal.key)
    verdict = verify_image(_photo_of_card(forged, tmp_path / "foto.jpg"),
                           shared_pki().seal.cert)
    assert (verdict.ok, verdict.reason) == (False, REASONS["signature"])


def test_photo_without_a_seal(tmp_path: Path) -> None:
    verdict = verify_image(_photo_of_card("https://contoh.invalid/kk", tmp_path / "f.jpg"),
                           shared_pki().seal.cert)
    assert not verdict.ok and "bukan segel" in verdict.reason
    blank = tmp_path / "kosong.png"
    Image.new("RGB", (200, 200), "white").save(blank)
    assert not verify_image(blank, shared_pki().seal.cert).ok


def test_a_refusal_prints_nothing_on_stderr(tmp_path: Path) -> None:
    """pyHanko logs validation failures with tracebacks; the CLI must stay one line."""
    import os
    import subprocess
    import sys

    make_draft(tmp_path / "draft.pdf")
    script = (
        "import sys; from pathlib import Path\n"
        "from tests.signing_pki import shared_pki, sign_elsewhere\n"
        "from pipeline.signing.verify import verify_pdf\n"
        "pki = shared_pki(); d = Path(sys.argv[1])\n"
        "sign_elsewhere(d / 'draft.pdf', d / 'x.pdf', pki.other_pki_head_p12)\n"
        "print(verify_pdf(d / 'x.pdf', pki.trust, pki.head_sha256).reason)\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True,
                          text=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == MESSAGES["untrusted_root"]
    assert done.stderr == ""


@pytest.mark.slow
def test_a_b_lta_kk_still_verifies_after_the_signer_certificate_expired(tmp_path: Path) -> None:
    """The certificate lives 4 seconds; the card, timestamped and with its validation
    data, stays genuine after it (judged at its timestamp)."""
    import hashlib
    import time

    pki = shared_pki()
    now = dt.datetime.now(dt.UTC)
    short = pki.ca.issue_signer(Person("Hj. RINA INDRIANI, ST", "198203112005012017"),
                                not_before=now - dt.timedelta(hours=1),
                                not_after=now + dt.timedelta(seconds=4))
    (tmp_path / "short.p12").write_bytes(p12_bytes(short, [pki.ca.cert], PASSPHRASE, "s"))
    make_draft(tmp_path / "draft.pdf")
    out = tmp_path / "kk.pdf"
    pades.sign_kk(tmp_path / "draft.pdf", out, p12=tmp_path / "short.p12",
                  passphrase=PASSPHRASE, trust=pki.trust, timestamper=timestamper(),
                  block=BLOCK)
    time.sleep(max(0.0, (short.cert.not_valid_after_utc - dt.datetime.now(dt.UTC))
                   .total_seconds()) + 1.5)
    sha = hashlib.sha256(short.cert.public_bytes(Encoding.DER)).hexdigest()
    verdict = verify_pdf(out, pki.trust, sha)
    assert verdict.ok, verdict.reason
    assert verdict.details["level"] == "PAdES B-LTA"


def test_a_decompression_bomb_is_refused_from_its_header_with_its_size(tmp_path: Path) -> None:
    bomb = tmp_path / "foto.png"
    bomb.write_bytes(decompression_bomb_png(12_000, 10_000))  # 120 megapixels
    verdict = verify_image(bomb, shared_pki().seal.cert)
    assert not verdict.ok
    assert verdict.reason == "gambar terlalu besar (120 megapiksel; paling banyak 89 megapiksel)"
