"""Certificates for signing: a demonstration PKI made with `cryptography`, and PKCS#12 files.

`make_demo_pki` builds what `kkwna init --demo` needs so the whole flow runs at once: a
root CA, the signing certificates of the head of office and the head of division
(digitalSignature + nonRepudiation), the office's electronic seal (segel elektronik, an
ECDSA P-256 key whose short signatures fit a QR code), a timestamping certificate (RSA:
pyHanko's in-process timestamp authority signs with RSA only) and the CA's CRL. Every
subject says DEMO. The PKCS#12 files share one random passphrase, kept in a file only
its owner may read.

`DemoCA` is the same machinery for tests: other roots, expired and revoked certificates.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pipeline.office.fsutil import atomic_write_bytes, atomic_writer

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
DEMO_CRL_URL = "http://kkwna-demo.invalid/demo-root-ca.crl"  # never fetched: the CRL is local
UTC = dt.UTC


@dataclass(frozen=True)
class Person:
    """Whom a signing certificate names: the officer's name and NIP (from kkwna.toml)."""

    nama: str
    nip: str


@dataclass(frozen=True)
class Issued:
    """A certificate and its private key."""

    cert: x509.Certificate
    key: PrivateKey


@dataclass(frozen=True)
class DemoPKI:
    """Absolute paths of the demonstration PKI's files."""

    folder: Path
    root_ca: Path  # PEM certificate: the trust root
    crl: Path  # DER CRL of the root CA
    head_of_office_p12: Path
    head_of_office_cert: Path  # PEM: the certificate kkwna.toml names as the head of office
    head_of_division_p12: Path
    seal_p12: Path
    seal_cert: Path  # PEM: what `verify` of a photographed card checks the QR against
    tsa_p12: Path
    passphrase_file: Path


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str, *, organisation: str, serial: str | None = None) -> x509.Name:
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if serial:
        parts.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    return x509.Name(parts)


def _usage(*, signing: bool = False, ca: bool = False,
           non_repudiation: bool | None = None) -> x509.KeyUsage:
    commitment = signing if non_repudiation is None else non_repudiation
    return x509.KeyUsage(
        digital_signature=signing, content_commitment=commitment, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
        encipher_only=False, decipher_only=False,
    )


class DemoCA:
    """A root certificate authority that issues signing, seal and timestamp certificates."""

    def __init__(self, common_name: str, *, organisation: str, now: dt.datetime | None = None,
                 years: int = 10, crl_url: str = DEMO_CRL_URL) -> None:
        self.now = now or dt.datetime.now(UTC)
        self.organisation = organisation
        self.crl_url = crl_url
        self.key: PrivateKey = _rsa()
        name = _name(common_name, organisation=organisation)
        ski = x509.SubjectKeyIdentifier.from_public_key(self.key.public_key())
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - dt.timedelta(days=1))
            .not_valid_after(self.now + dt.timedelta(days=365 * years))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_usage(ca=True), critical=True)
            .add_extension(ski, critical=False)
            .sign(self.key, hashes.SHA256())
        )

    def _issue(self, key: PrivateKey, subject: x509.Name, *, not_before: dt.datetime,
               not_after: dt.datetime, eku: x509.ObjectIdentifier | None = None,
               non_repudiation: bool = True) -> Issued:
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject).issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(signing=True, non_repudiation=non_repudiation), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                self.key.public_key()), critical=False)
            .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(self.crl_url)], relative_name=None,
                reasons=None, crl_issuer=None)]), critical=False)
        )
        if eku is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage([eku]), critical=True)
        return Issued(builder.sign(self.key, hashes.SHA256()), key)

    def issue_signer(self, person: Person, *, title: str = "", days: int = 730,
                     not_before: dt.datetime | None = None,
                     not_after: dt.datetime | None = None,
                     non_repudiation: bool = True) -> Issued:
        """A personal signing certificate (digitalSignature + nonRepudiation; tests can
        leave nonRepudiation out)."""
        start = not_before or self.now - dt.timedelta(hours=1)
        end = not_after or self.now + dt.timedelta(days=days)
        cn = f"DEMO {person.nama}" if "DEMO" not in person.nama.upper() else person.nama
        if title:
            cn = f"{cn} ({title})"
        subject = _name(cn, organisation=self.organisation, serial=f"NIP {person.nip}")
        return self._issue(_rsa(), subject, not_before=start, not_after=end,
                           non_repudiation=non_repudiation)

    def issue_seal(self, office: str, *, days: int = 730) -> Issued:
        """The office's electronic seal: an ECDSA P-256 key (64-byte signatures)."""
        subject = _name(f"DEMO Segel Elektronik {office}", organisation=self.organisation)
        return self._issue(ec.generate_private_key(ec.SECP256R1()), subject,
                           not_before=self.now - dt.timedelta(hours=1),
                           not_after=self.now + dt.timedelta(days=days))

    def issue_tsa(self, *, years: int = 10) -> Issued:
        """A timestamping certificate (extended key usage timeStamping, critical)."""
        subject = _name("DEMO Timestamp Authority", organisation=self.organisation)
        return self._issue(_rsa(), subject, not_before=self.now - dt.timedelta(hours=1),
                           not_after=self.now + dt.timedelta(days=365 * years),
                           eku=ExtendedKeyUsageOID.TIME_STAMPING)

    def crl(self, revoked: Iterable[x509.Certificate] = (), *, days: int = 730,
            at: dt.datetime | None = None) -> x509.CertificateRevocationList:
        """The CA's revocation list, listing *revoked* as revoked at *at* (default now)."""
        when = at or self.now
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.cert.subject)
            .last_update(when).next_update(when + dt.timedelta(days=days))
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                self.key.public_key()), critical=False)
            .add_extension(x509.CRLNumber(1), critical=False)
        )
        for cert in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(cert.serial_number)
                .revocation_date(when).build())
        return builder.sign(self.key, hashes.SHA256())


def p12_bytes(issued: Issued, chain: Iterable[x509.Certificate], passphrase: bytes,
              friendly_name: str) -> bytes:
    """A PKCS#12 archive of the key, its certificate and *chain*, encrypted with *passphrase*."""
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode("utf-8"), issued.key, issued.cert, list(chain),
        serialization.BestAvailableEncryption(passphrase))


def write_private_file(path: Path, data: bytes) -> None:
    """Create *path* readable by its owner only (mode 0600) before a byte is written."""
    with atomic_writer(path, mode=0o600) as fh:
        fh.write(data)


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def make_demo_pki(folder: Path, *, head_of_office: Person, head_of_division: Person,
                  office: str) -> DemoPKI:
    """Create the demonstration PKI in *folder* (made if missing) and return its paths.

    *office* names the demo CA and seal ("Disdukcapil Kota Banjarmasin").
    Existing files of the same names are replaced. The passphrase is random, written
    only to the passphrase file (mode 0600) and never printed.
    """
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    org = f"DEMO {office}"
    ca = DemoCA(f"DEMO Root CA {office}", organisation=org)
    head = ca.issue_signer(head_of_office, title="Kepala Dinas")
    division = ca.issue_signer(head_of_division, title="Kepala Bidang")
    seal = ca.issue_seal(office)
    tsa = ca.issue_tsa()
    passphrase = secrets.token_urlsafe(24).encode("ascii")

    pki = DemoPKI(
        folder=folder, root_ca=folder / "demo-root-ca.pem", crl=folder / "demo-root-ca.crl",
        head_of_office_p12=folder / "demo-kepala-dinas.p12",
        head_of_office_cert=folder / "demo-kepala-dinas.pem",
        head_of_division_p12=folder / "demo-kepala-bidang.p12",
        seal_p12=folder / "demo-segel-elektronik.p12",
        seal_cert=folder / "demo-segel-elektronik.pem",
        tsa_p12=folder / "demo-tsa.p12", passphrase_file=folder / "passphrase.txt",
    )
    write_private_file(pki.passphrase_file, passphrase + b"\n")
    for path, issued, name in (
        (pki.head_of_office_p12, head, "kepala-dinas"),
        (pki.head_of_division_p12, division, "kepala-bidang"),
        (pki.seal_p12, seal, "segel-elektronik"),
        (pki.tsa_p12, tsa, "tsa"),
    ):
        write_private_file(path, p12_bytes(issued, [ca.cert], passphrase, name))
    atomic_write_bytes(pki.root_ca, pem(ca.cert))
    atomic_write_bytes(pki.head_of_office_cert, pem(head.cert))
    atomic_write_bytes(pki.seal_cert, pem(seal.cert))
    atomic_write_bytes(pki.crl, ca.crl().public_bytes(serialization.Encoding.DER))
    return pki


def tte_values(pki: DemoPKI) -> dict[str, str | list[str]]:
    """The `[tte]` entries of kkwna.toml for the demo PKI (see config.tte_section)."""
    return {
        "trust_roots": [str(pki.root_ca)],
        "crls": [str(pki.crl)],
        "head_of_office_cert": str(pki.head_of_office_cert),
        "seal_p12": str(pki.seal_p12),
        "seal_cert": str(pki.seal_cert),
        "passphrase_file": str(pki.passphrase_file),
        "tsa_url": "",
        "tsa_p12": str(pki.tsa_p12),
        "head_of_office_p12": str(pki.head_of_office_p12),
    }
