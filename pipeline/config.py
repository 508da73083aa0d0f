"""The office profile (kkwna.toml): who the office is, who works there, when it is open.

A bad or missing value stops the program with one line naming the key, e.g.
``kkwna.toml: service.open: expected a time HH:MM, got "8"``.
"""

from __future__ import annotations

import grp
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline import refdata, sop
from pipeline.config_archive import DEFAULT_CLASS, SERVICE, RecordsClass, _records, records_section

# the signing and e-mail sections live in their own module; these names stay public here
from pipeline.config_signing import EmailConfig as EmailConfig
from pipeline.config_signing import TteConfig as TteConfig
from pipeline.config_signing import _email, _tte
from pipeline.config_signing import tte_section as tte_section
from pipeline.errors import ConfigError as ConfigError

FILENAME = "kkwna.toml"
DAY_NAMES = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")


@dataclass(frozen=True)
class Officer:
    role: str
    nama: str
    nip: str  # digits only
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
    timezone: str
    jenis_wilayah: str  # refdata.KABUPATEN or refdata.KOTA

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

    country: str = "ID"  # the `holidays` library's country code; "" = none
    cuti_bersama: bool = False  # also the government's collective leave days


@dataclass(frozen=True)
class FilePolicy:
    """[files]: how the program's files may be opened by staff on a share.
    mode None: the umask decides; group "": the group the folder gives."""

    mode: int | None = None
    group: str = ""


@dataclass(frozen=True)
class OfficeContact:
    """How the office is reached, printed in the letterhead when given: [office]
    telepon, email, website, and lambang (the emblem image the office supplies, a PNG
    or JPEG, relative to the home folder; none is shipped). lambang_garuda: the Garuda
    Pancasila the final KK prints at its top left (the national emblem, not the
    regency's), an image of the same kind."""

    telepon: str = ""
    email: str = ""
    website: str = ""
    lambang: str = ""
    lambang_garuda: str = ""


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


# --- reading ------------------------------------------------------------------------------

# postal codes' first digits known by regency code (Tapin's are 711xx): the region list
# has none, so any other office states its own or any 5 digits pass
_KNOWN_POSTCODES = {"6305": ("711",)}

class _Reader:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def get(self, dotted: str, default: Any = ...) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                if default is ...:
                    raise ConfigError(f"{FILENAME}: {dotted}: missing")
                return default
            node = node[part]
        return node

    def text(self, dotted: str, default: Any = ...) -> str:
        value = self.get(dotted, default)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{FILENAME}: {dotted}: expected text, got {value!r}")
        return value.strip()

    def number(self, dotted: str, default: Any = ..., minimum: float = 0) -> float:
        value = self.get(dotted, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise ConfigError(f"{FILENAME}: {dotted}: expected a number >= {minimum}, "
                              f"got {value!r}")
        return float(value)

    def clock(self, dotted: str, default: Any = ...) -> time:
        value = self.get(dotted, default)
        m = re.fullmatch(r"(\d{2}):(\d{2})", str(value))
        if not m or int(m[1]) > 23 or int(m[2]) > 59:
            raise ConfigError(f'{FILENAME}: {dotted}: expected a time HH:MM, got "{value}"')
        return time(int(m[1]), int(m[2]))


def _contact(r: _Reader) -> OfficeContact:
    """[office] telepon, email, website, lambang, lambang_garuda: all optional text."""
    values = {}
    for key in ("telepon", "email", "website", "lambang", "lambang_garuda"):
        value = r.get(f"office.{key}", "")
        if not isinstance(value, str):
            raise ConfigError(f"{FILENAME}: office.{key}: expected text, got {value!r}")
        values[key] = value.strip()
    if values["email"] and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", values["email"]):
        raise ConfigError(f"{FILENAME}: office.email: not an e-mail address: "
                          f"{values['email']!r}")
    for key in ("lambang", "lambang_garuda"):
        if values[key] and not values[key].lower().endswith((".png", ".jpg", ".jpeg")):
            raise ConfigError(f"{FILENAME}: office.{key}: expected a .png or .jpg image, "
                              f"got {values[key]!r}")
    return OfficeContact(**values)


def _officer(raw: Any, index: int) -> Officer:
    key = f"officers[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{FILENAME}: {key}: expected a table")
    r = _Reader(raw)
    role = r.get("role", None)
    if role not in {x.key for x in sop.STAFF_ROLES}:
        names = ", ".join(x.key for x in sop.STAFF_ROLES)
        raise ConfigError(f"{FILENAME}: {key}.role: expected one of {names}, got {role!r}")
    for k in ("nama", "nip", "jabatan"):
        value = raw.get(k)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{FILENAME}: {key}.{k}: missing")
    nip = only_digits(raw["nip"])
    if len(nip) != 18:
        raise ConfigError(f"{FILENAME}: {key}.nip: a NIP has 18 digits, got {raw['nip']!r}")
    return Officer(role, raw["nama"].strip(), nip, raw["jabatan"].strip(),
                   bool(raw.get("demo", False)))


def _office_area(r: _Reader) -> refdata.OfficeArea:
    """[office] kode_wilayah (the regency, "63.05") and kode_pos_awalan (its postal codes'
    first digits, ["711"]): another regency's office runs kkwna by changing these. A
    kkwna.toml from before kode_wilayah names its regency by name (kabupaten, provinsi)."""
    code = r.get("office.kode_wilayah", None)
    if code is None:
        code = _code_named(r)
    if not isinstance(code, str) or not re.fullmatch(r"\d\d\.?\d\d", code.strip()):
        raise ConfigError(f"{FILENAME}: office.kode_wilayah: expected a regency code like "
                          f'"63.05", got {code!r}')
    regency = refdata.regency_code(code)
    if regency is None:
        raise ConfigError(f"{FILENAME}: office.kode_wilayah: {code} is not a regency or city "
                          "in the Kemendagri list")
    default = list(_KNOWN_POSTCODES.get(regency, ()))
    prefixes = r.get("office.kode_pos_awalan", default)
    if not isinstance(prefixes, list) or not all(
            isinstance(p, str) and re.fullmatch(r"\d{1,5}", p) for p in prefixes):
        raise ConfigError(f"{FILENAME}: office.kode_pos_awalan: expected a list of postal "
                          f'code beginnings like ["711"], got {prefixes!r}')
    return refdata.OfficeArea(regency=regency, postcode_prefixes=tuple(prefixes))


def _code_named(r: _Reader) -> str:
    """The code of the regency or city [office] kabupaten and provinsi name, when exactly
    one fits (the kind, if given, tells "Kabupaten Bekasi" from "Kota Bekasi")."""
    name, province = r.text("office.kabupaten"), r.text("office.provinsi")
    kind = r.get("office.jenis_wilayah", "")
    codes = refdata.regencies_named(f"{kind} {name}" if kind else name, province)
    if len(codes) != 1:
        raise ConfigError(f"{FILENAME}: office.kode_wilayah: missing, and {len(codes)} "
                          f"regencies or cities are named {name.title()} in "
                          f'{province.title()}: write its code, e.g. "63.05"')
    return codes[0]


def _area_kind(r: _Reader, area: refdata.OfficeArea) -> str:
    """[office] jenis_wilayah: "kabupaten" or "kota"; by default what the Kemendagri list
    calls the office's regency code ("63.71" is "Kota Banjarmasin")."""
    kind = r.get("office.jenis_wilayah", refdata.regency(area.regency).kind)
    kind = kind.strip().lower() if isinstance(kind, str) else kind  # "Kota" is meant too
    if kind not in refdata.AREA_KINDS:
        raise ConfigError(f"{FILENAME}: office.jenis_wilayah: expected "
                          f'{" or ".join(refdata.AREA_KINDS)}, got {kind!r}')
    return str(kind)


def parse_files(data: dict[str, Any]) -> FilePolicy:
    """[files] mode = "0664" (octal text, or a TOML octal number 0o664) and group = "name"."""
    r = _Reader(data)
    raw_mode = r.get("files.mode", None)
    mode: int | None = None
    if isinstance(raw_mode, str) and re.fullmatch(r"0?[0-7]{3}", raw_mode.strip()):
        mode = int(raw_mode.strip(), 8)
    elif isinstance(raw_mode, int) and not isinstance(raw_mode, bool):
        mode = raw_mode
    elif raw_mode is not None:
        raise ConfigError(f'{FILENAME}: files.mode: expected octal text such as "0664", '
                          f"got {raw_mode!r}")
    if mode is not None and (not 0 <= mode <= 0o777 or mode & 0o600 != 0o600):
        raise ConfigError(f"{FILENAME}: files.mode: the owner must read and write (0600 to "
                          f"0777), got {raw_mode!r}")
    group = r.get("files.group", "")
    if not isinstance(group, str):
        raise ConfigError(f"{FILENAME}: files.group: expected a group name, got {group!r}")
    group = group.strip()
    if group:
        try:
            grp.getgrnam(group)
        except KeyError:
            raise ConfigError(f"{FILENAME}: files.group: no group {group!r} on this "
                              f"computer") from None
    return FilePolicy(mode=mode, group=group)


def parse(data: dict[str, Any]) -> Config:
    r = _Reader(data)
    area = _office_area(r)
    office = Office(
        pemerintah=r.text("office.pemerintah"), dinas=r.text("office.dinas"),
        bidang=r.text("office.bidang"), kabupaten=r.text("office.kabupaten"),
        provinsi=r.text("office.provinsi"), kota=r.text("office.kota"),
        alamat=r.text("office.alamat"), kode_pos=r.text("office.kode_pos"),
        timezone=r.text("office.timezone", "Asia/Makassar"),
        jenis_wilayah=_area_kind(r, area),
    )
    try:
        ZoneInfo(office.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{FILENAME}: office.timezone: unknown time zone "
                          f"{office.timezone!r}") from None

    raw_officers = r.get("officers")
    if not isinstance(raw_officers, list) or not raw_officers:
        raise ConfigError(f"{FILENAME}: officers: expected a list of [[officers]]")
    officers = tuple(_officer(o, i) for i, o in enumerate(raw_officers))
    for role in sop.STAFF_ROLES:
        if not any(o.role == role.key for o in officers):
            raise ConfigError(f"{FILENAME}: officers: no officer with role {role.key!r}")

    open_at, close_at = r.clock("service.open", "08:00"), r.clock("service.close", "15:00")
    if close_at <= open_at:
        raise ConfigError(f"{FILENAME}: service.close: must be after service.open")
    day_names = r.get("service.working_days", list(DAY_NAMES[:5]))
    if not isinstance(day_names, list) or any(d not in DAY_NAMES for d in day_names):
        raise ConfigError(f"{FILENAME}: service.working_days: expected names from "
                          f"{', '.join(DAY_NAMES)}")
    holidays = set()
    for h in r.get("service.holidays", []):
        try:
            holidays.add(date.fromisoformat(str(h)))
        except ValueError:
            raise ConfigError(f"{FILENAME}: service.holidays: expected YYYY-MM-DD, "
                              f"got {h!r}") from None

    minutes = {}
    raw_minutes = r.get("sop.minutes", {})
    if not isinstance(raw_minutes, dict):
        raise ConfigError(f"{FILENAME}: sop.minutes: expected a table")
    for s in sop.STEPS:
        minutes[s.number] = r.number(f"sop.minutes.{s.number}", s.minutes) \
            if str(s.number) in raw_minutes else s.minutes
    for k in raw_minutes:
        if not str(k).isdigit() or int(k) not in minutes:
            raise ConfigError(f"{FILENAME}: sop.minutes.{k}: not an SOP step (1-11)")

    return Config(
        office=office, officers=officers, open_at=open_at, close_at=close_at,
        working_days=tuple(DAY_NAMES.index(d) for d in day_names),
        holidays=frozenset(holidays),
        stable_seconds=r.number("watch.stable_seconds", 2.0, minimum=0),
        rescan_seconds=r.number("watch.rescan_seconds", 30.0, minimum=1),
        max_file_mb=int(r.number("watch.max_file_mb", 300, minimum=1)),
        cases_per_odner=int(r.number("archive.cases_per_odner", 50, minimum=1)),
        minutes=minutes,
        area=area,
        calendar=_calendar(r),
        files=parse_files(data),
        contact=_contact(r),
        tte=_tte(r.get("tte", {})),
        email=_email(r.get("email", {})),
        records=_records(r.get("arsip", None)),
    )


def _supported_country(code: str) -> bool:
    """Does the holidays library know *code*? Indonesia (the default) it does, as the
    clock's tests show; only another code costs the library's import (~60 ms), which every
    command that loads kkwna.toml would otherwise pay."""
    if code == "ID":
        return True
    import holidays as holiday_library

    return code in holiday_library.list_supported_countries()


def _calendar(r: _Reader) -> Calendar:
    country = r.get("calendar.national_holidays", "ID")
    if not isinstance(country, str) or (country and not _supported_country(country.upper())):
        raise ConfigError(f"{FILENAME}: calendar.national_holidays: expected a country code "
                          f'such as "ID" (or "" for none), got {country!r}')
    cuti = r.get("calendar.cuti_bersama", False)
    if not isinstance(cuti, bool):
        raise ConfigError(f"{FILENAME}: calendar.cuti_bersama: expected true or false, "
                          f"got {cuti!r}")
    return Calendar(country=country.upper(), cuti_bersama=cuti)


def load(home: Path) -> Config:
    path = home / FILENAME
    if not path.is_file():
        raise ConfigError(f"{path}: not found; run `kkwna init` in the office folder first")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{FILENAME}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{FILENAME}: not UTF-8 text") from None
    return replace(parse(data), home=home)


DEFAULT = '''\
# Profil kantor kkwna: Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tapin.
# Sumber: Standar Pelayanan dan SOP 800/003-SOP/DUKCAPIL/2022 (revisi 1 Agustus 2022).

[office]
pemerintah = "PEMERINTAH KABUPATEN TAPIN"
dinas = "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL"
bidang = "BIDANG PENDAFTARAN PENDUDUK"
kabupaten = "TAPIN"          # nama kabupaten atau kota (tanpa kata "Kabupaten"/"Kota")
provinsi = "KALIMANTAN SELATAN"
kota = "Rantau"              # kota tempat kantor (tempat surat dan tanda tangan)
alamat = "Jl. Datu Nuraya, Kawasan Rantau Baru, Kelurahan Rantau Kiwa, Kecamatan Tapin Utara, Rantau"
kode_pos = "71111"
timezone = "Asia/Makassar"   # WITA: tahun register dan semua tanggal memakai zona ini
# Kabupaten atau kota yang dilayani kantor ini (kode Kemendagri): alamat keluarga
# (kecamatan, desa/kelurahan) dan No. KK harus di dalamnya; NIK boleh dari mana saja di
# Indonesia. Disdukcapil daerah lain mengubah baris pemerintah, kabupaten, kota, alamat,
# kode_pos dan dua baris ini, misalnya Kota Banjarmasin: kode_wilayah = "63.71",
# kabupaten = "BANJARMASIN", kode_pos_awalan = ["701", "702"].
kode_wilayah = "63.05"
kode_pos_awalan = ["711"]    # kode pos alamat diawali salah satu dari ini
# Jenis daerah: "kabupaten" atau "kota". Bawaan: menurut daftar Kemendagri untuk
# kode_wilayah (63.05 "Kabupaten Tapin", 63.71 "Kota Banjarmasin"). Semua dokumen, e-mail
# dan tanda tangan menyebut daerah ini "<Jenis> <kabupaten>": "Kabupaten Tapin".
# jenis_wilayah = "kabupaten"
# Dicetak di kop surat bila diisi (biarkan "" bila tidak ada):
telepon = ""                 # mis. "(0517) 31234"
email = ""                   # mis. "disdukcapil@tapinkab.go.id"
website = ""                 # mis. "disdukcapil.tapinkab.go.id"
lambang = ""                 # lambang daerah, berkas PNG atau JPEG di folder ini, mis. "lambang-tapin.png"
# Lambang Garuda Pancasila di kiri atas Kartu Keluarga (format nasional 2020), berkas PNG
# atau JPEG di folder ini, mis. "garuda-pancasila.png". Bila kosong, KK dicetak dengan
# kotak bertanda "tempat lambang Garuda Pancasila" dan `kkwna status` mengingatkannya.
lambang_garuda = ""

[service]
# "Diterima dari jam 08.00 s/d 15.00"; permohonan di luar jam ini tetap dibuka, ditandai
# "di luar jam layanan", dan waktu SOP-nya mulai pada jam buka berikutnya.
open = "08:00"
close = "15:00"
working_days = ["senin", "selasa", "rabu", "kamis", "jumat"]
holidays = []                # hari libur kantor sendiri, "YYYY-MM-DD" (libur nasional
                             # dari [calendar]); mis. cuti bersama yang diikuti kantor

[calendar]
national_holidays = "ID"     # negara yang hari libur nasionalnya menutup kantor ("" = tidak ada)
cuti_bersama = false         # true: hari cuti bersama pemerintah juga menutup kantor

[watch]
stable_seconds = 2           # berkas diambil setelah ukuran dan waktunya tidak berubah selama ini (detik)
rescan_seconds = 30          # pindai ulang inbox/ dan desks/ (folder jaringan bisa melewatkan kejadian)
max_file_mb = 300            # pindaian yang lebih besar (MB) dikarantina

[archive]
cases_per_odner = 50         # berkas kasus per odner

[files]
# Berkas yang ditulis program mendapat hak akses dari umask. Pada folder bersama tempat
# petugas membuka formulir dengan akun masing-masing, isi mode dan grup bersama mereka:
# mode = "0664"
# group = "dukcapil"

[sop.minutes]                # menit standar per langkah (mutu baku); bawaan: angka SOP
1 = 1
2 = 1
3 = 10
4 = 5
5 = 1
6 = 1
7 = 0.5
8 = 0.5
9 = 0.5
10 = 1
11 = 0.5

# Petugas per peran. Kepala Dinas adalah yang disebut SOP; yang lain petugas CONTOH
# (demo = true): ganti dengan petugas kantor yang sebenarnya.
[[officers]]
role = "kepala_dinas"
nama = "Hj. RINA INDRIANI, ST"
nip = "19820311 200501 2 017"
jabatan = "Kepala Dinas Kependudukan dan Pencatatan Sipil"

[[officers]]
role = "front_office"
nama = "DEMO FITRI HANDAYANI"
nip = "19900101 201503 2 001"
jabatan = "Front Office"
demo = true

[[officers]]
role = "verifikator"
nama = "DEMO AHMAD RIDUAN"
nip = "19880202 201403 1 002"
jabatan = "Verifikator"
demo = true

[[officers]]
role = "adm_siak"
nama = "DEMO SITI NURHALIZA"
nip = "19920303 201603 2 003"
jabatan = "Administrator SIAK Identitas Penduduk"
demo = true

[[officers]]
role = "analis"
nama = "DEMO MUHAMMAD YUSUF"
nip = "19850404 201001 1 004"
jabatan = "Jf. Analis Kebijakan Bidang Pendaftaran Penduduk"
demo = true

[[officers]]
role = "kepala_bidang"
nama = "DEMO HJ. NOOR HIDAYAH, SE"
nip = "19800505 200501 2 005"
jabatan = "Kepala Bidang Pendaftaran Penduduk"
demo = true

[[officers]]
role = "penyerahan"
nama = "DEMO RAHMAT HIDAYAT"
nip = "19950606 201903 1 006"
jabatan = "Petugas Penyerahan Dokumen"
demo = true
'''


DEFAULT += tte_section()
DEFAULT += '''
# Langkah 9: KK yang sudah ditandatangani dikirim ke alamat e-mail pemohon (dari data
# keluarga). host kosong berarti e-mail tidak dipakai.
[email]
host = ""                    # SMTP: server, mis. "smtp.example.go.id"
port = 587
security = "starttls"        # starttls | tls (langsung, biasanya port 465) | none
sender = ""                  # From: alamat pengirim, mis. "dukcapil@tapinkab.go.id"
username = ""                # login SMTP; kosong berarti alamat pengirim
password_file = ""           # kata sandi SMTP, dalam berkas yang hanya dapat dibaca pemiliknya (chmod 600)
# E-mail dikirim setelah langkah tercatat, di luar pekerjaan kantor: server yang lambat
# tidak pernah menahan perintah. Setiap e-mail berakhir setelah deadline_seconds; `kkwna
# watch` mencoba lagi setelah retry_seconds, lalu dua kali lebih lama, paling lama sejam.
timeout_seconds = 30         # menyambung dan tiap perintah SMTP (detik)
deadline_seconds = 120       # satu e-mail, dari awal sampai akhir (detik)
retry_seconds = 60           # jeda pertama sebelum mencoba lagi (detik)
'''
DEFAULT += records_section()
