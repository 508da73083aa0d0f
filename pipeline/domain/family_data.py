"""The family data of a KK: its shape, its normal form and its form fields (the rules a
SIAK operator applies are `pipeline.domain.family`, which hands out these names too).

Family data is a plain dict with the keys of the desk-04 form (see INTERFACE.md,
"Family data"): the header keys and ``anggota``, a list of members, each with the
17 keys of the KK's columns. Dates are ``DD-MM-YYYY`` strings.

Pure: no I/O besides the reference lists of `pipeline.domain.refdata` (package data, read
once). Every error is a `FieldError` naming the form field (``no_kk``, ``a2_nik``),
an Indonesian label ("Anggota 2, NIK") and an Indonesian message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from pipeline.domain import refdata

MEMBER_KEYS: tuple[str, ...] = (
    "nama_lengkap",
    "nik",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "agama",
    "pendidikan",
    "jenis_pekerjaan",
    "golongan_darah",
    "status_perkawinan",
    "tanggal_perkawinan",
    "status_hubungan",
    "kewarganegaraan",
    "no_paspor",
    "no_kitap",
    "nama_ayah",
    "nama_ibu",
)
HEADER_KEYS: tuple[str, ...] = (
    "no_kk",
    "alamat",
    "rt",
    "rw",
    "desa_kelurahan",
    "kecamatan",
    "kode_pos",
    "email",
)
MAX_MEMBERS = 10

KEPALA_KELUARGA = "KEPALA KELUARGA"
WNI = frozenset({"INDONESIA", "WNI"})

LABELS: Mapping[str, str] = MappingProxyType(
    {
        "no_kk": "No. KK",
        "alamat": "Alamat",
        "rt": "RT",
        "rw": "RW",
        "desa_kelurahan": "Desa/Kelurahan",
        "kecamatan": "Kecamatan",
        "kode_pos": "Kode Pos",
        "email": "Email",
        "nama_lengkap": "Nama Lengkap",
        "nik": "NIK",
        "jenis_kelamin": "Jenis Kelamin",
        "tempat_lahir": "Tempat Lahir",
        "tanggal_lahir": "Tanggal Lahir",
        "agama": "Agama",
        "pendidikan": "Pendidikan",
        "jenis_pekerjaan": "Jenis Pekerjaan",
        "golongan_darah": "Golongan Darah",
        "status_perkawinan": "Status Perkawinan",
        "tanggal_perkawinan": "Tanggal Perkawinan",
        "status_hubungan": "Status Hubungan Dalam Keluarga",
        "kewarganegaraan": "Kewarganegaraan",
        "no_paspor": "No. Paspor",
        "no_kitap": "No. KITAS/KITAP",
        "nama_ayah": "Nama Ayah",
        "nama_ibu": "Nama Ibu",
        "anggota": "Anggota keluarga",
    }
)

# every header field but the e-mail address, which a family may not have
REQUIRED_HEADER: tuple[str, ...] = tuple(k for k in HEADER_KEYS if k != "email")
REQUIRED_MEMBER: tuple[str, ...] = (
    "nama_lengkap",
    "nik",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "agama",
    "status_hubungan",
    "kewarganegaraan",
    "nama_ayah",
    "nama_ibu",
)

#: member key -> the refdata value list it must come from (the data-entry form's choice lists)
LISTED: Mapping[str, str] = MappingProxyType(
    {
        "jenis_kelamin": "jenis-kelamin",
        "agama": "agama",
        "pendidikan": "pendidikan",
        "jenis_pekerjaan": "pekerjaan",
        "golongan_darah": "golongan-darah",
        "status_perkawinan": "status-perkawinan",
        "status_hubungan": "hubungan-keluarga",
    }
)

#: longest text accepted per field: what the card can still print legibly in its cell
MAX_LENGTH: Mapping[str, int] = MappingProxyType(
    {
        "nama_lengkap": 80,
        "nama_ayah": 80,
        "nama_ibu": 80,
        "tempat_lahir": 60,
        "kewarganegaraan": 40,
        "alamat": 120,
        "email": 80,
    }
)

_DATE_KEYS = ("tanggal_lahir", "tanggal_perkawinan")
_NO_SPACE_KEYS = ("no_kk", "nik", "rt", "rw", "kode_pos", "no_paspor", "no_kitap", "email")
NAME_KEYS = ("nama_lengkap", "nama_ayah", "nama_ibu")
# what the card's font prints: printable ASCII, Latin-1 and the few Latin letters of WinAnsi
PRINTABLE = frozenset(
    [chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0xA0, 0x100)] + list("ŸŒœŠšŽž")
)
_DATE_RE = re.compile(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)*\.[A-Za-z]{2,}")
#: a passport's document number (ICAO 9303 machine-readable zone): 1-9 letters and digits
PASPOR_RE = re.compile(r"[A-Z0-9]{1,9}")
#: a KITAS/KITAP number, loosely (no published format): letters, digits and dashes, 6-20
KITAP_RE = re.compile(r"[A-Z0-9-]{6,20}")
_PASPOR_RE = PASPOR_RE  # older name, kept for callers
_KITAP_RE = KITAP_RE
NO_NIKS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class FieldError:
    """One thing wrong with the family data.

    ``field`` is the desk-04 form field (``no_kk``, ``a2_nik``; ``anggota`` for the
    family as a whole), ``label`` its Indonesian name ("Anggota 2, NIK").
    """

    field: str
    label: str
    message: str

    @property
    def json_path(self) -> str:
        """The same place in the JSON: ``a2_nik`` -> ``anggota[1].nik`` (0-based index)."""
        m = re.fullmatch(r"a(\d+)_(\w+)", self.field)
        if m:
            return f"anggota[{int(m.group(1)) - 1}].{m.group(2)}"
        return self.field

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


# --------------------------------------------------------------------------- dates


def parse_date(text: str) -> date | None:
    """A date written DD-MM-YYYY (also D-M-YYYY, DD/MM/YYYY); None if it is not a real date."""
    m = _DATE_RE.fullmatch(str(text).strip())
    if not m:
        return None
    try:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def format_date(d: date) -> str:
    return f"{d.day:02d}-{d.month:02d}-{d.year:04d}"


def valid_paspor(text: str) -> bool:
    """Is *text* (spaces and case ignored) a passport document number?"""
    return bool(PASPOR_RE.fullmatch(_squeeze(str(text))))


def valid_kitap(text: str) -> bool:
    """Is *text* (spaces and case ignored) a plausible KITAS/KITAP number?"""
    number = _squeeze(str(text))
    return bool(KITAP_RE.fullmatch(number) and re.search(r"[A-Z0-9]", number))


# --------------------------------------------------------------------------- normal form


def _text(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def _normal_value(key: str, value: Any) -> str:
    text = _text(value)
    if key in _NO_SPACE_KEYS:
        text = text.replace(" ", "")
    if key == "email":
        return text
    text = text.upper()
    if key in ("rt", "rw") and re.fullmatch(r"\d{1,3}", text):
        return text.zfill(3)
    if key in _DATE_KEYS:
        d = parse_date(text)
        return format_date(d) if d else text
    if key in LISTED and text:
        # the official value for its spelling in any case, or a short form (S1, KATOLIK, L)
        return refdata.canonical(LISTED[key], text) or text
    return text


def normal_member(member: Mapping[str, Any]) -> dict[str, str]:
    return {key: _normal_value(key, member.get(key)) for key in MEMBER_KEYS}


def _raw_members(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = data.get("anggota")
    if not isinstance(raw, list | tuple):
        return []
    return [m if isinstance(m, Mapping) else {} for m in raw]


def normalise(data: Mapping[str, Any], *, area: refdata.OfficeArea | None
              ) -> dict[str, Any]:
    """The family data in normal form.

    Every header and member key present (missing ones ""), other keys dropped; text
    stripped, inner spaces collapsed, upper case (email kept as typed); spaces removed
    from numbers; RT/RW padded to 3 digits; dates that parse written DD-MM-YYYY; coded
    values (jenis kelamin, agama ...) as their official value, short forms included
    ("S1" -> "DIPLOMA IV/STRATA I", "L" -> "LAKI-LAKI"); kecamatan and desa/kelurahan of
    the office's regency (*area*, the office's own: ``Config.area``) in the code list's
    spelling (capitals); members whose every field is empty dropped.

    *area* None: the address as it stands (upper case), not looked up -- for data a
    step 4 already normalised for its office, or where only the members matter.
    """
    out: dict[str, Any] = {key: _normal_value(key, data.get(key)) for key in HEADER_KEYS}
    within = area.regency if area is not None else ""
    if (within and out["kecamatan"]
            and refdata.district_code(out["kecamatan"], within) is not None):
        out["desa_kelurahan"] = (
            refdata.village_caps(out["kecamatan"], out["desa_kelurahan"], within)
            if out["desa_kelurahan"]
            else ""
        )
        out["kecamatan"] = refdata.district_caps(out["kecamatan"], within)
    members = [normal_member(m) for m in _raw_members(data)]
    out["anggota"] = [m for m in members if any(m.values())]
    return out


# --------------------------------------------------------------------------- form fields


def form_field(slot: int, key: str) -> str:
    """The desk-04 form field of member *slot* (1-based): ``a2_nik``."""
    return f"a{slot}_{key}"


def form_members(fields: Mapping[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    found = []
    for slot in range(1, MAX_MEMBERS + 1):
        member = {key: fields.get(form_field(slot, key)) for key in MEMBER_KEYS}
        if any(_text(v) for v in member.values()):
            found.append((slot, member))
    return found


def from_form_fields(fields: Mapping[str, Any], *, area: refdata.OfficeArea | None
                     ) -> dict[str, Any]:
    """Desk-04 form fields (``no_kk`` .. ``email``, ``aN_<key>``) -> normalised family data.

    Members whose fields are all empty are dropped (the others keep their order);
    fields that are not family data (``kasus``, ``keputusan`` ...) are ignored.
    """
    data: dict[str, Any] = {key: fields.get(key) for key in HEADER_KEYS}
    data["anggota"] = [member for _, member in form_members(fields)]
    return normalise(data, area=area)


def to_form_fields(data: Mapping[str, Any], *, area: refdata.OfficeArea | None
                   ) -> dict[str, str]:
    """Family data -> every desk-04 form field (all 10 member slots, empty ones "")."""
    norm = normalise(data, area=area)
    fields = {key: norm[key] for key in HEADER_KEYS}
    members = norm["anggota"]
    for slot in range(1, MAX_MEMBERS + 1):
        member = members[slot - 1] if slot <= len(members) else {}
        for key in MEMBER_KEYS:
            fields[form_field(slot, key)] = member.get(key, "")
    return fields


def head_of_family(data: Mapping[str, Any]) -> dict[str, str] | None:
    """The (first) member whose status is KEPALA KELUARGA, normalised; None if none."""
    for m in normalise(data, area=None)["anggota"]:
        if m["status_hubungan"] == KEPALA_KELUARGA:
            return dict(m)
    return None


def holder(data: Mapping[str, Any]) -> str:
    """The head of the family's name as the KK and its signature show it (the first
    member's when none is marked KEPALA KELUARGA)."""
    members = normalise(data, area=None)["anggota"]
    head = next((m for m in members if m["status_hubungan"] == KEPALA_KELUARGA),
                members[0] if members else {})
    return str(head.get("nama_lengkap", ""))


def niks(data: Mapping[str, Any]) -> list[str]:
    """The members' NIKs (non-empty), in order: what the register stores for duplicates."""
    return [m["nik"] for m in normalise(data, area=None)["anggota"] if m["nik"]]
