"""The QR seal: a Visible Digital Seal (ICAO 9303-13) compact enough for a small standard
QR code, the first format's seals still open, and any change to a printed value or a
payload signed by another key fails."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from pipeline.render import qr
from pipeline.signing import vds
from pipeline.signing.seal import (
    PREFIX,
    REASONS,
    VDS_PREFIX,
    SealFields,
    SealInvalid,
    b45decode,
    b45encode,
    family_digest,
    make_seal,
    make_seal_v1,
    open_seal,
    signed_part,
)
from tests.signing_pki import FAMILY, shared_pki

FIELDS = SealFields(register_no="KKWNA-2026-0001", no_kk="6305041211260001",
                    kepala_keluarga="ALEXANDER CHRISTOPHER MONTGOMERY-WILLIAMSON",
                    jumlah_anggota=10, tanggal_terbit=dt.date(2026, 11, 27),
                    family_digest=family_digest(FAMILY))


def test_seal_round_trips_and_fits_a_small_qr_code() -> None:
    text = make_seal(FIELDS, shared_pki().seal.key)
    assert text.startswith(VDS_PREFIX)
    assert open_seal(text, shared_pki().seal.cert) == FIELDS
    assert len(b45decode(text)) <= 160  # bytes, for a name of 43 characters
    code = qr.make(text)
    assert code.mode == "alphanumeric" and not code.is_micro
    assert int(code.version) <= 9 and code.error in ("M", "Q")
    short = make_seal(dataclasses.replace(FIELDS, kepala_keluarga="JOHN SMITH"),
                      shared_pki().seal.key)
    assert int(qr.make(short).version) <= 8


def test_a_vds_reader_finds_the_header_the_features_and_the_signature() -> None:
    raw = b45decode(make_seal(FIELDS, shared_pki().seal.key))
    assert raw[:2] == bytes((0xDC, 0x03))  # magic constant, VDS version 4
    assert vds.c40_decode(raw[2:4]) == "IDN"
    assert vds.c40_decode(raw[4:10]).startswith("IDKK03")
    assert raw[10:13] == raw[13:16] == (11272026).to_bytes(3, "big")  # MMDDYYYY
    parsed = vds.parse(raw)
    assert parsed.signed + bytes((0xFF, 0x40)) + parsed.signature == raw
    assert parsed.message.kepala_keluarga == FIELDS.kepala_keluarga
    assert parsed.cert_ref == vds.c40_decode(raw[4:10])[6:]


def test_the_icao_and_iso_examples() -> None:
    assert vds.header(dt.date(1957, 3, 25), "ABC")[10:13] == bytes.fromhex("319EF5")
    assert vds.c40("AIMAIMAIM") == bytes((91, 11, 91, 11, 91, 11))  # ISO/IEC 16022
    for text in ("", "A", "AB", "A-", "AB-", "O'NEIL, JR.", "VAN DER BERGHE-WILLIAMSON", "-"):
        assert vds.c40_decode(vds.c40(text)) == text


@pytest.mark.parametrize("name", ["JOSÉ ÁLVAREZ", "Ana", "李小龙"])
def test_names_outside_c40_travel_as_utf8(name: str) -> None:
    fields = dataclasses.replace(FIELDS, kepala_keluarga=name)
    assert open_seal(make_seal(fields, shared_pki().seal.key), shared_pki().seal.cert) == fields


def test_cards_printed_with_the_first_format_still_open() -> None:
    old = make_seal_v1(FIELDS, shared_pki().seal.key)
    assert old.startswith(PREFIX)
    assert open_seal(old, shared_pki().seal.cert) == FIELDS
    forged = make_seal_v1(FIELDS, shared_pki().other_seal.key)
    with pytest.raises(SealInvalid) as err:
        open_seal(forged, shared_pki().seal.cert)
    assert err.value.reason_id == "signature"


def test_the_same_card_gets_the_same_seal() -> None:
    assert make_seal(FIELDS, shared_pki().seal.key) == make_seal(FIELDS, shared_pki().seal.key)


def test_the_rfc_9285_examples_and_every_length_round_trip() -> None:
    assert b45encode(b"AB") == "BB8"
    assert b45encode(b"Hello!!") == "%69 VD92EX0"
    assert b45decode("QED8WEX0") == b"ietf!"
    for n in range(40):
        data = bytes(range(n))
        assert b45decode(b45encode(data)) == data


CHANGES = [
    {"register_no": "KKWNA-2026-0002"}, {"no_kk": "6305041211260009"},
    {"kepala_keluarga": "JOHN DOE"}, {"jumlah_anggota": 3},
    {"tanggal_terbit": dt.date(2026, 11, 28)}, {"family_digest": "A" * 22},
]


@pytest.mark.parametrize("change", CHANGES)
def test_a_payload_with_any_value_changed_fails(change: dict[str, object]) -> None:
    """Re-encode the signed bytes with one value changed but the original signature kept."""
    text = make_seal(FIELDS, shared_pki().seal.key)
    parsed = vds.parse(b45decode(text))
    changed = dataclasses.replace(FIELDS, **change)  # type: ignore[arg-type]
    forged_signed = signed_part(changed, parsed.cert_ref)
    assert forged_signed != parsed.signed
    forged = b45encode(forged_signed + vds.signature_zone(parsed.signature))
    with pytest.raises(SealInvalid) as err:
        open_seal(forged, shared_pki().seal.cert)
    assert err.value.reason_id == "signature"
    assert str(err.value) == REASONS["signature"]


@pytest.mark.parametrize("change", CHANGES)
def test_a_first_format_payload_with_any_value_changed_fails(change: dict[str, object]) -> None:
    from pipeline.signing import seal as seal_module

    text = make_seal_v1(FIELDS, shared_pki().seal.key)
    raw = b45decode(text[len(PREFIX):])
    signature = raw[-seal_module.SIGNATURE_BYTES:]
    forged_payload = seal_module._payload(dataclasses.replace(FIELDS, **change))  # type: ignore[arg-type]
    forged = PREFIX + b45encode(forged_payload + signature)
    with pytest.raises(SealInvalid) as err:
        open_seal(forged, shared_pki().seal.cert)
    assert err.value.reason_id == "signature"


def test_a_seal_made_with_another_key_fails() -> None:
    forged = make_seal(FIELDS, shared_pki().other_seal.key)
    with pytest.raises(SealInvalid) as err:
        open_seal(forged, shared_pki().seal.cert)
    assert err.value.reason_id == "signature"


def test_not_a_seal() -> None:
    truncated = make_seal(FIELDS, shared_pki().seal.key)[:-30]
    for text in ("https://contoh.invalid", PREFIX + "abc", PREFIX + "0" * 30, PREFIX,
                 VDS_PREFIX, VDS_PREFIX + "0" * 30, truncated, b45encode(b"\xdc\x03" * 40)):
        with pytest.raises(SealInvalid) as err:
            open_seal(text, shared_pki().seal.cert)
        assert err.value.reason_id == "format"


def test_damaged_seals_are_refused_not_crashed_on() -> None:
    import random

    raw = b45decode(make_seal(FIELDS, shared_pki().seal.key))
    rnd = random.Random(9303)
    for _ in range(400):
        damaged = bytearray(raw[:rnd.randrange(2, len(raw) + 1)])
        for _ in range(rnd.randrange(0, 4)):
            if len(damaged) > 2:
                damaged[rnd.randrange(2, len(damaged))] = rnd.randrange(256)
        if bytes(damaged) == raw:
            continue
        with pytest.raises(SealInvalid):
            open_seal(b45encode(bytes(damaged)), shared_pki().seal.cert)


def test_ed25519_keys_seal_too() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    text = make_seal(FIELDS, key)

    class _Cert:  # open_seal needs only the public key of the certificate
        def public_key(self) -> ed25519.Ed25519PublicKey:
            return key.public_key()

    assert open_seal(text, _Cert()) == FIELDS  # type: ignore[arg-type]


def test_family_digest_follows_every_printed_value_and_ignores_spelling() -> None:
    base = family_digest(FAMILY)
    assert len(base) == 22
    respelled = {**FAMILY, "alamat": "  jl.  datu nuraya no. 5 "}
    assert family_digest(respelled) == base  # prints the same after normalising
    changed_member = {**FAMILY, "anggota": [dict(FAMILY["anggota"][0], nik="6305041211260009"),
                                            FAMILY["anggota"][1]]}
    assert family_digest(changed_member) != base
    assert family_digest({**FAMILY, "rt": "3"}) != base
    assert family_digest({**FAMILY, "email": "x@contoh.id"}) == base  # e-mail is not printed
