"""The signing and e-mail sections of kkwna.toml: `[tte]` (whom to trust, the head of
office's certificate, the seal, the timestamp authority) and `[email]` (step 9's delivery).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError

FILENAME = "kkwna.toml"


TTE_KEYS = ("trust_roots", "crls", "head_of_office_cert", "seal_p12", "seal_cert",
            "passphrase_file", "tsa_url", "tsa_p12", "allow_fetching", "head_of_office_p12")


@dataclass(frozen=True)
class TteConfig:
    """Electronic signatures (`[tte]`): whom to trust, who the head of office is, the
    office seal and the timestamp authority. Paths as written; `resolved` makes them
    absolute against the home. Empty entries mean "not configured"."""

    trust_roots: tuple[Path, ...] = ()
    crls: tuple[Path, ...] = ()
    head_of_office_cert: Path | None = None
    seal_p12: Path | None = None
    seal_cert: Path | None = None
    passphrase_file: Path | None = None
    tsa_url: str = ""
    tsa_p12: Path | None = None
    allow_fetching: bool = False
    # the head's own key, for `kkwna serve` to sign with (its passphrase is typed each time)
    head_of_office_p12: Path | None = None

    @property
    def configured(self) -> bool:
        """Can a card be signed and checked at all: trust roots and the head's certificate."""
        return bool(self.trust_roots and self.head_of_office_cert)

    def resolved(self, home: Path) -> TteConfig:
        def fix(p: Path | None) -> Path | None:
            return None if p is None else (p if p.is_absolute() else home / p)

        return TteConfig(
            trust_roots=tuple(home / p if not p.is_absolute() else p for p in self.trust_roots),
            crls=tuple(home / p if not p.is_absolute() else p for p in self.crls),
            head_of_office_cert=fix(self.head_of_office_cert), seal_p12=fix(self.seal_p12),
            seal_cert=fix(self.seal_cert), passphrase_file=fix(self.passphrase_file),
            tsa_url=self.tsa_url, tsa_p12=fix(self.tsa_p12), allow_fetching=self.allow_fetching,
            head_of_office_p12=fix(self.head_of_office_p12),
        )


EMAIL_SECURITY = ("starttls", "tls", "none")


@dataclass(frozen=True)
class EmailConfig:
    """Step 9 delivery by e-mail (`[email]`); an empty host means e-mail is off."""

    host: str = ""
    port: int = 587
    security: str = "starttls"  # one of EMAIL_SECURITY
    sender: str = ""
    username: str = ""  # defaults to the sender
    password_file: Path | None = None  # readable by its owner only

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    def resolved(self, home: Path) -> EmailConfig:
        """The same, with a relative password_file taken against *home*."""
        p = self.password_file
        return EmailConfig(self.host, self.port, self.security, self.sender, self.username,
                           None if p is None else (p if p.is_absolute() else home / p))


def _tte(raw: Any) -> TteConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{FILENAME}: tte: expected a table")

    def path(key: str) -> Path | None:
        value = raw.get(key, "")
        if not isinstance(value, str):
            raise ConfigError(f"{FILENAME}: tte.{key}: expected a path, got {value!r}")
        return Path(value.strip()) if value.strip() else None

    def paths(key: str) -> tuple[Path, ...]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{FILENAME}: tte.{key}: expected a list of paths")
        return tuple(Path(v.strip()) for v in value if v.strip())

    url = raw.get("tsa_url", "")
    if not isinstance(url, str) or (url.strip() and not re.match(r"https?://", url.strip())):
        raise ConfigError(f"{FILENAME}: tte.tsa_url: expected an http(s):// address, "
                          f"got {url!r}")
    fetching = raw.get("allow_fetching", False)
    if not isinstance(fetching, bool):
        raise ConfigError(f"{FILENAME}: tte.allow_fetching: expected true or false")
    unknown = set(raw) - set(TTE_KEYS)
    if unknown:
        raise ConfigError(f"{FILENAME}: tte.{sorted(unknown)[0]}: unknown key")
    return TteConfig(
        trust_roots=paths("trust_roots"), crls=paths("crls"),
        head_of_office_cert=path("head_of_office_cert"), seal_p12=path("seal_p12"),
        seal_cert=path("seal_cert"), passphrase_file=path("passphrase_file"),
        tsa_url=url.strip(), tsa_p12=path("tsa_p12"), allow_fetching=fetching,
        head_of_office_p12=path("head_of_office_p12"),
    )


def _email(raw: Any) -> EmailConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{FILENAME}: email: expected a table")
    for key in raw:
        if key not in ("host", "port", "security", "sender", "username", "password_file"):
            raise ConfigError(f"{FILENAME}: email.{key}: unknown key")
    texts = {}
    for key in ("host", "sender", "username", "password_file"):
        value = raw.get(key, "")
        if not isinstance(value, str):
            raise ConfigError(f"{FILENAME}: email.{key}: expected text, got {value!r}")
        texts[key] = value.strip()
    port = raw.get("port", 587)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError(f"{FILENAME}: email.port: expected a port number, got {port!r}")
    security = raw.get("security", "starttls")
    if security not in EMAIL_SECURITY:
        raise ConfigError(f"{FILENAME}: email.security: expected one of "
                          f"{', '.join(EMAIL_SECURITY)}, got {security!r}")
    if texts["host"] and "@" not in texts["sender"]:
        raise ConfigError(f"{FILENAME}: email.sender: expected an e-mail address")
    return EmailConfig(host=texts["host"], port=port, security=security,
                       sender=texts["sender"], username=texts["username"],
                       password_file=Path(texts["password_file"]) if texts["password_file"]
                       else None)


def _toml_value(value: str | list[str] | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def tte_section(values: Mapping[str, str | list[str] | bool] | None = None) -> str:
    """The commented `[tte]` section of kkwna.toml; empty entries unless *values* fill
    them (`pipeline.signing.pki.tte_values` gives the demo PKI's)."""
    v: dict[str, str | list[str] | bool] = {
        "trust_roots": [], "crls": [], "head_of_office_cert": "", "seal_p12": "",
        "seal_cert": "", "passphrase_file": "", "tsa_url": "", "tsa_p12": "",
        "allow_fetching": False, "head_of_office_p12": "", **(values or {})}
    return f'''
# Electronic signatures (TTE) for step 8 and `kkwna verify`. Paths are relative to this
# folder unless absolute. Empty means not configured: signing and verifying then stop and
# say which entry is missing. `kkwna init --demo` fills them with a DEMO PKI.
[tte]
trust_roots = {_toml_value(v["trust_roots"])}        # root CA certificates (PEM/DER) a signature must chain to
crls = {_toml_value(v["crls"])}               # the CAs' revocation lists, embedded into each signed KK
head_of_office_cert = {_toml_value(v["head_of_office_cert"])}  # the head of office's certificate: a signer is recognised by its fingerprint
seal_p12 = {_toml_value(v["seal_p12"])}           # the office's electronic seal (segel elektronik) key for the KK's QR code
seal_cert = {_toml_value(v["seal_cert"])}          # its certificate, which `verify` checks a photographed QR code against
passphrase_file = {_toml_value(v["passphrase_file"])}    # passphrase of seal_p12 and tsa_p12; readable by its owner only (chmod 600)
tsa_url = {_toml_value(v["tsa_url"])}            # RFC 3161 timestamp authority; with one a signed KK is PAdES B-LTA, without B-LT
tsa_p12 = {_toml_value(v["tsa_p12"])}            # DEMO only: a timestamp authority run inside kkwna from this certificate
allow_fetching = {_toml_value(v["allow_fetching"])}     # may signing fetch revocation data from the CA over the network
head_of_office_p12 = {_toml_value(v["head_of_office_p12"])}   # the head of office's PKCS#12 for `kkwna serve` (step 8 in the browser); its passphrase is typed each time, never stored
'''
