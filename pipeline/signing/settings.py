"""The `[tte]` section of kkwna.toml turned into what signing and verifying need.

Each helper stops with one Indonesian line naming the kkwna.toml entry to fill in when
it is empty. Pass a `TteConfig` already `resolved(home)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography import x509
from pyhanko.sign.timestamps import TimeStamper

from pipeline.office.config import TteConfig
from pipeline.signing.keys import (
    SigningError,
    Trust,
    fingerprint,
    in_process_timestamper,
    load_certificate,
    load_private_key,
    read_passphrase,
    remote_timestamper,
)


def _need(value: Any, key: str) -> Any:
    if not value:
        raise SigningError(f"kkwna.toml: tte.{key} belum diisi")
    return value


def trust(tte: TteConfig) -> Trust:
    """The trust roots and CRLs."""
    return Trust.load(_need(tte.trust_roots, "trust_roots"), tte.crls,
                      allow_fetching=tte.allow_fetching)


def head_of_office_sha256(tte: TteConfig) -> str:
    """Fingerprint of the configured head of office's certificate."""
    return fingerprint(load_certificate(_need(tte.head_of_office_cert, "head_of_office_cert")))


def timestamper(tte: TteConfig) -> TimeStamper | None:
    """The timestamp authority: tsa_url if set, else the in-process one from tsa_p12
    (demo), else None (signatures are then B-LT)."""
    if tte.tsa_url:
        return remote_timestamper(tte.tsa_url)
    if tte.tsa_p12 is not None:
        passphrase = read_passphrase(_need(tte.passphrase_file, "passphrase_file"))
        return in_process_timestamper(tte.tsa_p12, passphrase)
    return None


def seal_key(tte: TteConfig) -> Any:
    """The office seal's private key (for `seal.make_seal`)."""
    passphrase = read_passphrase(_need(tte.passphrase_file, "passphrase_file"))
    return load_private_key(_need(tte.seal_p12, "seal_p12"), passphrase)


def seal_certificate(tte: TteConfig | None = None, path: Path | None = None) -> x509.Certificate:
    """The seal certificate (for `seal.open_seal` / `verify_image`): from *path* (a
    `verify --seal-cert` option outside a home) or from tte.seal_cert."""
    chosen = path if path is not None else _need(tte.seal_cert if tte else None, "seal_cert")
    cert = load_certificate(chosen)
    return x509.load_der_x509_certificate(cert.dump())
