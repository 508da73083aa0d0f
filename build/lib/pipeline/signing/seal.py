"""The KK's QR code is a seal, not a link: a compact payload signed with the office's
electronic-seal key (segel elektronik).

Text in the QR code (all in the QR alphanumeric alphabet, so a standard QR code holds
it densely)::

    KKWNA1:<base45( payload || signature )>

payload   UTF-8 JSON array, no spaces:
          [register no., No. KK, head of the family's name, number of members,
           date of issue YYYY-MM-DD, family digest, verification address or ""]
signature 64 bytes: ECDSA P-256 (r || s, 32 bytes each, over SHA-256) or Ed25519

The family digest (`family_digest`) is the first 128 bits of SHA-256 over the canonical
JSON of every value printed on the card, base64url: a forger would need a second
preimage of a digest the office sealed, 2^128 work. A sealed KK with the digest of its
printed data thus binds every printed value, and about 270 characters fit a version-12
QR code at error-correction level M.
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
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.x509 import Certificate

from pipeline import family

PREFIX = "KKWNA1:"
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
    norm = family.normalise(keluarga)
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


def make_seal(fields: SealFields, key: Any) -> str:
    """The QR text of *fields* sealed with *key* (a `cryptography` ECDSA P-256 or Ed25519
    private key)."""
    payload = _payload(fields)
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1":
        r, s = decode_dss_signature(key.sign(payload, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    elif isinstance(key, ed25519.Ed25519PrivateKey):
        signature = key.sign(payload)
    else:
        raise SealInvalid("key")
    return PREFIX + b45encode(payload + signature)


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
