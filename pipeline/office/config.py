"""The office profile (kkwna.toml): who the office is, who works there, when it is open.

The settings are frozen dataclasses read by one loader (`config_schema.read`): the field
types and `key(...)` metadata are the schema. Bad or missing values stop the program with
one Indonesian line per problem naming the table and key, e.g.
``kkwna.toml [service] open: harus jam JJ:MM seperti "08:00", bukan "8"``.
"""

from __future__ import annotations

import grp
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.domain import refdata, sop
from pipeline.office.config_archive import DEFAULT_CLASS as DEFAULT_CLASS
from pipeline.office.config_archive import SERVICE, RecordsClass, records

# the template (config_default) and the signing and e-mail sections (config_signing) live
# in their own modules; these names stay public here
from pipeline.office.config_default import DEFAULT as DEFAULT
from pipeline.office.config_schema import Invalid, Problems, key, read
from pipeline.office.config_services import ServiceSop, service_sops

if TYPE_CHECKING:
    from pipeline.services.base import Service
from pipeline.domain.errors import ConfigError as ConfigError
from pipeline.office.config_signing import EmailConfig as EmailConfig
from pipeline.office.config_signing import TteConfig as TteConfig
from pipeline.office.config_signing import tte_section as tte_section

FILENAME = "kkwna.toml"
DAY_NAMES = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")


@dataclass(frozen=True)
class Officer:
    role: str = field(metadata=key(choices=tuple(r.key for r in sop.STAFF_ROLES)))
    nama: str
    nip: str = field(metadata=key(convert=lambda v: only_digits(v), check=lambda v: None if len(
        v) == 18 else f"NIP harus 18 angka, bukan {len(v)}"))  # digits only
    jabatan: str
    demo: bool = False

    @property
    def nip_display(self) -> str:
        return format_nip(self.nip)


@dataclass(frozen=True)
class Office:
    pemerintah: str
    dinas: str
    bidang: str
    kabupaten: str  # the name of the office's kabupaten or kota: "TAPIN", "BANJARMASIN"
    provinsi: str
    kota: str  # the town the office stands in (the place of its letters and signatures)
    alamat: str
    kode_pos: str
    timezone: str = field(default="Asia/Makassar", metadata=key(check=lambda v: _zone_problem(v)))
    # refdata.KABUPATEN or refdata.KOTA; "" in the file: what the Kemendagri list calls the
    # office's regency code ("63.71" is "Kota Banjarmasin"), filled in by `parse`
    jenis_wilayah: str = field(default="", metadata=key(convert=str.lower,
                                                        choices=refdata.AREA_KINDS))

    @property
    def wilayah(self) -> str:
        """The office's area as every document, e-mail and signature names it:
        "Kabupaten Tapin", "Kota Banjarmasin" (upper-case it for a letterhead)."""
        return f"{self.jenis_wilayah.title()} {self.kabupaten.title()}"

    @property
    def nama(self) -> str:
        """The office's full name in a sentence or a letter's closing: "Dinas
        Kependudukan dan Pencatatan Sipil Kota Banjarmasin"."""
        return f"{title_case(self.dinas)} {self.wilayah}"


# words Indonesian titles keep in small letters inside a name (PUEBI: "Dinas Kependudukan
# dan Pencatatan Sipil"); str.title() would write "Dan"
_SMALL_WORDS = frozenset({"dan", "di", "ke", "dari", "yang", "untuk", "atau", "pada",
                          "dengan", "bagi", "oleh", "serta", "tentang", "dalam", "atas"})


def title_case(text: str) -> str:
    """A name written in capitals in kkwna.toml, as a sentence writes it:
    "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL" -> "Dinas Kependudukan dan Pencatatan Sipil"."""
    return " ".join(w.lower() if i and w.lower() in _SMALL_WORDS else w[:1].upper()
                    + w[1:].lower() for i, w in enumerate(text.split()))


@dataclass(frozen=True)
class Calendar:
    """Which national days off close the office, on top of service.holidays."""

    # the `holidays` library's country code; "" = none
    country: str = field(default="ID", metadata=key(
        "national_holidays", convert=str.upper, check=lambda v: _country_problem(v)))
    cuti_bersama: bool = False  # also the government's collective leave days


@dataclass(frozen=True)
class FilePolicy:
    """[files]: how the program's files may be opened by staff on a share.
    mode None: the umask decides; group "": the group the folder gives."""

    mode: int | None = field(default=None, metadata=key(parse=lambda v: _octal_mode(v)))
    group: str = field(default="", metadata=key(check=lambda v: _group_problem(v)))


@dataclass(frozen=True)
class OfficeContact:
    """How the office is reached, printed in the letterhead when given: [office]
    telepon, email, website, and lambang (the emblem image the office supplies, a PNG
    or JPEG, relative to the home folder; none is shipped). lambang_garuda: the Garuda
    Pancasila the final KK prints at its top left (the national emblem, not the
    regency's), an image of the same kind."""

    telepon: str = ""
    email: str = field(default="", metadata=key(check=lambda v: _email_problem(v)))
    website: str = ""
    lambang: str = field(default="", metadata=key(check=lambda v: _image_problem(v)))
    lambang_garuda: str = field(default="", metadata=key(check=lambda v: _image_problem(v)))


@dataclass(frozen=True)
class Config:
    office: Office
    officers: tuple[Officer, ...]
    open_at: time
    close_at: time
    working_days: tuple[int, ...]  # Monday = 0
    holidays: frozenset[date]
    stable_seconds: float
    rescan_seconds: float
    max_file_mb: int
    cases_per_odner: int
    # the office's own regency: addresses and No. KK must lie in it ([office] kode_wilayah)
    area: refdata.OfficeArea
    minutes: dict[int, float] = field(default_factory=dict)
    calendar: Calendar = field(default_factory=Calendar)
    files: FilePolicy = field(default_factory=FilePolicy)
    contact: OfficeContact = field(default_factory=OfficeContact)
    home: Path | None = None  # the folder kkwna.toml was read from (lambang is relative to it)
    tte: TteConfig = field(default_factory=TteConfig)
    email: EmailConfig = field(default_factory=EmailConfig)
    # [arsip.<layanan>]: classification and retention per service (config_archive)
    records: tuple[RecordsClass, ...] = (DEFAULT_CLASS,)
    # [layanan.<code>]: a service's SOP as the office gives it (config_services)
    service_sops: tuple[ServiceSop, ...] = ()

    def service_sop(self, service: str) -> ServiceSop:
        """What the office says of *service*'s SOP (nothing, by default)."""
        return next((s for s in self.service_sops if s.layanan == service), ServiceSop(service))

    def sop_of(self, service: Service) -> tuple[str, date | None]:
        """The SOP *service* follows here, number and the date in force: the office's own
        words in [layanan.<code>] first, else the service's (None: a date not known)."""
        given = self.service_sop(service.code)
        return (given.nomor_sop or service.sop_number,
                given.tanggal_sop or service.sop_revised or service.sop_date)

    def records_class(self, service: str = SERVICE) -> RecordsClass:
        """The classification and retention the office set for *service*."""
        return next((r for r in self.records if r.layanan == service), DEFAULT_CLASS)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.office.timezone)

    def officers_for(self, role: str) -> list[Officer]:
        return [o for o in self.officers if o.role == role]

    def head_of_office(self) -> Officer:
        return self.officers_for("kepala_dinas")[0]

    def officer(self, nip: str, role: str | None = None) -> Officer | None:
        digits = only_digits(nip)
        for o in self.officers:
            if o.nip == digits and (role is None or o.role == role):
                return o
        return None

    def office_data(self) -> dict[str, str]:
        """The office as the document layouts see it."""
        head = self.head_of_office()
        o = self.office
        return {
            "pemerintah": o.pemerintah, "dinas": o.dinas, "bidang": o.bidang,
            "kabupaten": o.kabupaten, "provinsi": o.provinsi, "kota": o.kota,
            "alamat": f"{o.alamat} {o.kode_pos}", "kode_pos": o.kode_pos,
            "kepala_dinas_nama": head.nama, "kepala_dinas_nip": head.nip_display,
            "jabatan_kepala": f"KEPALA {o.dinas} {o.wilayah}".upper(),
            "wilayah": o.wilayah, "kode_wilayah": self.area.regency,
            "telepon": self.contact.telepon, "email": self.contact.email,
            "website": self.contact.website, "lambang": self.lambang_path(),
            "lambang_garuda": self.garuda_path(),
        }

    def lambang_path(self) -> str:
        """The emblem's path (absolute when the home is known), or "" when none is set.
        Whether the file exists is the renderer's business: a missing emblem leaves the
        letterhead without it and a warning in the log."""
        return self._in_home(self.contact.lambang)

    def garuda_path(self) -> str:
        """The Garuda Pancasila image's path for the KK, as `lambang_path`."""
        return self._in_home(self.contact.lambang_garuda)

    def _in_home(self, name: str) -> str:
        if not name:
            return ""
        return str(self.home / name) if self.home is not None else name


def only_digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def format_nip(nip: str) -> str:
    """18-digit NIP as printed: ``19820311 200501 2 017``."""
    d = only_digits(nip)
    if len(d) != 18:
        return nip
    return f"{d[:8]} {d[8:14]} {d[14]} {d[15:]}"


# --- the checks the schema's fields name ---------------------------------------------------

def _zone_problem(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f'zona waktu tidak dikenal: "{name}"'
    return None


def _supported_country(code: str) -> bool:
    """Does the holidays library know *code*? Indonesia (the default) it does, as the
    clock's tests show; only another code costs the library's import (~60 ms), which every
    command that loads kkwna.toml would otherwise pay."""
    if code == "ID":
        return True
    import holidays as holiday_library

    return code in holiday_library.list_supported_countries()


def _country_problem(code: str) -> str | None:
    if code and not _supported_country(code):
        return f'harus kode negara seperti "ID" (atau "" untuk tidak ada), bukan "{code}"'
    return None


def _octal_mode(raw: Any) -> int:
    """[files] mode = "0664" (octal text) or a TOML octal number 0o664; the owner must
    read and write."""
    if isinstance(raw, str) and re.fullmatch(r"0?[0-7]{3}", raw.strip()):
        mode = int(raw.strip(), 8)
    elif isinstance(raw, int) and not isinstance(raw, bool):
        mode = raw
    else:
        raise Invalid(f'harus angka oktal seperti "0664", bukan {raw!r}')
    if not 0 <= mode <= 0o777 or mode & 0o600 != 0o600:
        raise Invalid(f"pemilik harus dapat membaca dan menulis (0600 sampai 0777), "
                      f"bukan {raw!r}")
    return mode


def _group_problem(group: str) -> str | None:
    if group:
        try:
            grp.getgrnam(group)
        except KeyError:
            return f'tidak ada grup "{group}" di komputer ini'
    return None


def _email_problem(address: str) -> str | None:
    if address and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
        return f'bukan alamat e-mail: "{address}"'
    return None


def _image_problem(name: str) -> str | None:
    if name and not name.lower().endswith((".png", ".jpg", ".jpeg")):
        return f'harus gambar .png atau .jpg, bukan "{name}"'
    return None


# --- reading: each table by the one loader (config_schema), the rest checked here ----------

# postal codes' first digits known by regency code (Tapin's are 711xx): the region list
# has none, so any other office states its own or any 5 digits pass
_KNOWN_POSTCODES = {"6305": ("711",)}
TABLES = ("office", "service", "calendar", "watch", "archive", "files", "sop", "officers",
          "tte", "email", "arsip", "layanan")


def _code_shape(code: str) -> str | None:
    if not re.fullmatch(r"\d\d\.?\d\d", code):
        return f'harus kode kabupaten/kota seperti "63.05", bukan "{code}"'
    if refdata.regency_code(code) is None:
        return f"{code} bukan kabupaten atau kota dalam daftar Kemendagri"
    return None


def _postcode_beginnings(prefixes: tuple[str, ...]) -> str | None:
    bad = [p for p in prefixes if not re.fullmatch(r"\d{1,5}", p)]
    return f'harus awal kode pos seperti ["711"], bukan "{bad[0]}"' if bad else None


@dataclass(frozen=True)
class _AreaKeys:
    """[office] kode_wilayah (the regency, "63.05") and kode_pos_awalan (its postal codes'
    first digits, ["711"]): another regency's office runs kkwna by changing these."""

    kode_wilayah: str = field(default="", metadata=key(check=_code_shape))
    kode_pos_awalan: tuple[str, ...] | None = field(
        default=None, metadata=key(check=_postcode_beginnings))


@dataclass(frozen=True)
class _Service:
    """[service]: opening hours, working days and the office's own days off."""

    open: time = time(8)
    close: time = time(15)
    working_days: tuple[str, ...] = field(default=DAY_NAMES[:5],
                                          metadata=key(choices=DAY_NAMES))
    holidays: tuple[date, ...] = ()

    def config_problems(self) -> list[tuple[str | None, str]]:
        return [("close", "harus sesudah open")] if self.close <= self.open else []


@dataclass(frozen=True)
class _Watch:
    stable_seconds: float = field(default=2.0, metadata=key(minimum=0))
    rescan_seconds: float = field(default=30.0, metadata=key(minimum=1))
    max_file_mb: int = field(default=300, metadata=key(minimum=1))


@dataclass(frozen=True)
class _Archive:
    cases_per_odner: int = field(default=50, metadata=key(minimum=1))


def _office_area(keys: _AreaKeys, raw: dict[str, Any], problems: Problems
                 ) -> refdata.OfficeArea:
    """The regency of [office] kode_wilayah; a kkwna.toml from before kode_wilayah names
    it by name (kabupaten, provinsi) and the one regency of that name is taken."""
    code = keys.kode_wilayah or _code_named(raw, problems)
    regency = refdata.regency_code(code) if code else None
    if regency is None:
        return refdata.OfficeArea(regency="", postcode_prefixes=())
    prefixes = keys.kode_pos_awalan
    if prefixes is None:
        prefixes = _KNOWN_POSTCODES.get(regency, ())
    return refdata.OfficeArea(regency=regency, postcode_prefixes=tuple(prefixes))


def _code_named(raw: dict[str, Any], problems: Problems) -> str:
    """The code of the regency or city [office] kabupaten and provinsi name, when exactly
    one fits (the kind, if given, tells "Kabupaten Bekasi" from "Kota Bekasi")."""
    name, province = raw.get("kabupaten"), raw.get("provinsi")
    if not isinstance(name, str) or not isinstance(province, str):
        return ""  # their own problems are reported
    kind = raw.get("jenis_wilayah", "")
    codes = refdata.regencies_named(f"{kind} {name}" if kind else name, province)
    if len(codes) != 1:
        problems.add("[office]", "kode_wilayah",
                     f"tidak diisi, dan {len(codes)} kabupaten/kota bernama {name.title()} "
                     f'di {province.title()}: tulis kodenya, mis. "63.05"')
        return ""
    return codes[0]


def _minutes(raw: Any, problems: Problems) -> dict[int, float]:
    """[sop.minutes]: the standard minutes of each step, the SOP's by default."""
    minutes = {s.number: s.minutes for s in sop.STEPS}
    if not isinstance(raw, dict):
        problems.add("[sop.minutes]", None, "harus tabel")
        return minutes
    for k, value in raw.items():
        if not str(k).isdigit() or int(k) not in minutes:
            problems.add("[sop.minutes]", str(k), f"bukan langkah SOP (1-{len(minutes)})")
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.add("[sop.minutes]", str(k), f"harus angka >= 0, bukan {value!r}")
        else:
            minutes[int(k)] = float(value)
    return minutes


def _officers(raw: Any, problems: Problems) -> tuple[Officer, ...]:
    if not isinstance(raw, list) or not raw:
        problems.add("[[officers]]", None, "wajib ada: satu tabel [[officers]] per petugas")
        return ()
    before = len(problems.lines)
    officers = tuple(read(Officer, o, f"[[officers]] ke-{i + 1}", problems)
                     for i, o in enumerate(raw))
    if len(problems.lines) > before:  # a bad role is reported, not a missing one as well
        return officers
    missing = [f'"{r.key}"' for r in sop.STAFF_ROLES if not any(o.role == r.key
                                                                 for o in officers)]
    if missing:
        problems.add("[[officers]]", None, f"tidak ada petugas dengan role {', '.join(missing)}")
    return officers


def parse(data: dict[str, Any]) -> Config:
    """The settings of a kkwna.toml read by tomllib; ConfigError naming every problem,
    one line each."""
    p = Problems()
    for name in data:
        if name not in TABLES:
            p.add(f"[{name}]", None, "tabel tidak dikenal")
    raw_office = data.get("office", {})
    office = read(Office, raw_office, "[office]", p, others=(OfficeContact, _AreaKeys))
    contact = read(OfficeContact, raw_office, "[office]", p, others=None)
    area_keys = read(_AreaKeys, raw_office, "[office]", p, others=None)
    area = _office_area(area_keys, raw_office if isinstance(raw_office, dict) else {}, p)
    if not office.jenis_wilayah and area.regency:  # what the Kemendagri list calls it
        office = replace(office, jenis_wilayah=refdata.regency(area.regency).kind)
    hours = read(_Service, data.get("service", {}), "[service]", p)
    watch = read(_Watch, data.get("watch", {}), "[watch]", p)
    archive = read(_Archive, data.get("archive", {}), "[archive]", p)
    raw_sop = data.get("sop", {})
    if not isinstance(raw_sop, dict) or set(raw_sop) - {"minutes"}:
        p.add("[sop]", None, "hanya berisi tabel [sop.minutes]")
    minutes = _minutes(raw_sop.get("minutes", {}) if isinstance(raw_sop, dict) else {}, p)
    cfg = Config(
        office=office, officers=_officers(data.get("officers"), p),
        open_at=hours.open, close_at=hours.close,
        working_days=tuple(DAY_NAMES.index(d) for d in hours.working_days if d in DAY_NAMES),
        holidays=frozenset(hours.holidays),
        stable_seconds=watch.stable_seconds, rescan_seconds=watch.rescan_seconds,
        max_file_mb=watch.max_file_mb, cases_per_odner=archive.cases_per_odner,
        minutes=minutes, area=area,
        calendar=read(Calendar, data.get("calendar", {}), "[calendar]", p),
        files=read(FilePolicy, data.get("files", {}), "[files]", p),
        contact=contact,
        tte=read(TteConfig, data.get("tte", {}), "[tte]", p),
        email=read(EmailConfig, data.get("email", {}), "[email]", p),
        records=records(data.get("arsip"), p),
        service_sops=service_sops(data.get("layanan"), p),
    )
    p.raise_any()
    return cfg


def load(home: Path) -> Config:
    path = home / FILENAME
    if not path.is_file():
        raise ConfigError(f"{path}: tidak ada; jalankan `kkwna init` di folder kantor dulu")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{FILENAME}: bukan TOML yang sah: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{FILENAME}: bukan teks UTF-8") from None
    return replace(parse(data), home=home)
