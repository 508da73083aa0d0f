"""The rules a SIAK operator applies to the family data of a KK: `validate` (the JSON
form) and `validate_form_fields` (the desk-04 form's fields), each error a `FieldError`
naming the form field (``no_kk``, ``a2_nik``), an Indonesian label and message.

The data's shape, normal form and form fields are `pipeline.domain.family_data`; this module
hands out its names as well, so `family.normalise`, `family.MEMBER_KEYS` ... stay.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from pipeline.domain import kk_numbers, names, refdata

# the data's shape and normal form, handed out here too (callers say family.X: __all__)
from pipeline.domain.family_data import (
    _KITAP_RE,
    _PASPOR_RE,
    EMAIL_RE,
    HEADER_KEYS,
    KEPALA_KELUARGA,
    KITAP_RE,
    LABELS,
    LISTED,
    MAX_LENGTH,
    MAX_MEMBERS,
    MEMBER_KEYS,
    NAME_KEYS,
    NO_NIKS,
    PASPOR_RE,
    PRINTABLE,
    REQUIRED_HEADER,
    REQUIRED_MEMBER,
    WNI,
    FieldError,
    form_field,
    form_members,
    format_date,
    from_form_fields,
    head_of_family,
    holder,
    niks,
    normal_member,
    normalise,
    parse_date,
    to_form_fields,
    valid_kitap,
    valid_paspor,
)

__all__ = ["_KITAP_RE", "_PASPOR_RE", "FieldError", "form_field", "format_date",
           "from_form_fields", "head_of_family", "HEADER_KEYS", "holder", "KEPALA_KELUARGA",
           "KITAP_RE", "LABELS", "LISTED", "MAX_LENGTH", "MAX_MEMBERS", "MEMBER_KEYS", "niks",
           "normalise", "parse_date", "PASPOR_RE", "REQUIRED_HEADER", "REQUIRED_MEMBER",
           "to_form_fields", "valid_kitap", "valid_paspor", "WNI", "validate",
           "validate_form_fields"]

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
    bad = sorted({ch for ch in value if ch not in PRINTABLE})
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
    if h["email"] and not EMAIL_RE.fullmatch(h["email"]):
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
    for key in NAME_KEYS:
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
    other_kk_niks: Mapping[str, str] = NO_NIKS,
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
    other_kk_niks: Mapping[str, str] = NO_NIKS,
    area: refdata.OfficeArea,
) -> list[FieldError]:
    """Like ``validate(from_form_fields(fields))``, but errors name the form's own slots.

    If the operator left slot 2 empty and filled slot 3, the errors of that member
    say ``a3_...`` / "Anggota 3", where the operator typed it.
    """
    header = normalise({key: fields.get(key) for key in HEADER_KEYS}, area=area)
    members = [(slot, normal_member(m)) for slot, m in form_members(fields)]
    return _validate(header, members, today, other_kk_niks, area, _Errors())
