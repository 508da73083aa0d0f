"""The byte layout of the seal: a Visible Digital Seal after ICAO Doc 9303 part 13.

Pure encoding and decoding, no keys (`pipeline.signing.seal` signs and checks)::

    header     DC 03               magic constant, VDS version 4
               C40 "IDN"           issuing country (2 bytes)
               C40 "IDKK" + "03" + 3 hex digits
                                   signer identifier, certificate-reference length and
                                   reference: the first 12 bits of SHA-256 over the seal
                                   key's SubjectPublicKeyInfo (6 bytes)
               3 bytes             document issue date (MMDDYYYY as an integer)
               3 bytes             signature creation date (the same day)
               4B 02               document feature definition reference and document
                                   type category (kkwna's own, not registered with ICAO)
    message    tag, length, value (length as in BER: one byte below 128)
               01 register no. KKWNA-YYYY-NNNN as year and number (2 + 2 bytes),
               or 02 any other register no. in UTF-8
               03 No. KK in packed BCD (F-padded), or 04 in UTF-8
               09 head of the family's name in C40 (capitals, digits, space and
               punctuation, as the card prints it: two thirds of its UTF-8), or 05 in UTF-8
               06 number of members (1 byte)
               07 family digest (16 bytes)
               08 verification address, UTF-8 (only when there is one)
    signature  FF 40 r || s         ECDSA P-256 (32 + 32 bytes) or Ed25519 (64 bytes)
               over header || message

About 130 bytes for a short name, 160 for a name of 56 characters; `seal` carries them
in base45.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MAGIC = 0xDC
VERSION = 0x03  # VDS version 4 is written as 3
COUNTRY = "IDN"
SIGNER = "IDKK"
FEATURE_REF = 0x4B
TYPE_CATEGORY = 0x02
SIGNATURE_TAG = 0xFF
SIGNATURE_BYTES = 64

T_CASE, T_CASE_TEXT, T_NO_KK, T_NO_KK_TEXT, T_NAME, T_COUNT, T_DIGEST, T_URL, T_NAME_C40 = \
    range(1, 10)
_CASE = re.compile(r"KKWNA-(\d{4})-(\d{4,5})")
_C40 = " 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # values 3 .. 39
_SHIFT2 = "!\"#$%&'()*+,-./:;<=>?@[\\]^_"  # after the value 1, values 0 .. 26


class VdsError(ValueError):
    """The bytes are not a seal of this layout."""


@dataclass(frozen=True)
class Message:
    """What the message zone carries."""

    register_no: str
    no_kk: str
    kepala_keluarga: str
    jumlah_anggota: int
    family_digest: bytes  # 16 bytes
    url: str = ""


def c40_encodable(text: str) -> bool:
    return all(ch in _C40 or ch in _SHIFT2 for ch in text)


def c40(text: str) -> bytes:
    """ISO/IEC 16022 C40 (basic set, and shift 2 for punctuation), as 9303-13 uses it;
    a text that does not fill the last pair of bytes ends with a shift-1 pad, or with
    FE and the last character's ASCII value plus one when that is one basic character."""
    values: list[int] = []
    for ch in text:
        values += [_C40.index(ch) + 3] if ch in _C40 else [1, _SHIFT2.index(ch)]
    out = bytearray()
    whole = len(values) - len(values) % 3
    for i in range(0, whole, 3):
        n = 1600 * values[i] + 40 * values[i + 1] + values[i + 2] + 1
        out += n.to_bytes(2, "big")
    rest = values[whole:]
    if len(rest) == 1 and text[-1] in _C40:
        out += bytes((0xFE, ord(text[-1]) + 1))
    elif rest:
        rest += [0] * (3 - len(rest))
        out += (1600 * rest[0] + 40 * rest[1] + rest[2] + 1).to_bytes(2, "big")
    return bytes(out)


def c40_decode(data: bytes) -> str:
    values: list[int] = []
    tail = ""
    for i in range(0, len(data), 2):
        pair = data[i:i + 2]
        if len(pair) < 2:
            raise VdsError("C40")
        if pair[0] == 0xFE:
            if not 0x21 <= pair[1] <= 0x80:
                raise VdsError("C40")
            tail = chr(pair[1] - 1)
            break
        n = int.from_bytes(pair, "big") - 1
        values += [n // 1600, n // 40 % 40, n % 40]
    out, shift = [], 0
    for v in values:
        if shift == 2:
            if v >= len(_SHIFT2):
                raise VdsError("C40")
            out.append(_SHIFT2[v])
            shift = 0
        elif v in (0, 1, 2):
            shift = v + 1  # a pad (shift 1) at the end means nothing
        elif v - 3 < len(_C40):
            out.append(_C40[v - 3])
        else:
            raise VdsError("C40")
    return "".join(out) + tail


def _date(day: date) -> bytes:
    return int(day.strftime("%m%d%Y")).to_bytes(3, "big")


def _undate(data: bytes) -> date:
    text = f"{int.from_bytes(data, 'big'):08d}"
    return date(int(text[4:]), int(text[:2]), int(text[2:4]))


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    if n < 0x100:
        return bytes((0x81, n))
    return bytes((0x82,)) + n.to_bytes(2, "big")


def _tlv(tag: int, value: bytes) -> bytes:
    return bytes((tag,)) + _length(len(value)) + value


def _bcd(digits: str) -> bytes:
    nibbles = [int(d) for d in digits] + ([0xF] if len(digits) % 2 else [])
    return bytes(nibbles[i] << 4 | nibbles[i + 1] for i in range(0, len(nibbles), 2))


def _unbcd(data: bytes) -> str:
    nibbles = [n for b in data for n in (b >> 4, b & 0xF)]
    if nibbles and nibbles[-1] == 0xF:
        nibbles.pop()
    if any(n > 9 for n in nibbles):
        raise VdsError("BCD")
    return "".join(map(str, nibbles))


def header(issued: date, cert_ref: str) -> bytes:
    """The header of a seal issued on *issued* by the key whose reference is *cert_ref*
    (3 upper-case hex digits)."""
    signer = c40(f"{SIGNER}{len(cert_ref):02X}{cert_ref}")
    return (bytes((MAGIC, VERSION)) + c40(COUNTRY) + signer + _date(issued) + _date(issued)
            + bytes((FEATURE_REF, TYPE_CATEGORY)))


def message(m: Message) -> bytes:
    case = _CASE.fullmatch(m.register_no)
    out = (_tlv(T_CASE, int(case[1]).to_bytes(2, "big") + int(case[2]).to_bytes(2, "big"))
           if case and len(case[2]) == 4 else _tlv(T_CASE_TEXT, m.register_no.encode()))
    out += (_tlv(T_NO_KK, _bcd(m.no_kk)) if m.no_kk.isdigit() and m.no_kk.isascii()
            else _tlv(T_NO_KK_TEXT, m.no_kk.encode()))
    name = m.kepala_keluarga
    out += _tlv(T_NAME_C40, c40(name)) if c40_encodable(name) else _tlv(T_NAME, name.encode())
    out += _tlv(T_COUNT, bytes((m.jumlah_anggota,)))
    out += _tlv(T_DIGEST, m.family_digest)
    if m.url:
        out += _tlv(T_URL, m.url.encode())
    return out


def signature_zone(signature: bytes) -> bytes:
    return bytes((SIGNATURE_TAG,)) + _length(len(signature)) + signature


def _read_tlv(data: bytes, i: int) -> tuple[int, bytes, int]:
    """(tag, value, next index) of the TLV at *i*."""
    if i + 2 > len(data):
        raise VdsError("TLV")
    tag, n, i = data[i], data[i + 1], i + 2
    if n == 0x81 or n == 0x82:
        width = n - 0x80
        n, i = int.from_bytes(data[i:i + width], "big"), i + width
    elif n > 0x80:
        raise VdsError("length")
    if i + n > len(data):
        raise VdsError("TLV")
    return tag, data[i:i + n], i + n


@dataclass(frozen=True)
class Parsed:
    signed: bytes  # header || message: what the signature covers
    signature: bytes
    issued: date
    cert_ref: str
    message: Message


def parse(data: bytes) -> Parsed:
    """Split and decode a seal; VdsError for anything else."""
    if len(data) < 12 or data[0] != MAGIC or data[1] != VERSION:
        raise VdsError("header")
    try:
        country, signer = c40_decode(data[2:4]), c40_decode(data[4:10])
        issued = _undate(data[10:13])
        _undate(data[13:16])
    except ValueError as exc:
        raise VdsError("header") from exc
    if country != COUNTRY or not signer.startswith(SIGNER) or data[16:18] != bytes(
            (FEATURE_REF, TYPE_CATEGORY)):
        raise VdsError("header")
    fields: dict[int, bytes] = {}
    i = 18
    while i < len(data) and data[i] != SIGNATURE_TAG:
        tag, value, i = _read_tlv(data, i)
        fields[tag] = value
    signed = data[:i]
    tag, signature, end = _read_tlv(data, i)
    if tag != SIGNATURE_TAG or end != len(data) or len(signature) != SIGNATURE_BYTES:
        raise VdsError("signature zone")
    try:
        if T_CASE in fields:
            raw = fields[T_CASE]
            register = f"KKWNA-{int.from_bytes(raw[:2], 'big'):04d}-" \
                       f"{int.from_bytes(raw[2:], 'big'):04d}"
        else:
            register = fields[T_CASE_TEXT].decode()
        no_kk = _unbcd(fields[T_NO_KK]) if T_NO_KK in fields else fields[T_NO_KK_TEXT].decode()
        count, digest = fields[T_COUNT], fields[T_DIGEST]
        if len(count) != 1 or len(digest) != 16:
            raise VdsError("feature")
        name = (c40_decode(fields[T_NAME_C40]) if T_NAME_C40 in fields
                else fields[T_NAME].decode())
        m = Message(register, no_kk, name, count[0], digest,
                    fields.get(T_URL, b"").decode())
    except (KeyError, ValueError) as exc:  # a missing feature, bad UTF-8, C40 or BCD
        raise VdsError("feature") from exc
    return Parsed(signed, signature, issued, signer[len(SIGNER) + 2:], m)
