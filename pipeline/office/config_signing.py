"""The signing and e-mail sections of kkwna.toml: `[tte]` (whom to trust, the head of
office's certificate, the seal, the timestamp authority) and `[email]` (step 9's delivery).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from pipeline.office.config_schema import key

BACKENDS = ("p12", "bsre")


def _web_address(url: str) -> str | None:
    if url and not re.match(r"https?://", url):
        return f'harus alamat http(s)://, bukan "{url}"'
    return None


def _digits(count: int) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        if value and not re.fullmatch(rf"\d{{{count}}}", value):
            return f"harus {count} angka, bukan \"{value}\""
        return None
    return check


def _above_zero(value: float) -> str | None:
    return None if value > 0 else f"harus detik lebih dari 0, bukan {value:g}"


@dataclass(frozen=True)
class ActingHead:
    """An acting head of office (Pelaksana Tugas, `[[tte.plt]]`): may sign from *mulai*
    to *sampai* inclusive, recognised by the certificate *cert* like the head."""

    nama: str
    nip: str = field(metadata=key(convert=lambda v: re.sub(r"\D", "", v), check=lambda v: None
                                  if len(v) == 18 else f"NIP harus 18 angka, bukan {len(v)}"))
    cert: Path
    mulai: date
    sampai: date
    nik: str = field(default="", metadata=key(check=_digits(16)))  # for the remote service

    def config_problems(self) -> list[tuple[str | None, str]]:
        return [("sampai", "sebelum mulai")] if self.sampai < self.mulai else []


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
    tsa_url: str = field(default="", metadata=key(check=_web_address))
    tsa_p12: Path | None = None
    allow_fetching: bool = False
    # the head's own key, for `kkwna serve` to sign with (its passphrase is typed each time)
    head_of_office_p12: Path | None = None
    backend: str = field(default="p12", metadata=key(choices=BACKENDS))
    # the head of office's NIK, for the remote TTE service
    head_nik: str = field(default="", metadata=key(check=_digits(16)))
    # base address of a BSrE-style TTE service
    bsre_url: str = field(default="", metadata=key(convert=lambda v: v.rstrip("/"),
                                                   check=_web_address))
    bsre_auth_file: Path | None = None  # "user:password" for its basic auth (chmod 600)
    # seconds for one whole request, answer included
    bsre_timeout: float = field(default=60.0, metadata=key(check=_above_zero))
    plt: tuple[ActingHead, ...] = ()  # [[tte.plt]]

    def config_problems(self) -> list[tuple[str | None, str]]:
        if self.backend == "bsre" and not self.bsre_url:
            return [("bsre_url", 'wajib diisi bila backend = "bsre"')]
        return []

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


@dataclass(frozen=True)
class EmailConfig:
    """Step 9 delivery by e-mail (`[email]`); an empty host means e-mail is off."""

    host: str = ""
    port: int = field(default=587, metadata=key(minimum=1, maximum=65535))
    security: str = field(default="starttls", metadata=key(choices=EMAIL_SECURITY))
    sender: str = ""
    username: str = ""  # defaults to the sender
    password_file: Path | None = None  # readable by its owner only
    # connecting and each SMTP command
    timeout_seconds: float = field(default=30.0, metadata=key(check=_above_zero))
    # one e-mail, start to end, however the server trickles
    deadline_seconds: float = field(default=120.0, metadata=key(check=_above_zero))
    # the first pause before a retry; doubled up to an hour
    retry_seconds: float = field(default=60.0, metadata=key(check=_above_zero))

    def config_problems(self) -> list[tuple[str | None, str]]:
        if self.host and "@" not in self.sender:
            return [("sender", "harus alamat e-mail bila host diisi")]
        return []

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    def resolved(self, home: Path) -> EmailConfig:
        """The same, with a relative password_file taken against *home*."""
        p = self.password_file
        return replace(self, password_file=None if p is None
                       else (p if p.is_absolute() else home / p))


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
    from pipeline.office.config_write import edit

    return edit(TTE_SECTION, {("tte", key): value for key, value in values.items()})
