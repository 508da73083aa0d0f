"""Reference data printed on a KK: the SIAK value lists and Indonesia's region codes.

Everything comes from the CSV files shipped as package data in ``pipeline/data/``
(copied from ``shared/data``; sources and licence in ``pipeline/data/README.md``):

- ``wilayah-indonesia.csv``: every Kemendagri region code in force (3.5 MB, 91,600
  rows). It is read only when a region is first asked for, and then only what is
  needed: the set of all district codes (for a NIK, which may come from anywhere),
  and the districts and villages of one regency at a time (for the address and the
  No. KK, which belong to the office's own regency).
- ``wilayah-lama.csv``: district codes retired since 2018; a NIK issued under one of
  them keeps it for life.
- the value lists (``agama.csv`` ...) and ``singkatan.csv``, the short forms staff
  type ("S1", "Katolik") with the official value each stands for.

Region codes in the files are dotted (``63.05.04``, ``63.05.04.1004``); this module
hands them out as plain digits, the way they appear in a NIK or a No. KK: regency
``6305``, district (kecamatan) ``630504``, village (desa/kelurahan) ``6305041004``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType

JENIS_KELAMIN: tuple[str, ...] = ("LAKI-LAKI", "PEREMPUAN")

#: the value lists by name (the CSV file name without ``.csv``; "jenis-kelamin" is built in)
LIST_NAMES: tuple[str, ...] = (
    "agama",
    "pendidikan",
    "pekerjaan",
    "hubungan-keluarga",
    "golongan-darah",
    "status-perkawinan",
    "jenis-kelamin",
)

_NATIONAL_FILE = "wilayah-indonesia.csv"
_RETIRED_FILE = "wilayah-lama.csv"
_SHORT_FORMS_FILE = "singkatan.csv"
# a district row of the national file: "63.05.04,Tapin Utara,kecamatan"
_DISTRICT_LINE = re.compile(r"^(\d\d)\.(\d\d)\.(\d\d),[^\n]*,kecamatan\r?$", re.MULTILINE)


#: the two kinds of area a Disdukcapil serves (``[office] jenis_wilayah``)
KABUPATEN, KOTA = "kabupaten", "kota"
AREA_KINDS: tuple[str, ...] = (KABUPATEN, KOTA)


class UnknownRegion(KeyError):
    """A region code that is not in the Kemendagri list (message in Indonesian)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class OfficeArea:
    """Where an office issues KKs: its regency and (optionally) the postal codes there.

    ``regency`` is the 4-digit Kemendagri code (``6305``). ``postcode_prefixes``: an
    address's postal code must start with one of them; empty means any 5 digits (the
    region list has no postal codes, so the office states its own in ``kkwna.toml``).
    """

    regency: str
    postcode_prefixes: tuple[str, ...]


@dataclass(frozen=True)
class Regency:
    """One regency (kabupaten) or city (kota) with its districts and villages."""

    code: str  # 4 digits
    name: str  # "Kabupaten Tapin"
    province: str  # "Kalimantan Selatan"
    districts: Mapping[str, str] = field(default_factory=dict)  # 6 digits -> name
    villages: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # 6 -> 10 -> name

    @property
    def dotted(self) -> str:
        return f"{self.code[:2]}.{self.code[2:]}"

    @property
    def kind(self) -> str:
        """"kota" for a city, "kabupaten" for a regency: the list names each one so
        ("Kota Banjarmasin", "Kota Administrasi Jakarta Pusat", "Kabupaten Tapin")."""
        return KOTA if self.name.startswith("Kota ") else KABUPATEN


def _text(filename: str) -> str:
    data = resources.files("pipeline").joinpath("data", filename).read_text(encoding="utf-8")
    return data.lstrip("\ufeff")


def _rows(filename: str) -> list[dict[str, str]]:
    return [
        {k.strip(): (v or "").strip() for k, v in row.items() if k}
        for row in csv.DictReader(io.StringIO(_text(filename)))
    ]


def fold(text: str) -> str:
    """The form used to compare names: case-folded, single spaces, no outer spaces."""
    return " ".join(str(text).split()).casefold()


def digits(code: str) -> str:
    """A region code without its dots: ``63.05.04`` -> ``630504``."""
    return str(code).strip().replace(".", "")


# --------------------------------------------------------------------------- value lists


@cache
def value_list(name: str) -> tuple[str, ...]:
    """The values of list *name* (see LIST_NAMES), in their SIAK order, upper case."""
    if name not in LIST_NAMES:
        raise KeyError(f"unknown value list {name!r}; known: {', '.join(LIST_NAMES)}")
    if name == "jenis-kelamin":
        return JENIS_KELAMIN
    rows = _rows(f"{name}.csv")
    rows.sort(key=lambda r: int(r["kode"]) if r["kode"].isdigit() else 0)
    return tuple(r["nama"].upper() for r in rows if r["nama"])


def _key(text: str) -> str:
    """What a typed value is compared by: capitals, no spaces, dots or underscores."""
    return re.sub(r"[\s._]+", "", str(text)).upper()


@cache
def _short_forms() -> Mapping[str, Mapping[str, str]]:
    table: dict[str, dict[str, str]] = {name: {} for name in LIST_NAMES}
    for name in LIST_NAMES:
        for value in value_list(name):
            table[name][_key(value)] = value
    for row in _rows(_SHORT_FORMS_FILE):
        name, short, value = row["daftar"], row["singkatan"], row["nilai"]
        if name not in table or value not in value_list(name):
            raise ValueError(f"{_SHORT_FORMS_FILE}: {row!r}: unknown list or value")
        table[name].setdefault(_key(short), value)
    return MappingProxyType({k: MappingProxyType(v) for k, v in table.items()})


# "A RH+", "AB POSITIF", "O (-)", "B NEG", "0+": a blood group with its rhesus factor
_BLOOD = re.compile(
    r"(AB|A|B|O|0)(?:RH(?:ESUS)?)?\(?(\+|-|POS(?:ITIF|ITIVE)?|NEG(?:ATIF|ATIVE)?)?\)?"
)


def canonical(name: str, text: str) -> str | None:
    """The official value of list *name* that *text* stands for, or None.

    Accepts the official spelling in any case and spacing, and the short forms of
    ``singkatan.csv`` ("S1" -> "DIPLOMA IV/STRATA I", "Katolik" -> "KATHOLIK"); blood
    groups also with the rhesus factor written out ("A RH+", "O NEGATIF").
    """
    key = _key(text)
    found = _short_forms()[name].get(key)
    if found is None and name == "golongan-darah":
        m = _BLOOD.fullmatch(key)
        if m:
            group = "O" if m.group(1) == "0" else m.group(1)
            sign = m.group(2) or ""
            found = group + ("+" if sign.startswith(("+", "P")) else "-" if sign else "")
    return found


# --------------------------------------------------------------------------- regions


@cache
def _national_text() -> str:
    return _text(_NATIONAL_FILE)


@cache
def _district_codes() -> frozenset[str]:
    """Every district code in force, plus those retired since 2018 (6 digits each)."""
    current = {"".join(m.groups()) for m in _DISTRICT_LINE.finditer(_national_text())}
    retired = {digits(r["kode"]) for r in _rows(_RETIRED_FILE) if r["tingkat"] == "kecamatan"}
    return frozenset(current | retired)


@cache
def _retired_districts() -> Mapping[str, str]:
    """Retired district code -> the last year's list that had it."""
    return MappingProxyType(
        {
            digits(r["kode"]): r.get("terakhir_tercatat", "")
            for r in _rows(_RETIRED_FILE)
            if r["tingkat"] == "kecamatan"
        }
    )


def is_nik_district(code: str) -> bool:
    """Can a NIK start with district *code* (6 digits)? True for every district of
    Indonesia in force and for those retired since 2018 (a NIK never changes)."""
    return code in _district_codes()


def retired_since(code: str) -> str | None:
    """For a retired district code, the last year it was listed; None otherwise."""
    return _retired_districts().get(code)


def _lines_of(prefix: str) -> list[str]:
    """The national file's lines whose code starts with *prefix* (dotted), in order.

    The file is sorted by code, so they are one run of lines: found with str.find,
    not by parsing 91,600 rows.
    """
    text = _national_text()
    start = text.find("\n" + prefix)
    if start < 0:
        return []
    # line by line from there, never splitting the megabytes after the run (every command
    # that loads kkwna.toml looks up the office's regency)
    lines = []
    at = start + 1
    while text.startswith(prefix, at):
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        lines.append(text[at:end])
        at = end + 1
    return lines


def regency(code: str) -> Regency:
    """Regency or city *code* (``6305`` or ``63.05``) with its districts and villages.

    Raises UnknownRegion when the code is not a regency/city in force.
    """
    return _regency(digits(code))


@cache
def _regency(plain: str) -> Regency:
    code = plain
    if not re.fullmatch(r"\d{4}", plain):
        raise UnknownRegion(f"Kode kabupaten/kota harus 4 angka (misalnya 63.05), bukan {code!r}")
    dotted = f"{plain[:2]}.{plain[2:]}"
    rows = list(csv.reader(_lines_of(f"{dotted},") + _lines_of(f"{dotted}.")))
    head = [r for r in rows if r[0] == dotted]
    if not head:
        raise UnknownRegion(f"Kode kabupaten/kota {dotted} tidak ada dalam daftar Kemendagri")
    province = next(csv.reader(_lines_of(f"{plain[:2]},")), ["", ""])[1]
    districts: dict[str, str] = {}
    villages: dict[str, dict[str, str]] = {}
    for kode, nama, tingkat in rows:
        if tingkat == "kecamatan":
            districts[digits(kode)] = nama
            villages.setdefault(digits(kode), {})
        elif tingkat.startswith("desa"):
            villages.setdefault(digits(kode)[:6], {})[digits(kode)] = nama
    return Regency(
        code=plain,
        name=head[0][1],
        province=province,
        districts=MappingProxyType(districts),
        villages=MappingProxyType({k: MappingProxyType(v) for k, v in villages.items()}),
    )


# a regency's or city's row of the national file: "63.05,Kabupaten Tapin,kabupaten/kota"
_REGENCY_LINE = re.compile(r"^(\d\d)\.(\d\d),([^,\n]*),kabupaten/kota\r?$", re.MULTILINE)
_PROVINCE_LINE = re.compile(r"^(\d\d),([^,\n]*),provinsi\r?$", re.MULTILINE)


def regencies_named(name: str, province: str = "") -> list[str]:
    """The 4-digit codes of the regencies and cities called *name* ("TAPIN", "Kota
    Banjarmasin"), within the province called *province* when it is given.

    For a kkwna.toml without ``kode_wilayah``: the office's name says which it is. A name
    may fit two ("Bekasi" is a regency and a city): the caller then asks for the code.
    """
    wanted = fold(name)
    provinces = {m[1] for m in _PROVINCE_LINE.finditer(_national_text())
                 if fold(m[2]) == fold(province)} if province else set()
    found = []
    for m in _REGENCY_LINE.finditer(_national_text()):
        if province and m[1] not in provinces:
            continue
        full = fold(m[3])
        short = full.split(" ", 1)[1] if full.startswith(("kabupaten ", "kota ")) else full
        if wanted in (full, short):
            found.append(m[1] + m[2])
    return found


def regency_code(code: str) -> str | None:
    """The 4-digit code of regency/city *code* (dotted or not) if it is in force, else None."""
    try:
        return regency(code).code
    except UnknownRegion:
        return None


def districts(within: str) -> dict[str, str]:
    """District (kecamatan) code, 6 digits -> name ("Tapin Utara"), of regency *within*."""
    return dict(regency(within).districts)


def villages(district_code: str) -> dict[str, str]:
    """Village code, 10 digits -> name, for the villages of one district ({} if unknown)."""
    try:
        found = regency(district_code[:4]).villages.get(district_code, {})
    except UnknownRegion:
        return {}
    return dict(found)


def province_name(within: str) -> str:
    return regency(within).province


def regency_name(within: str) -> str:
    return regency(within).name


def is_district_code(code: str, within: str) -> bool:
    """Is *code* (6 digits) a district of regency *within*?"""
    return code in regency(within).districts


def district_code(name_or_code: str, within: str) -> str | None:
    """The 6-digit code of a district of *within* given its name (any case) or code."""
    return _code_in(regency(within).districts, name_or_code)


def village_code(district: str, name_or_code: str, within: str) -> str | None:
    """The 10-digit code of a village of *district* (name or code), given its name or code."""
    dcode = district_code(district, within)
    if dcode is None:
        return None
    return _code_in(regency(within).villages.get(dcode, {}), name_or_code)


def _code_in(listed: Mapping[str, str], name_or_code: str) -> str | None:
    """The code in *listed* ({code: name}) of a code, or of a name in any case."""
    text = str(name_or_code).strip()
    if digits(text) in listed:
        return digits(text)
    wanted = fold(text)
    return next((code for code, name in listed.items() if fold(name) == wanted), None)


def district_caps(name_or_code: str, within: str) -> str:
    """The district's name in capitals for the card ("TAPIN UTARA"); unknown text upper-cased."""
    code = district_code(name_or_code, within)
    if code is None:
        return " ".join(str(name_or_code).split()).upper()
    return regency(within).districts[code].upper()


def village_caps(district: str, name_or_code: str, within: str) -> str:
    """The village's name in capitals for the card ("RANTAU KIWA"); unknown text upper-cased."""
    code = village_code(district, name_or_code, within)
    if code is None:
        return " ".join(str(name_or_code).split()).upper()
    return regency(within).villages[code[:6]][code].upper()
