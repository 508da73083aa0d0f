"""The KK's QR code is a seal, not a link: a compact payload signed with the office's
electronic-seal key (segel elektronik).

Since version 2 the QR code holds a Visible Digital Seal after ICAO Doc 9303 part 13
(`pipeline.signing.vds`: a header, the message as tag-length-value features and the
64-byte signature, about 130 bytes), base45 in the QR code's alphanumeric mode, as the EU
digital COVID certificate carries its bytes: its first three characters, the base45 of the
VDS magic and version, tell it from the first format. Not byte mode, although that is a
version smaller for a long name: OpenCV's decoder returns a C string and so cuts a binary
payload at its first zero byte, and every seal has some (the register number's, and one
signature in five). A version-8 to 10 QR code at level M, where the first format needed
version 10 to 12.

Seals of the first format, still on printed cards, keep opening::

    KKWNA1:<base45( payload || signature )>

payload   UTF-8 JSON array, no spaces:
          [register no., No. KK, head of the family's name, number of members,
           date of issue YYYY-MM-DD, family digest, verification address or ""]
signature 64 bytes: ECDSA P-256 (r || s, 32 bytes each, over SHA-256) or Ed25519

The family digest (`family_digest`) is the first 128 bits of SHA-256 over the canonical
JSON of every value printed on the card (base64url in `SealFields`, its 16 bytes in the
seal): a forger would need a second preimage of a digest the office sealed, 2^128 work.
A sealed KK with the digest of its printed data thus binds every printed value.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.x509 import Certificate

from pipeline.domain import family
from pipeline.signing import vds

PREFIX = "KKWNA1:"  # the first format's text; the second starts with VDS_PREFIX
VDS_PREFIX = "S R"  # b45encode(bytes((vds.MAGIC, vds.VERSION)))
SIGNATURE_BYTES = 64
_B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

REASONS = {
    "format": "kode QR bukan segel KK dari kkwna (format tidak dikenal)",
    "signature": "segel tidak cocok: isi kode QR diubah atau dibuat dengan kunci lain",
    "key": "sertifikat segel memakai kunci yang tidak didukung (hanya ECDSA P-256/Ed25519)",
}


class SealInvalid(Exception):
    """The seal does not verify; ``reason_id`` is a key of REASONS, str() is Indonesian."""

    def __init__(self, reason_id: str) -> None:
        super().__init__(REASONS[reason_id])
        self.reason_id = reason_id


@dataclass(frozen=True)
class SealFields:
    """What the seal vouches for."""

    register_no: str  # the case id, e.g. KKWNA-2026-0001
    no_kk: str
    kepala_keluarga: str  # the head of the family's name as printed
    jumlah_anggota: int
    tanggal_terbit: date
    family_digest: str  # `family_digest` of the printed data
    url: str = ""  # optional verification address


def b45encode(data: bytes) -> str:
    """RFC 9285 base45."""
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        c, n = n % 45, n // 45
        d, e = n % 45, n // 45
        out.append(_B45[c] + _B45[d] + _B45[e])
    if len(data) % 2:
        c, d = data[-1] % 45, data[-1] // 45
        out.append(_B45[c] + _B45[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    try:
        values = [_B45.index(ch) for ch in text]
    except ValueError:
        raise SealInvalid("format") from None
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i:i + 3]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 45 * 45
            if n > 0xFFFF:
                raise SealInvalid("format")
            out += bytes((n >> 8, n & 0xFF))
        elif len(chunk) == 2:
            n = chunk[0] + chunk[1] * 45
            if n > 0xFF:
                raise SealInvalid("format")
            out.append(n)
        else:
            raise SealInvalid("format")
    return bytes(out)


def family_digest(keluarga: Mapping[str, Any]) -> str:
    """Digest of the family data as printed on the card (normalised first, so spelling
    variants that print the same give the same digest); 22 characters, base64url."""
    norm = family.normalise(keluarga, area=None)  # as step 4 stored it: as printed
    printed = {key: norm[key] for key in family.HEADER_KEYS if key != "email"}
    printed["anggota"] = [{key: m[key] for key in family.MEMBER_KEYS} for m in norm["anggota"]]
    canonical = json.dumps(printed, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def _payload(fields: SealFields) -> bytes:
    values = [fields.register_no, fields.no_kk, fields.kepala_keluarga,
              fields.jumlah_anggota, fields.tanggal_terbit.isoformat(),
              fields.family_digest, fields.url]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _sign(key: Any, data: bytes) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1":
        # RFC 6979: the same card gets the same seal, and no weak random number can leak
        # the key
        algorithm = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
        r, s = decode_dss_signature(key.sign(data, algorithm))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    raise SealInvalid("key")


def cert_ref(public_key: Any) -> str:
    """The VDS certificate reference of a seal key: 3 hex digits of its SPKI's SHA-256, so
    that a reader holding several seal certificates picks the right one."""
    spki = public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).hexdigest()[:3].upper()


def _digest_bytes(digest: str) -> bytes:
    raw = base64.urlsafe_b64decode(digest + "=" * (-len(digest) % 4))
    if len(raw) != 16:
        raise ValueError("a family digest is 16 bytes")
    return raw


def signed_part(fields: SealFields, ref: str) -> bytes:
    """The header and message a seal of *fields* signs (the VDS without its signature)."""
    message = vds.Message(fields.register_no, fields.no_kk, fields.kepala_keluarga,
                          fields.jumlah_anggota, _digest_bytes(fields.family_digest),
                          fields.url)
    return vds.header(fields.tanggal_terbit, ref) + vds.message(message)


def make_seal(fields: SealFields, key: Any) -> str:
    """The QR text of *fields* sealed with *key* (a `cryptography` ECDSA P-256 or Ed25519
    private key): the base45 of the VDS (see the module docstring)."""
    signed = signed_part(fields, cert_ref(key.public_key()))
    return b45encode(signed + vds.signature_zone(_sign(key, signed)))


def make_seal_v1(fields: SealFields, key: Any) -> str:
    """A seal of the first format (``KKWNA1:``), as cards printed before version 2 carry;
    kept so that the tests can show such cards still open."""
    payload = _payload(fields)
    return PREFIX + b45encode(payload + _sign(key, payload))


def is_seal(text: str) -> bool:
    """Whether *text* read from a QR code looks like a kkwna seal of either format."""
    return text.startswith(PREFIX) or text.startswith(VDS_PREFIX)


def _check(public_key: Any, payload: bytes, signature: bytes) -> None:
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey) \
                and public_key.curve.name == "secp256r1":
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            public_key.verify(encode_dss_signature(r, s), payload, ec.ECDSA(hashes.SHA256()))
        elif isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, payload)
        else:
            raise SealInvalid("key")
    except InvalidSignature:
        raise SealInvalid("signature") from None


def open_seal(text: str, cert: Certificate) -> SealFields:
    """The fields of a seal that verifies against the seal certificate *cert*.

    Raises SealInvalid("format") for text that is not a kkwna seal, ("signature") for a
    changed payload or one signed by another key.
    """
    if text.startswith(VDS_PREFIX):
        return _open_vds(text, cert)
    text = text.strip()
    if not text.startswith(PREFIX):
        raise SealInvalid("format")
    raw = b45decode(text[len(PREFIX):])
    if len(raw) <= SIGNATURE_BYTES:
        raise SealInvalid("format")
    payload, signature = raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]
    _check(cert.public_key(), payload, signature)
    try:
        reg, no_kk, nama, count, issued, digest, url = json.loads(payload.decode("utf-8"))
        return SealFields(str(reg), str(no_kk), str(nama), int(count),
                          date.fromisoformat(issued), str(digest), str(url))
    except (ValueError, TypeError):
        raise SealInvalid("format") from None


def _open_vds(text: str, cert: Certificate) -> SealFields:
    try:
        parsed = vds.parse(b45decode(text))
    except vds.VdsError:
        raise SealInvalid("format") from None
    _check(cert.public_key(), parsed.signed, parsed.signature)
    m = parsed.message
    digest = base64.urlsafe_b64encode(m.family_digest).decode("ascii").rstrip("=")
    return SealFields(m.register_no, m.no_kk, m.kepala_keluarga, m.jumlah_anggota,
                      parsed.issued, digest, m.url)
