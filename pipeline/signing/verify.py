"""`kkwna verify FILE`: is this KK genuine? Works with no network.

For a PDF: the one signature is intact, covers the file (only validation data and
document timestamps after it), chains to a trust root, was valid and not revoked when it
signed, and (when given) is the configured head of office's certificate. For an image (a
photo or scan of a printed KK): the QR seal verifies against the seal certificate.

The register lookup stays with the caller: ``details["register_no"]`` carries the case
id found in the signed revision's Info (/KKWNA_Kasus) or in the seal. A PDF's details
are read only from what its signature covers, and only for a genuine card: a revision
added later cannot lend the card another identity, and a refused card shows nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.x509 import Certificate

from pipeline.signing.inspect import inspect_signature
from pipeline.signing.keys import Trust
from pipeline.signing.revisions import INFO_CASE, INFO_HOLDER, INFO_NO_KK, info_at
from pipeline.signing.signatories import Signatory

UNREADABLE = "berkas bukan PDF atau gambar yang dapat dibaca"
GENUINE = "KK asli: tanda tangan utuh dan terpercaya"
GENUINE_SEAL = "segel cocok: isi kartu harus sama dengan data di bawah"
WITA = ZoneInfo("Asia/Makassar")


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


def verify_pdf(path: Path, trust: Trust,
               expected_signer: str | Mapping[str, Signatory] | None,
               tz: ZoneInfo = WITA) -> Verdict:
    """Judge a signed KK PDF (see the module docstring). *expected_signer*: the head of
    office's certificate fingerprint, or every signatory by fingerprint (an acting head's
    signature must then fall within their mandate)."""
    found = inspect_signature(path, trust, expected_signer_sha256=expected_signer)
    if found.problems:  # nothing a refused card says is vouched for
        return Verdict(False, found.messages()[0], {})
    details: dict[str, str] = {}
    if isinstance(expected_signer, Mapping):
        who = expected_signer[found.signer_sha256]
        # the trusted time when there is one: a signer's own clock could be set back
        moment = found.timestamp_time or found.document_timestamp_time or found.signing_time
        day = moment.astimezone(tz).date() if moment is not None else None
        if day is not None and not who.serves_on(day):
            return Verdict(False, who.not_serving(day), {})
        details["kapasitas"] = who.capacity
    if found.signature is not None:
        info = info_at(found.reader, found.signature.signed_revision)
        details.update(pemegang=info.get(INFO_HOLDER, ""), no_kk=info.get(INFO_NO_KK, ""),
                       register_no=info.get(INFO_CASE, ""))
        details.update(penanda_tangan=found.signer_name,
                       waktu_tanda_tangan=_time(found.signing_time, tz))
        stamp = found.timestamp_time or found.document_timestamp_time
        if stamp is not None:
            details["cap_waktu"] = _time(stamp, tz)
        if found.level:
            details["level"] = found.level
    return Verdict(True, GENUINE, details)


def read_qr_texts(path: Path) -> list[str] | None:
    """The texts of the standard QR codes in an image (Micro QR is not read); None when
    the file is not an image that can be read. Call `too_many_pixels` first: it refuses a
    decompression bomb from the header alone."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError  # images only: `verify` of a PDF skips it

    try:
        with Image.open(path) as img:
            img.load()
            rgb = img.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError):
        return None
    results = zxingcpp.read_barcodes(rgb)
    return [r.text for r in results if r.format == zxingcpp.BarcodeFormat.QRCode]


def too_many_pixels(path: Path) -> str | None:
    """Why an image is refused unopened for its size (a decompression bomb: a small file of
    hundreds of megapixels would take the memory of the office PC), or None. Only the
    header is read."""
    from PIL import Image, UnidentifiedImageError

    limit = Image.MAX_IMAGE_PIXELS
    if limit is None:
        return None
    import warnings

    over = ""
    try:
        with warnings.catch_warnings():  # what the warning says is the answer below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                pixels = img.size[0] * img.size[1]
    except Image.DecompressionBombError:  # past Pillow's own hard limit, twice ours
        pixels, over = 2 * limit, "lebih dari "
    except (UnidentifiedImageError, OSError, ValueError):
        return None  # not an image: read_qr_texts says so
    if pixels <= limit:
        return None
    return (f"gambar terlalu besar ({over}{pixels / 1e6:.0f} megapiksel; paling banyak "
            f"{limit / 1e6:.0f} megapiksel)")


def verify_image(path: Path, seal_cert: Certificate) -> Verdict:
    """Read the seal QR code of a photographed or scanned KK and check it."""
    from pipeline.signing.seal import SealInvalid, is_seal, open_seal  # images only

    big = too_many_pixels(path)
    if big is not None:
        return Verdict(False, big)
    texts = read_qr_texts(path)
    if texts is None:
        return Verdict(False, UNREADABLE)
    if not texts:
        return Verdict(False, "tidak ada kode QR yang terbaca pada gambar")
    seals = [t for t in texts if is_seal(t)]
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
