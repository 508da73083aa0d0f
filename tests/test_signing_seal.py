"""The QR seal: compact enough for a standard QR code, and any change to a printed value
or a payload signed by another key fails."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric import ed25519

from pipeline.signing.seal import (
    PREFIX,
    REASONS,
    SealFields,
    SealInvalid,
    b45decode,
    b45encode,
    family_digest,
    make_seal,
    open_seal,
)
from tests.signing_pki import FAMILY, shared_pki

FIELDS = SealFields(register_no="KKWNA-2026-0001", no_kk="6305041211260001",
                    kepala_keluarga="ALEXANDER CHRISTOPHER MONTGOMERY-WILLIAMSON",
                    jumlah_anggota=10, tanggal_terbit=dt.date(2026, 11, 27),
                    family_digest=family_digest(FAMILY))


def test_seal_round_trips_and_fits_a_standard_qr_code() -> None:
    text = make_seal(FIELDS, shared_pki().seal.key)
    assert text.startswith(PREFIX) and len(text) <= 300
    assert open_seal(text, shared_pki().seal.cert) == FIELDS
    qr = segno.make(text, error="m", micro=False)
    assert qr.mode == "alphanumeric" and not qr.is_micro and int(qr.version) <= 12


def test_the_rfc_9285_examples_and_every_length_round_trip() -> None:
    assert b45encode(b"AB") == "BB8"
    assert b45encode(b"Hello!!") == "%69 VD92EX0"
    assert b45decode("QED8WEX0") == b"ietf!"
    for n in range(40):
        data = bytes(range(n))
        assert b45decode(b45encode(data)) == data


@pytest.mark.parametrize("change", [
    {"register_no": "KKWNA-2026-0002"}, {"no_kk": "6305041211260009"},
    {"kepala_keluarga": "JOHN DOE"}, {"jumlah_anggota": 3},
    {"tanggal_terbit": dt.date(2026, 11, 28)}, {"family_digest": "A" * 22},
])
def test_a_payload_with_any_value_changed_fails(change: dict[str, object]) -> None:
    """Re-encode the signed bytes with one value changed but the original signature kept."""
    from pipeline.signing import seal as seal_module

    text = make_seal(FIELDS, shared_pki().seal.key)
    raw = b45decode(text[len(PREFIX):])
    signature = raw[-seal_module.SIGNATURE_BYTES:]
    forged_payload = seal_module._payload(dataclasses.replace(FIELDS, **change))  # type: ignore[arg-type]
    forged = PREFIX + b45encode(forged_payload + signature)
    with pytest.raises(SealInvalid) as err:
        open_seal(forged, shared_pki().seal.cert)
    assert err.value.reason_id == "signature"
    assert str(err.value) == REASONS["signature"]


def test_a_seal_made_with_another_key_fails() -> None:
    forged = make_seal(FIELDS, shared_pki().other_seal.key)
    with pytest.raises(SealInvalid) as err:
        open_seal(forged, shared_pki().seal.cert)
    assert err.value.reason_id == "signature"


def test_not_a_seal() -> None:
    for text in ("https://contoh.invalid", PREFIX + "abc", PREFIX + "0" * 30, PREFIX):
        with pytest.raises(SealInvalid) as err:
            open_seal(text, shared_pki().seal.cert)
        assert err.value.reason_id == "format"


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
