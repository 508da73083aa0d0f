"""Reference data printed on a KK: the SIAK value lists and Tapin's region codes.

Everything comes from the CSV files shipped as package data in ``pipeline/data/``
(copied from ``shared/data``; see its README for the sources) and is read once.

Region codes in ``wilayah-tapin.csv`` are dotted (``63.05.04``, ``63.05.04.1004``);
this module hands them out as plain digits, the way they appear in a NIK or a
No. KK: district (kecamatan) ``630504``, village (desa/kelurahan) ``6305041004``.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

JENIS_KELAMIN: tuple[str, ...] = ("LAKI-LAKI", "PEREMPUAN")

#: the value lists by name (the CSV file name without ``.csv``)
LIST_NAMES: tuple[str, ...] = (
    "agama",
    "pendidikan",
    "pekerjaan",
    "hubungan-keluarga",
    "golongan-darah",
    "status-perkawinan",
)

_REGION_FILE = "wilayah-tapin.csv"


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("pipeline").joinpath("data", filename).read_text(encoding="utf-8")
    return [
        {k.strip(): (v or "").strip() for k, v in row.items() if k}
        for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    ]


def fold(text: str) -> str:
    """The form used to compare names: case-folded, single spaces, no outer spaces."""
    return " ".join(str(text).split()).casefold()


@cache
def value_list(name: str) -> tuple[str, ...]:
    """The values of list *name* (see LIST_NAMES), in their SIAK order, upper case."""
    if name not in LIST_NAMES:
        raise KeyError(f"unknown value list {name!r}; known: {', '.join(LIST_NAMES)}")
    rows = _rows(f"{name}.csv")
    rows.sort(key=lambda r: int(r["kode"]) if r["kode"].isdigit() else 0)
    return tuple(r["nama"].upper() for r in rows if r["nama"])


@cache
def _regions() -> tuple[dict[str, str], dict[str, dict[str, str]], dict[str, str]]:
    districts: dict[str, str] = {}
    villages: dict[str, dict[str, str]] = {}
    top: dict[str, str] = {}
    for row in _rows(_REGION_FILE):
        code = row["kode"].replace(".", "")
        level = row["tingkat"].lower()
        if level == "kecamatan":
            districts[code] = row["nama"]
            villages.setdefault(code, {})
        elif level.startswith("desa"):
            villages.setdefault(code[:6], {})[code] = row["nama"]
        else:
            top[level] = row["nama"]
    return districts, villages, top


def districts() -> dict[str, str]:
    """District (kecamatan) code, 6 digits -> name as in the code list ("Tapin Utara")."""
    return dict(_regions()[0])


def villages(district_code: str) -> dict[str, str]:
    """Village code, 10 digits -> name, for the villages of one district ({} if unknown)."""
    return dict(_regions()[1].get(district_code, {}))


def province_name() -> str:
    return _regions()[2].get("provinsi", "")


def regency_name() -> str:
    return _regions()[2].get("kabupaten", "")


def is_district_code(code: str) -> bool:
    return code in _regions()[0]


def district_code(name_or_code: str) -> str | None:
    """The 6-digit code of a district given its name (any case) or its code (dotted or not)."""
    text = str(name_or_code).strip()
    digits = text.replace(".", "")
    if digits in _regions()[0]:
        return digits
    wanted = fold(text)
    for code, name in _regions()[0].items():
        if fold(name) == wanted:
            return code
    return None


def village_code(district: str, name_or_code: str) -> str | None:
    """The 10-digit code of a village of *district* (name or code), given its name or code."""
    dcode = district_code(district)
    if dcode is None:
        return None
    listed = _regions()[1].get(dcode, {})
    text = str(name_or_code).strip()
    digits = text.replace(".", "")
    if digits in listed:
        return digits
    wanted = fold(text)
    for code, name in listed.items():
        if fold(name) == wanted:
            return code
    return None


def district_caps(name_or_code: str) -> str:
    """The district's name in capitals for the card ("TAPIN UTARA"); unknown text upper-cased."""
    code = district_code(name_or_code)
    if code is None:
        return " ".join(str(name_or_code).split()).upper()
    return _regions()[0][code].upper()


def village_caps(district: str, name_or_code: str) -> str:
    """The village's name in capitals for the card ("RANTAU KIWA"); unknown text upper-cased."""
    code = village_code(district, name_or_code)
    if code is None:
        return " ".join(str(name_or_code).split()).upper()
    return _regions()[1][code[:6]][code].upper()
