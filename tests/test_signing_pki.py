"""`make_demo_pki`: what `kkwna init --demo` writes."""

from __future__ import annotations

import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pipeline.signing import keys
from pipeline.signing.pki import Person, make_demo_pki, tte_values


def test_demo_pki_files_subjects_and_usages(tmp_path: Path) -> None:
    pki = make_demo_pki(tmp_path / "tte", head_of_office=Person("Hj. RINA INDRIANI, ST",
                                                                "198203112005012017"),
                        head_of_division=Person("DEMO HJ. NOOR HIDAYAH, SE",
                                                "198005052005012005"),
                        office="Disdukcapil Kabupaten Tapin")
    for path in (pki.root_ca, pki.crl, pki.head_of_office_p12, pki.head_of_office_cert,
                 pki.head_of_division_p12, pki.seal_p12, pki.seal_cert, pki.tsa_p12,
                 pki.passphrase_file):
        assert path.is_absolute() and path.is_file()
    for secret in (pki.passphrase_file, pki.head_of_office_p12, pki.head_of_division_p12,
                   pki.seal_p12, pki.tsa_p12):
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    passphrase = keys.read_passphrase(pki.passphrase_file)
    assert len(passphrase) >= 24

    def load(path: Path) -> x509.Certificate:
        data = path.read_bytes()
        _, cert, _ = pkcs12.load_key_and_certificates(data, passphrase)
        assert cert is not None
        return cert

    head = load(pki.head_of_office_p12)
    cn = head.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert "DEMO" in str(cn) and "RINA INDRIANI" in str(cn)
    assert head.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value \
        == "NIP 198203112005012017"
    usage = head.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    division = load(pki.head_of_division_p12)
    assert "NOOR HIDAYAH" in str(division.subject)
    tsa = load(pki.tsa_p12)
    assert tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value \
        == x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING])
    for cert in (head, division, tsa, load(pki.seal_p12)):
        assert "DEMO" in cert.subject.rfc4514_string()
        assert "DEMO" in cert.issuer.rfc4514_string()
    root = x509.load_pem_x509_certificate(pki.root_ca.read_bytes())
    assert "DEMO" in root.subject.rfc4514_string()
    crl = x509.load_der_x509_crl(pki.crl.read_bytes())
    root_key = root.public_key()
    assert isinstance(root_key, rsa.RSAPublicKey)
    assert crl.is_signature_valid(root_key)
    # the passphrase is in its file only
    for path in pki.folder.iterdir():
        if path != pki.passphrase_file:
            assert passphrase not in path.read_bytes()
    # the pieces load as a trust store and a signer
    trust = keys.Trust.load([pki.root_ca], [pki.crl])
    signer = keys.load_signer(pki.head_of_office_p12, passphrase)
    assert keys.fingerprint(signer.signing_cert) == \
        keys.fingerprint(keys.load_certificate(pki.head_of_office_cert))
    assert len(trust.roots) == 1 and len(trust.crls) == 1
    values = tte_values(pki)
    assert values["trust_roots"] == [str(pki.root_ca)] and values["tsa_url"] == ""
