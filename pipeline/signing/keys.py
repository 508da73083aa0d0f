"""Key material in, safely: passphrase files, PKCS#12 archives, trust roots, timestamping.

A passphrase lives only in memory: it is read from a file its owner alone may read,
handed to the PKCS#12 loader and never put into a message, a log or an exception.
"""

from __future__ import annotations

import functools
import hashlib
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import cms as asn1_cms
from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign import signers
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from pipeline.domain.errors import KkwnaError


class SigningError(KkwnaError):
    """Signing or checking could not go on; str() is one Indonesian line saying what to do
    (a user error: the CLI prints it and exits 1)."""


def read_passphrase(path: Path) -> bytes:
    """The passphrase in *path* (one line; the line break is not part of it).

    Refused when the file can be read by its group or by others, like ssh refuses a
    private key that others can read.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningError(f"berkas kata sandi tidak ditemukan: {path}") from None
    except OSError as exc:
        raise SigningError(f"berkas kata sandi tidak dapat dibaca: {path} "
                           f"({exc.strerror})") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SigningError(f"berkas kata sandi {path} dapat dibaca pengguna lain; "
                           f"batasi dulu dengan `chmod 600 {path}`")
    passphrase = data.rstrip(b"\r\n")
    if not passphrase:
        raise SigningError(f"berkas kata sandi {path} kosong")
    return passphrase


def _load_p12_parts(path: Path, passphrase: bytes) -> tuple[Any, Any, list[Any]]:
    """The key, certificate and chain of a PKCS#12 file. Opening one is slow on purpose (the
    passphrase is stretched): `kkwna sign --all` opens the same file once per process."""
    try:
        st = Path(path).stat()
    except OSError:
        st = None
    if st is None:
        return _read_p12(path, passphrase)
    return _cached_p12(str(Path(path).resolve()), st.st_mtime_ns, st.st_size, passphrase)


@functools.lru_cache(maxsize=8)
def _cached_p12(path: str, mtime_ns: int, size: int,
                passphrase: bytes) -> tuple[Any, Any, list[Any]]:
    return _read_p12(Path(path), passphrase)


def forget_opened_keys() -> None:
    """Drop the opened PKCS#12 files (and the passphrases they were opened with) from
    memory: a long-running server calls it after each request, so a passphrase lives only
    for the request that typed it."""
    _cached_p12.cache_clear()


def _read_p12(path: Path, passphrase: bytes) -> tuple[Any, Any, list[Any]]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningError(f"berkas sertifikat {path} tidak dapat dibaca "
                           f"({exc.strerror})") from None
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError:
        # the loader's message may echo internals; never the passphrase, but keep it plain
        raise SigningError(f"{Path(path).name}: kata sandi salah atau berkas bukan "
                           f"PKCS#12 (.p12)") from None
    if key is None or cert is None:
        raise SigningError(f"{Path(path).name}: berkas PKCS#12 tanpa kunci atau sertifikat")
    return key, cert, list(extra)


class HeldKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, signing with the key object opened from the PKCS#12 file.

    SimpleSigner keeps the key as DER and parses it again for every signature it makes;
    for an RSA key that parse checks the key (~30 ms), which was most of a B-LTA card's
    signing time. The key is opened once (`load_signer`) and used as it is; a mechanism
    other than RSA PKCS#1 v1.5 or ECDSA goes through pyHanko's own path."""

    def __init__(self, *, private_key: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._held_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algo = mechanism.signature_algo
        except ValueError:
            algo = mechanism["algorithm"].native
        key, digest = self._held_key, get_pyca_cryptography_hash(digest_algorithm)
        if algo == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
            return key.sign(data, PKCS1v15(), digest)
        if algo == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
            return key.sign(data, ECDSA(digest))
        return bytes(super().sign_raw(data, digest_algorithm))


class HeldKeyTimeStamper(DummyTimeStamper):
    """The in-process (demo) TSA, signing its tokens with the key object opened once: like
    SimpleSigner, pyHanko's DummyTimeStamper parses its DER key for every token (three per
    B-LTA card). The body is DummyTimeStamper._sign_tst_info's, with the held key."""

    def __init__(self, *, private_key: RSAPrivateKey, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._held_key = private_key

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str,
                       dt: datetime) -> tuple[bytes, asn1_cms.CMSAttributes]:
        from asn1crypto import core
        from pyhanko.sign import general

        attribute: Any = general.simple_cms_attribute  # unannotated in pyHanko
        md = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        md.update(tst_info_data)
        signed_attrs = asn1_cms.CMSAttributes([
            attribute("content_type", "tst_info"),
            attribute("signing_time", asn1_cms.Time({"utc_time": core.UTCTime(dt)})),
            attribute("signing_certificate", general.as_signing_certificate(self.tsa_cert)),
            attribute("message_digest", md.finalize()),
        ])
        signature = self._held_key.sign(signed_attrs.dump(), PKCS1v15(),
                                        get_pyca_cryptography_hash(md_algorithm.upper()))
        return signature, signed_attrs


def load_signer(path: Path, passphrase: bytes) -> signers.SimpleSigner:
    """A pyHanko signer from a PKCS#12 file (its chain included), signing with the key
    opened from the file (`HeldKeySigner`)."""
    key, cert, extra = _load_p12_parts(path, passphrase)
    key_der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    chain = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
             for c in extra]
    signer_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    return HeldKeySigner(
        private_key=key,
        signing_cert=signer_cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=_store(chain),
    )


def _store(certs: list[asn1_x509.Certificate]) -> Any:
    # pyHanko's registry constructor is unannotated; Any keeps strict typing quiet
    registry: Any = SimpleCertificateStore
    return registry.from_certs(certs)


def load_private_key(path: Path, passphrase: bytes) -> Any:
    """The `cryptography` private key of a PKCS#12 file (e.g. the office seal)."""
    return _load_p12_parts(path, passphrase)[0]


def _der_objects(path: Path) -> list[bytes]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningError(f"berkas {path} tidak dapat dibaca ({exc.strerror})") from None
    if asn1_pem.detect(data):
        return [der for _, _, der in asn1_pem.unarmor(data, multiple=True)]
    return [data]


def load_certificates(path: Path) -> list[asn1_x509.Certificate]:
    """Every certificate in a PEM or DER file."""
    try:
        certs = [asn1_x509.Certificate.load(der) for der in _der_objects(path)]
        for c in certs:
            _ = c.subject  # parse now, so a bad file fails here
    except ValueError:
        raise SigningError(f"{Path(path).name}: bukan sertifikat X.509") from None
    return certs


def load_certificate(path: Path) -> asn1_x509.Certificate:
    certs = load_certificates(path)
    if len(certs) != 1:
        raise SigningError(f"{Path(path).name}: harus berisi tepat satu sertifikat")
    return certs[0]


def fingerprint(cert: asn1_x509.Certificate) -> str:
    """SHA-256 of the certificate's DER bytes, lower-case hex: how a signer is recognised."""
    return hashlib.sha256(cert.dump()).hexdigest()


@dataclass(frozen=True)
class Trust:
    """Whom to trust: root certificates, the CAs' CRLs, intermediate certificates.

    With ``allow_fetching`` pyHanko may fetch revocation data from the network while
    signing; checking a signed file never does (its validation data is embedded).
    """

    roots: tuple[asn1_x509.Certificate, ...]
    crls: tuple[asn1_crl.CertificateList, ...] = ()
    intermediates: tuple[asn1_x509.Certificate, ...] = ()
    allow_fetching: bool = False

    @classmethod
    def load(cls, roots: Sequence[Path], crls: Sequence[Path] = (),
             intermediates: Sequence[Path] = (), allow_fetching: bool = False) -> Trust:
        if not roots:
            raise SigningError("belum ada sertifikat akar terpercaya (tte.trust_roots di "
                               "kkwna.toml)")
        loaded_crls: list[asn1_crl.CertificateList] = []
        for path in crls:
            try:
                loaded_crls.extend(asn1_crl.CertificateList.load(der) for der in _der_objects(path))
                _ = loaded_crls[-1]["tbs_cert_list"]["issuer"].native
            except ValueError:
                raise SigningError(f"{Path(path).name}: bukan CRL") from None
        return cls(
            roots=tuple(c for p in roots for c in load_certificates(p)),
            crls=tuple(loaded_crls),
            intermediates=tuple(c for p in intermediates for c in load_certificates(p)),
            allow_fetching=allow_fetching,
        )

    def context(self, *, moment: datetime | None = None, fetch: bool = False,
                extra_crls: Sequence[Any] = (), extra_ocsps: Sequence[Any] = (),
                extra_certs: Sequence[Any] = ()) -> ValidationContext:
        """A pyHanko validation context; revocation data is required for every certificate."""
        return ValidationContext(
            trust_roots=list(self.roots),
            other_certs=[*self.intermediates, *extra_certs],
            crls=[*self.crls, *extra_crls],
            ocsps=list(extra_ocsps),
            allow_fetching=fetch and self.allow_fetching,
            revocation_mode="hard-fail",
            moment=moment,
        )


def in_process_timestamper(tsa_p12: Path, passphrase: bytes) -> TimeStamper:
    """A timestamp authority run in this process from a TSA certificate (the demo's)."""
    key, cert, extra = _load_p12_parts(tsa_p12, passphrase)
    key_der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    chain = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
             for c in extra]
    if not isinstance(key, RSAPrivateKey):
        raise SigningError(f"{Path(tsa_p12).name}: TSA dalam proses hanya mendukung kunci RSA")
    try:
        return HeldKeyTimeStamper(
            private_key=key,
            tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(key_der),
            certs_to_embed=_store(chain),
        )
    except NotImplementedError:
        raise SigningError(f"{Path(tsa_p12).name}: TSA dalam proses hanya mendukung kunci RSA") \
            from None


def remote_timestamper(url: str) -> TimeStamper:
    """An RFC 3161 timestamp authority reached over HTTP(S)."""
    from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper
    return HTTPTimeStamper(url)
