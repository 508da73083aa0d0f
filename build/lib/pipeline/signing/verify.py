"""`kkwna verify FILE`: is this KK genuine? Works with no network.

For a PDF: the one signature is intact, covers the file (only validation data and
document timestamps after it), chains to a trust root, was valid and not revoked when it
signed, and (when given) is the configured head of office's certificate. For an image (a
photo or scan of a printed KK): the QR seal verifies against the seal certificate.

The register lookup stays with the caller: ``details["register_no"]`` carries the case
id found in the PDF's Info (/KKWNA_Kasus) or in the seal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.x509 import Certificate
from PIL import Image, UnidentifiedImageError

from pipeline.signing.inspect import inspect_signature
from pipeline.signing.keys import Trust
from pipeline.signing.pades import WITA, read_holder, read_identity
from pipeline.signing.seal import PREFIX, SealInvalid, open_seal

GENUINE = "KK asli: tanda tangan utuh dan terpercaya"
GENUINE_SEAL = "segel cocok: isi kartu harus sama dengan data di bawah"


@dataclass(frozen=True)
class Verdict:
    """ok only for a genuine card; reason is one Indonesian line; details are printable
    label -> value pairs (keys: pemegang, no_kk, register_no, penanda_tangan,
    waktu_tanda_tangan, cap_waktu, level; for an image also jumlah_anggota,
    tanggal_terbit, digest_data_keluarga, alamat_verifikasi)."""

    ok: bool
    reason: str
    details: dict[str, str] = field(default_factory=dict)


def _time(moment: datetime | None, tz: ZoneInfo) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(tz)
    zone = "WITA" if tz.key == "Asia/Makassar" else local.strftime("%Z")
    return f"{local.strftime('%d-%m-%Y %H:%M:%S')} {zone}"


def verify_pdf(path: Path, trust: Trust, expected_signer_sha256: str | None,
               tz: ZoneInfo = WITA) -> Verdict:
    """Judge a signed KK PDF (see the module docstring)."""
    found = inspect_signature(path, trust, expected_signer_sha256=expected_signer_sha256)
    details: dict[str, str] = {}
    if found.reader is not None:
        case_id, no_kk = read_identity(path)
        details.update(pemegang=read_holder(path), no_kk=no_kk, register_no=case_id)
    if found.signature is not None:
        details.update(penanda_tangan=found.signer_name,
                       waktu_tanda_tangan=_time(found.signing_time, tz))
        stamp = found.timestamp_time or found.document_timestamp_time
        if stamp is not None:
            details["cap_waktu"] = _time(stamp, tz)
        if found.level:
            details["level"] = found.level
    if found.problems:
        return Verdict(False, found.messages()[0], details)
    return Verdict(True, GENUINE, details)


def read_qr_texts(path: Path) -> list[str]:
    """The texts of the standard QR codes in an image (Micro QR is not read)."""
    import zxingcpp

    try:
        with Image.open(path) as img:
            img.load()
            rgb = img.convert("RGB")
    except (UnidentifiedImageError, OSError):
        return []
    results = zxingcpp.read_barcodes(rgb)
    return [r.text for r in results if r.format == zxingcpp.BarcodeFormat.QRCode]


def verify_image(path: Path, seal_cert: Certificate) -> Verdict:
    """Read the seal QR code of a photographed or scanned KK and check it."""
    texts = read_qr_texts(path)
    if not texts:
        return Verdict(False, "tidak ada kode QR yang terbaca pada gambar")
    seals = [t for t in texts if t.startswith(PREFIX)]
    if not seals:
        return Verdict(False, "kode QR pada gambar bukan segel KK dari kkwna")
    try:
        fields = open_seal(seals[0], seal_cert)
    except SealInvalid as exc:
        return Verdict(False, str(exc))
    details = {
        "pemegang": fields.kepala_keluarga, "no_kk": fields.no_kk,
        "register_no": fields.register_no, "jumlah_anggota": str(fields.jumlah_anggota),
        "tanggal_terbit": fields.tanggal_terbit.strftime("%d-%m-%Y"),
        "digest_data_keluarga": fields.family_digest,
    }
    if fields.url:
        details["alamat_verifikasi"] = fields.url
    return Verdict(True, GENUINE_SEAL, details)
