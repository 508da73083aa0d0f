"""The signing and e-mail sections of kkwna.toml: `[tte]` (whom to trust, the head of
office's certificate, the seal, the timestamp authority) and `[email]` (step 9's delivery).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError

FILENAME = "kkwna.toml"


TTE_KEYS = ("trust_roots", "crls", "head_of_office_cert", "seal_p12", "seal_cert",
            "passphrase_file", "tsa_url", "tsa_p12", "allow_fetching", "head_of_office_p12",
            "backend", "head_nik", "bsre_url", "bsre_auth_file", "bsre_timeout", "plt")
BACKENDS = ("p12", "bsre")
PLT_KEYS = ("nama", "nip", "nik", "cert", "mulai", "sampai")


@dataclass(frozen=True)
class ActingHead:
    """An acting head of office (Pelaksana Tugas, `[[tte.plt]]`): may sign from *mulai*
    to *sampai* inclusive, recognised by the certificate *cert* like the head."""

    nama: str
    nip: str  # digits only
    cert: Path
    mulai: date
    sampai: date
    nik: str = ""  # for the remote TTE service


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
    backend: str = "p12"  # one of BACKENDS
    head_nik: str = ""  # the head of office's NIK, for the remote TTE service
    bsre_url: str = ""  # base address of a BSrE-style TTE service
    bsre_auth_file: Path | None = None  # "user:password" for its basic auth (chmod 600)
    bsre_timeout: float = 60.0  # seconds for one whole request, answer included
    plt: tuple[ActingHead, ...] = ()

    @property
    def configured(self) -> bool:
        """Can a card be signed and checked at all: trust roots and the head's certificate."""
        return bool(self.trust_roots and self.head_of_office_cert)

    def resolved(self, home: Path) -> TteConfig:
        def fix(p: Path | None) -> Path | None:
            return None if p is None else (p if p.is_absolute() else home / p)

        return dataclasses.replace(
            self,
            trust_roots=tuple(home / p if not p.is_absolute() else p for p in self.trust_roots),
            crls=tuple(home / p if not p.is_absolute() else p for p in self.crls),
            head_of_office_cert=fix(self.head_of_office_cert), seal_p12=fix(self.seal_p12),
            seal_cert=fix(self.seal_cert), passphrase_file=fix(self.passphrase_file),
            tsa_p12=fix(self.tsa_p12), bsre_auth_file=fix(self.bsre_auth_file),
            head_of_office_p12=fix(self.head_of_office_p12),
            plt=tuple(dataclasses.replace(a, cert=fix(a.cert) or a.cert) for a in self.plt),
        )


EMAIL_SECURITY = ("starttls", "tls", "none")
EMAIL_SECONDS = {"timeout_seconds": 30.0, "deadline_seconds": 120.0, "retry_seconds": 60.0}


@dataclass(frozen=True)
class EmailConfig:
    """Step 9 delivery by e-mail (`[email]`); an empty host means e-mail is off."""

    host: str = ""
    port: int = 587
    security: str = "starttls"  # one of EMAIL_SECURITY
    sender: str = ""
    username: str = ""  # defaults to the sender
    password_file: Path | None = None  # readable by its owner only
    timeout_seconds: float = 30.0  # connecting and each SMTP command
    deadline_seconds: float = 120.0  # one e-mail, start to end, however the server trickles
    retry_seconds: float = 60.0  # the first pause before a retry; doubled up to an hour

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    def resolved(self, home: Path) -> EmailConfig:
        """The same, with a relative password_file taken against *home*."""
        p = self.password_file
        return replace(self, password_file=None if p is None
                       else (p if p.is_absolute() else home / p))


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
    backend = raw.get("backend", "p12")
    if backend not in BACKENDS:
        raise ConfigError(f"{FILENAME}: tte.backend: expected one of {', '.join(BACKENDS)}, "
                          f"got {backend!r}")
    bsre_url = raw.get("bsre_url", "")
    if not isinstance(bsre_url, str) or (bsre_url.strip()
                                         and not re.match(r"https?://", bsre_url.strip())):
        raise ConfigError(f"{FILENAME}: tte.bsre_url: expected an http(s):// address, "
                          f"got {bsre_url!r}")
    if backend == "bsre" and not bsre_url.strip():
        raise ConfigError(f"{FILENAME}: tte.bsre_url: needed with backend = \"bsre\"")
    timeout = raw.get("bsre_timeout", 60)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(f"{FILENAME}: tte.bsre_timeout: expected seconds, got {timeout!r}")
    nik = raw.get("head_nik", "")
    if not isinstance(nik, str) or (nik and not re.fullmatch(r"\d{16}", nik.strip())):
        raise ConfigError(f"{FILENAME}: tte.head_nik: expected 16 digits, got {nik!r}")
    return TteConfig(
        trust_roots=paths("trust_roots"), crls=paths("crls"),
        head_of_office_cert=path("head_of_office_cert"), seal_p12=path("seal_p12"),
        seal_cert=path("seal_cert"), passphrase_file=path("passphrase_file"),
        tsa_url=url.strip(), tsa_p12=path("tsa_p12"), allow_fetching=fetching,
        head_of_office_p12=path("head_of_office_p12"),
        backend=backend, head_nik=nik.strip(), bsre_url=bsre_url.strip().rstrip("/"),
        bsre_auth_file=path("bsre_auth_file"), bsre_timeout=float(timeout),
        plt=_acting_heads(raw.get("plt", [])),
    )


def _acting_heads(raw: Any) -> tuple[ActingHead, ...]:
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise ConfigError(f"{FILENAME}: tte.plt: expected [[tte.plt]] tables")
    found = []
    for i, r in enumerate(raw):
        key = f"tte.plt[{i}]"
        unknown = set(r) - set(PLT_KEYS)
        if unknown:
            raise ConfigError(f"{FILENAME}: {key}.{sorted(unknown)[0]}: unknown key")
        for name in ("nama", "nip", "cert"):
            if not isinstance(r.get(name), str) or not r[name].strip():
                raise ConfigError(f"{FILENAME}: {key}.{name}: needed")
        for name in ("mulai", "sampai"):
            if not isinstance(r.get(name), date):
                raise ConfigError(f"{FILENAME}: {key}.{name}: expected a date "
                                  f"(2026-12-01), got {r.get(name)!r}")
        if r["sampai"] < r["mulai"]:
            raise ConfigError(f"{FILENAME}: {key}: sampai is before mulai")
        nip = re.sub(r"\D", "", r["nip"])
        if len(nip) != 18:
            raise ConfigError(f"{FILENAME}: {key}.nip: expected 18 digits")
        found.append(ActingHead(nama=r["nama"].strip(), nip=nip, cert=Path(r["cert"].strip()),
                                mulai=r["mulai"], sampai=r["sampai"],
                                nik=str(r.get("nik", "")).strip()))
    return tuple(found)


def _email(raw: Any) -> EmailConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{FILENAME}: email: expected a table")
    for key in raw:
        if key not in ("host", "port", "security", "sender", "username", "password_file",
                       *EMAIL_SECONDS):
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
    seconds = {}
    for key, default in EMAIL_SECONDS.items():
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ConfigError(f"{FILENAME}: email.{key}: expected seconds (a number above 0), "
                              f"got {value!r}")
        seconds[key] = float(value)
    return EmailConfig(host=texts["host"], port=port, security=security,
                       sender=texts["sender"], username=texts["username"],
                       password_file=Path(texts["password_file"]) if texts["password_file"]
                       else None, **seconds)


# The [tte] section as `kkwna init` writes it, every entry empty; its values are literal
# here and any other value is set by tomlkit (`config_write.edit`), never by our escaping.
TTE_SECTION = '''
# Tanda tangan elektronik (TTE) untuk langkah 8 dan `kkwna verify`. Path relatif terhadap
# folder ini kecuali absolut. Kosong berarti belum diatur: penandatanganan dan pemeriksaan
# berhenti dan menyebut isian yang kurang. `kkwna init --demo` mengisinya dengan PKI DEMO.
[tte]
trust_roots = []        # sertifikat CA akar (PEM/DER) tempat tanda tangan harus berantai
crls = []               # daftar pencabutan (CRL) CA, disematkan ke setiap KK bertanda tangan
head_of_office_cert = ""  # sertifikat Kepala Dinas: penanda tangan dikenali dari sidik jarinya
seal_p12 = ""           # kunci segel elektronik kantor untuk kode QR pada KK
seal_cert = ""          # sertifikatnya, untuk memeriksa kode QR dari foto kartu (`verify`)
passphrase_file = ""    # kata sandi seal_p12 dan tsa_p12; hanya dapat dibaca pemiliknya (chmod 600)
tsa_url = ""            # otoritas cap waktu RFC 3161; dengannya KK menjadi PAdES B-LTA, tanpanya B-LT
tsa_p12 = ""            # khusus DEMO: otoritas cap waktu di dalam kkwna dengan sertifikat ini
allow_fetching = false     # boleh mengambil data pencabutan dari CA lewat jaringan saat menandatangani
head_of_office_p12 = ""   # berkas PKCS#12 Kepala Dinas untuk `kkwna serve` (langkah 8 di browser); kata sandinya diketik tiap kali, tidak disimpan
backend = "p12"            # "p12": ditandatangani di sini dengan berkas PKCS#12; "bsre": oleh layanan TTE BSrE
head_nik = ""              # NIK Kepala Dinas yang ditandatangani layanan TTE (backend = "bsre")
bsre_url = ""              # alamat layanan TTE, mis. "https://esign.example.go.id"
bsre_auth_file = ""        # "user:password" untuk basic auth layanan; hanya dapat dibaca pemiliknya
bsre_timeout = 60          # detik paling lama untuk satu permintaan tanda tangan
# Pelaksana tugas (Plt.) menandatangani dalam masa jabatannya, dikenali dari sertifikatnya:
# [[tte.plt]]
# nama = "Drs. NAMA PLT"
# nip = "197001012000031001"
# cert = "plt.pem"
# nik = ""                 # untuk backend = "bsre"
# mulai = 2026-12-01
# sampai = 2026-12-31
'''


def tte_section(values: Mapping[str, str | list[str] | bool] | None = None) -> str:
    """The commented `[tte]` section of kkwna.toml; empty entries unless *values* fill
    them (`pipeline.signing.pki.tte_values` gives the demo PKI's)."""
    if not values:
        return TTE_SECTION
    from pipeline.config_write import edit

    return edit(TTE_SECTION, {("tte", key): value for key, value in values.items()})
