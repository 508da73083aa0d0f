"""The family data of a KK: its shape, its normal form and the rules a SIAK operator applies.

Family data is a plain dict with the keys of the desk-04 form (see INTERFACE.md,
"Family data"): the header keys and ``anggota``, a list of members, each with the
17 keys of the KK's columns. Dates are ``DD-MM-YYYY`` strings.

Pure: no I/O besides the reference lists of `pipeline.refdata` (package data, read
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

from pipeline import kk_numbers, names, refdata

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
_NAME_KEYS = ("nama_lengkap", "nama_ayah", "nama_ibu")
# what the card's font prints: printable ASCII, Latin-1 and the few Latin letters of WinAnsi
_PRINTABLE = frozenset(
    [chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0xA0, 0x100)] + list("ŸŒœŠšŽž")
)
_DATE_RE = re.compile(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)*\.[A-Za-z]{2,}")
#: a passport's document number (ICAO 9303 machine-readable zone): 1-9 letters and digits
PASPOR_RE = re.compile(r"[A-Z0-9]{1,9}")
#: a KITAS/KITAP number, loosely (no published format): letters, digits and dashes, 6-20
KITAP_RE = re.compile(r"[A-Z0-9-]{6,20}")
_PASPOR_RE = PASPOR_RE  # older name, kept for callers
_KITAP_RE = KITAP_RE
_NO_NIKS: Mapping[str, str] = MappingProxyType({})


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


def _normal_member(member: Mapping[str, Any]) -> dict[str, str]:
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
    members = [_normal_member(m) for m in _raw_members(data)]
    out["anggota"] = [m for m in members if any(m.values())]
    return out


# --------------------------------------------------------------------------- form fields


def form_field(slot: int, key: str) -> str:
    """The desk-04 form field of member *slot* (1-based): ``a2_nik``."""
    return f"a{slot}_{key}"


def _form_members(fields: Mapping[str, Any]) -> list[tuple[int, dict[str, Any]]]:
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
    data["anggota"] = [member for _, member in _form_members(fields)]
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


# --------------------------------------------------------------------------- validation


class _Errors:
    def __init__(self) -> None:
        self.items: list[tuple[tuple[int, int, int], FieldError]] = []

    def header(self, key: str, message: str) -> None:
        order = HEADER_KEYS.index(key) if key in HEADER_KEYS else len(HEADER_KEYS)
        self.items.append(((0, 0, order), FieldError(key, LABELS.get(key, key), message)))

    def family(self, message: str) -> None:
        self.items.append(((1, 0, 0), FieldError("anggota", LABELS["anggota"], message)))

    def member(self, slot: int, key: str, message: str) -> None:
        label = f"Anggota {slot}, {LABELS.get(key, key)}"
        order = (2, slot, MEMBER_KEYS.index(key) if key in MEMBER_KEYS else 99)
        self.items.append((order, FieldError(form_field(slot, key), label, message)))

    def sorted(self) -> list[FieldError]:
        return [e for _, e in sorted(self.items, key=lambda item: item[0])]


def _check_no_kk(no_kk: str, area: refdata.OfficeArea, err: _Errors) -> None:
    for problem in kk_numbers.no_kk_problems(no_kk, area):
        err.header("no_kk", problem)


def _check_nik(slot: int, m: Mapping[str, str], birth: date | None, err: _Errors) -> None:
    for problem in kk_numbers.nik_problems(m["nik"], m["jenis_kelamin"], birth):
        err.member(slot, "nik", problem)


def _check_date(slot: int, key: str, text: str, today: date, err: _Errors) -> date | None:
    if not text:
        return None
    d = parse_date(text)
    if d is None:
        err.member(
            slot,
            key,
            f"'{text}' bukan tanggal yang sah (tulis HH-BB-TTTT, misalnya 15-03-1980)",
        )
        return None
    if d > today:
        err.member(
            slot, key, f"Tanggal {format_date(d)} belum lewat (hari ini {format_date(today)})"
        )
        return None
    if d.year < 1900:
        err.member(slot, key, f"Tanggal {format_date(d)} terlalu lampau")
        return None
    return d


def _check_listed(slot: int, key: str, value: str, err: _Errors) -> None:
    choices = refdata.value_list(LISTED[key])
    if value in choices:
        return
    if len(choices) <= 13:
        hint = "pilih salah satu: " + ", ".join(choices)
    else:
        hint = f"pilih salah satu dari {len(choices)} {LABELS[key].lower()} dalam daftar SIAK"
    err.member(slot, key, f"'{value}' tidak ada dalam daftar; {hint}")


def _check_printable(value: str) -> str | None:
    bad = sorted({ch for ch in value if ch not in _PRINTABLE})
    if bad:
        return (
            "berisi huruf yang tidak dapat dicetak pada KK: "
            + " ".join(repr(ch) for ch in bad)
            + " (tulis dengan huruf Latin seperti di paspor)"
        )
    return None


def _check_address(h: Mapping[str, str], area: refdata.OfficeArea, err: _Errors) -> None:
    """The address must lie in the office's own regency: it issues KKs for it alone."""
    region = refdata.regency(area.regency)
    prefixes = area.postcode_prefixes
    postcode = h["kode_pos"]
    if prefixes and re.fullmatch(r"\d{5}", postcode) and not postcode.startswith(prefixes):
        shown = ", ".join(f"{p}{'x' * (5 - len(p))}" for p in prefixes)
        err.header(
            "kode_pos",
            f"Kode pos {postcode} bukan kode pos {region.name} ({shown}); alamat harus "
            "di wilayah kantor ini",
        )
    if not h["kecamatan"]:
        return
    code = refdata.district_code(h["kecamatan"], area.regency)
    if code is None:
        names = ", ".join(n.upper() for n in region.districts.values())
        err.header(
            "kecamatan",
            f"'{h['kecamatan']}' bukan kecamatan di {region.name}; alamat harus di wilayah "
            f"kantor ini, pilih salah satu: {names}",
        )
    elif h["desa_kelurahan"] and refdata.village_code(
        code, h["desa_kelurahan"], area.regency
    ) is None:
        err.header(
            "desa_kelurahan",
            f"'{h['desa_kelurahan']}' bukan desa/kelurahan di Kecamatan "
            f"{refdata.district_caps(code, area.regency)}",
        )


def _check_header(h: Mapping[str, str], area: refdata.OfficeArea, err: _Errors) -> None:
    for key in REQUIRED_HEADER:
        if not h[key]:
            err.header(key, f"{LABELS[key]} wajib diisi")
    for key in HEADER_KEYS:
        problem = _check_printable(h[key]) if h[key] else None
        if problem:
            err.header(key, f"{LABELS[key]} {problem}")
        if key in MAX_LENGTH and len(h[key]) > MAX_LENGTH[key]:
            err.header(key, f"{LABELS[key]} terlalu panjang (paling banyak {MAX_LENGTH[key]})")
    if h["no_kk"]:
        _check_no_kk(h["no_kk"], area, err)
    for key in ("rt", "rw"):
        if h[key] and not re.fullmatch(r"\d{1,3}", h[key]):
            err.header(key, f"{LABELS[key]} harus 1 sampai 3 angka")
    if h["kode_pos"] and not re.fullmatch(r"\d{5}", h["kode_pos"]):
        err.header("kode_pos", "Kode pos harus 5 angka")
    if h["email"] and not _EMAIL_RE.fullmatch(h["email"]):
        err.header("email", f"'{h['email']}' bukan alamat email yang benar")
    _check_address(h, area, err)


def _check_member(slot: int, m: Mapping[str, str], today: date, err: _Errors) -> None:
    for key in REQUIRED_MEMBER:
        if not m[key]:
            err.member(slot, key, f"{LABELS[key]} wajib diisi")
    for key in MEMBER_KEYS:
        problem = _check_printable(m[key]) if m[key] else None
        if problem:
            err.member(slot, key, f"{LABELS[key]} {problem}")
        if key in MAX_LENGTH and len(m[key]) > MAX_LENGTH[key]:
            err.member(
                slot,
                key,
                f"{LABELS[key]} terlalu panjang ({len(m[key])} huruf, "
                f"paling banyak {MAX_LENGTH[key]})",
            )
    for key in _NAME_KEYS:
        if any(ch.isdigit() for ch in m[key]):
            err.member(slot, key, f"{LABELS[key]} tidak boleh berisi angka")
        elif names.has_non_latin_capitals(m[key]):  # KK names are A-Z, as in the MRZ
            err.member(slot, key, f"{LABELS[key]} hanya huruf A-Z seperti di paspor (MRZ); "
                                  f"tulis \"{names.plain_capitals(m[key])}\"")
    for key in LISTED:
        if m[key]:
            _check_listed(slot, key, m[key], err)

    birth = _check_date(slot, "tanggal_lahir", m["tanggal_lahir"], today, err)
    if m["nik"]:
        _check_nik(slot, m, birth, err)

    status = m["status_perkawinan"]
    married = _check_date(slot, "tanggal_perkawinan", m["tanggal_perkawinan"], today, err)
    if status == "KAWIN TERCATAT" and not m["tanggal_perkawinan"]:
        err.member(
            slot, "tanggal_perkawinan", "Tanggal perkawinan wajib diisi untuk KAWIN TERCATAT"
        )
    if status == "BELUM KAWIN" and m["tanggal_perkawinan"]:
        err.member(slot, "tanggal_perkawinan", "Tanggal perkawinan harus kosong untuk BELUM KAWIN")
    if married is not None and birth is not None and married < birth:
        err.member(
            slot,
            "tanggal_perkawinan",
            f"Tanggal perkawinan {format_date(married)} sebelum tanggal lahir {format_date(birth)}",
        )

    foreign = bool(m["kewarganegaraan"]) and m["kewarganegaraan"] not in WNI
    if foreign and not m["no_paspor"]:
        err.member(
            slot, "no_paspor", "No. paspor wajib diisi untuk anggota berkewarganegaraan asing"
        )
    if m["no_paspor"] and not valid_paspor(m["no_paspor"]):
        err.member(
            slot,
            "no_paspor",
            "No. paspor harus 1 sampai 9 huruf atau angka, tanpa spasi atau tanda baca (ICAO 9303)",
        )
    if foreign and not m["no_kitap"]:
        err.member(
            slot,
            "no_kitap",
            "No. KITAS/KITAP wajib diisi untuk anggota berkewarganegaraan asing",
        )
    if m["no_kitap"] and not valid_kitap(m["no_kitap"]):
        err.member(
            slot,
            "no_kitap",
            "No. KITAS/KITAP harus 6 sampai 20 huruf, angka atau tanda hubung (-)",
        )


def _check_family(
    members: list[tuple[int, dict[str, str]]],
    other_kk_niks: Mapping[str, str],
    err: _Errors,
) -> None:
    if not members:
        err.family("Belum ada anggota keluarga; isi paling sedikit satu (kepala keluarga)")
        return
    if len(members) > MAX_MEMBERS:
        err.family(f"Satu KK paling banyak {MAX_MEMBERS} anggota keluarga (terisi {len(members)})")
    heads = [slot for slot, m in members if m["status_hubungan"] == KEPALA_KELUARGA]
    if not heads:
        err.family("Tidak ada anggota dengan status hubungan KEPALA KELUARGA; harus tepat satu")
    for slot in heads[1:]:
        err.member(
            slot,
            "status_hubungan",
            f"KEPALA KELUARGA sudah ada (anggota {heads[0]}); satu KK hanya boleh "
            "satu kepala keluarga",
        )
    seen: dict[str, int] = {}
    for slot, m in members:
        nik = m["nik"]
        if not nik:
            continue
        if nik in seen:
            err.member(slot, "nik", f"NIK {nik} sudah dipakai anggota {seen[nik]}")
        else:
            seen[nik] = slot
        if nik in other_kk_niks:
            err.member(
                slot,
                "nik",
                f"NIK {nik} sudah terdaftar pada KK lain (register {other_kk_niks[nik]})",
            )


def _validate(
    header: Mapping[str, str],
    members: list[tuple[int, dict[str, str]]],
    today: date,
    other_kk_niks: Mapping[str, str],
    area: refdata.OfficeArea,
    err: _Errors,
) -> list[FieldError]:
    _check_header(header, area, err)
    _check_family(members, other_kk_niks, err)
    for slot, m in members:
        _check_member(slot, m, today, err)
    return err.sorted()


def validate(
    data: Mapping[str, Any],
    *,
    today: date,
    other_kk_niks: Mapping[str, str] = _NO_NIKS,
    area: refdata.OfficeArea,
) -> list[FieldError]:
    """Every problem with *data* (raw or normalised), in form order; [] when it is valid.

    *other_kk_niks* maps a NIK to the register number of another KK already issued
    that lists it (the caller reads the register, leaving out the case at hand).
    *area* is the office's regency (``kkwna.toml`` ``office.kode_wilayah``): the address
    and the No. KK must be in it; a NIK may come from any district of Indonesia.
    Members are numbered 1.. as in ``normalise(data)["anggota"]``.
    """
    err = _Errors()
    raw = data.get("anggota")
    if raw is not None and not isinstance(raw, list | tuple):
        err.family("Data anggota keluarga harus berupa daftar")
    elif raw is not None:
        for i, m in enumerate(raw, start=1):
            if not isinstance(m, Mapping):
                err.family(f"Isian anggota ke-{i} bukan data anggota keluarga")
    norm = normalise(data, area=area)
    members = list(enumerate(norm["anggota"], start=1))
    return _validate(norm, members, today, other_kk_niks, area, err)


def validate_form_fields(
    fields: Mapping[str, Any],
    *,
    today: date,
    other_kk_niks: Mapping[str, str] = _NO_NIKS,
    area: refdata.OfficeArea,
) -> list[FieldError]:
    """Like ``validate(from_form_fields(fields))``, but errors name the form's own slots.

    If the operator left slot 2 empty and filled slot 3, the errors of that member
    say ``a3_...`` / "Anggota 3", where the operator typed it.
    """
    header = normalise({key: fields.get(key) for key in HEADER_KEYS}, area=area)
    members = [(slot, _normal_member(m)) for slot, m in _form_members(fields)]
    return _validate(header, members, today, other_kk_niks, area, _Errors())


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
