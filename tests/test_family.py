"""Family data: normal form, form fields and the SIAK operator's validation rules."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from pipeline.domain import family, refdata
from pipeline.domain.family import FieldError, parse_date
from tests.families import ADDRESS, HEAD, TAPIN

TODAY = date(2026, 12, 1)

# an Indonesian wife: day 22 + 40 = 62 in her NIK
WIFE: dict[str, str] = {
    "nama_lengkap": "SITI AMINAH",
    "nik": "6305046207850002",
    "jenis_kelamin": "PEREMPUAN",
    "tempat_lahir": "RANTAU",
    "tanggal_lahir": "22-07-1985",
    "agama": "ISLAM",
    "pendidikan": "SLTA/SEDERAJAT",
    "jenis_pekerjaan": "MENGURUS RUMAH TANGGA",
    "golongan_darah": "A",
    "status_perkawinan": "KAWIN TERCATAT",
    "tanggal_perkawinan": "20-06-2008",
    "status_hubungan": "ISTRI",
    "kewarganegaraan": "INDONESIA",
    "no_paspor": "",
    "no_kitap": "",
    "nama_ayah": "AHMAD",
    "nama_ibu": "FATIMAH",
}
# a foreign daughter born on 29 February of a leap year: 29 + 40 = 69
CHILD: dict[str, str] = {
    "nama_lengkap": "EMMA SMITH",
    "nik": "6305046902120003",
    "jenis_kelamin": "PEREMPUAN",
    "tempat_lahir": "BANJARMASIN",
    "tanggal_lahir": "29-02-2012",
    "agama": "KRISTEN",
    "pendidikan": "TAMAT SD/SEDERAJAT",
    "jenis_pekerjaan": "PELAJAR/MAHASISWA",
    "golongan_darah": "TIDAK TAHU",
    "status_perkawinan": "BELUM KAWIN",
    "tanggal_perkawinan": "",
    "status_hubungan": "ANAK",
    "kewarganegaraan": "AUSTRALIA",
    "no_paspor": "PB7654321",
    "no_kitap": "2C21JD0002-B",
    "nama_ayah": "JOHN MICHAEL SMITH",
    "nama_ibu": "SITI AMINAH",
}
FAMILY: dict[str, Any] = {
    **ADDRESS,
    "anggota": [HEAD, WIFE, CHILD],
}
INTERFACE_EXAMPLE = {**{k: v for k, v in FAMILY.items() if k != "anggota"}, "anggota": [HEAD]}


def family_with(changes: dict[str, Any] | Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """FAMILY with *changes*, keyed by form field ("no_kk", "a2_nik"), or changed by a function."""
    data = copy.deepcopy(FAMILY)
    if callable(changes):
        changes(data)
        return data
    for name, value in changes.items():
        if name.startswith("a") and "_" in name and name.split("_", 1)[0][1:].isdigit():
            slot, key = name.split("_", 1)
            data["anggota"][int(slot[1:]) - 1][key] = value
        else:
            data[name] = value
    return data


def _add_member(member: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["anggota"].append(dict(member))


# --------------------------------------------------------------------------- valid


VALID: list[tuple[str, Any]] = [
    ("as given", {}),
    ("interface example", lambda d: d.update(copy.deepcopy(INTERFACE_EXAMPLE))),
    ("woman's day +40", {"a2_tanggal_lahir": "01-01-1990", "a2_nik": "6305044101900002"}),
    ("29 February in a leap year", {"a3_tanggal_lahir": "29-02-2012"}),
    ("29 February 2000", {"a3_tanggal_lahir": "29-02-2000", "a3_nik": "6305046902000003"}),
    ("NIK from another Tapin district", {"a1_nik": "6305011503800001"}),
    # a NIK never changes: issued anywhere in Indonesia, it stays valid here
    ("NIK issued in Jakarta", {"a1_nik": "3171011503800001"}),
    ("wife's NIK issued in Banjarmasin", {"a2_nik": "6371016207850002"}),
    ("NIK under a district code retired since 2018 (Merauke, Papua)",
     {"a1_nik": "9101011503800001"}),
    ("postcode of Tapin", {"kode_pos": "71183"}),
    (
        "lower case and spaces",
        {"a1_nama_lengkap": "  john   michael smith ", "a1_agama": "kristen"},
    ),
    ("listed value spaced differently", {"a1_pendidikan": "diploma iv / strata i"}),
    ("date D-M-YYYY", {"a1_tanggal_lahir": "15-3-1980"}),
    ("date DD/MM/YYYY", {"a1_tanggal_lahir": "15/03/1980"}),
    ("sex written L and P", {"a1_jenis_kelamin": "L", "a2_jenis_kelamin": "p"}),
    ("RT/RW of one digit", {"rt": "3", "rw": "1"}),
    ("district and village in any case", {"kecamatan": "tapin utara", "desa_kelurahan": "Kupang"}),
    ("email given", {"email": "john.smith@example.com"}),
    ("NIK typed with spaces", {"a1_nik": "6305 0415 0380 0001"}),
    ("WNI member without passport", {"a2_kewarganegaraan": "WNI"}),
    (
        "KAWIN BELUM TERCATAT without date",
        {"a2_status_perkawinan": "KAWIN BELUM TERCATAT", "a2_tanggal_perkawinan": ""},
    ),
    ("CERAI MATI with date", {"a1_status_perkawinan": "CERAI MATI"}),
    (
        "optional fields empty",
        {"a1_pendidikan": "", "a1_jenis_pekerjaan": "", "a1_golongan_darah": ""},
    ),
    ("passport of one character", {"a1_no_paspor": "X"}),
    ("born today", {"a3_tanggal_lahir": "01-12-2026", "a3_nik": "6305044112260003"}),
    (
        "ten members",
        lambda d: d["anggota"].extend(
            dict(CHILD, nama_lengkap=f"ANAK {chr(65 + i)}", nik=f"630504690212{i + 10:04d}")
            for i in range(7)
        ),
    ),
    ("empty member rows are ignored", lambda d: d["anggota"].insert(1, {"nama_lengkap": " "})),
]


@pytest.mark.parametrize("changes", [c for _, c in VALID], ids=[i for i, _ in VALID])
def test_valid(changes: Any) -> None:
    assert family.validate(family_with(changes), today=TODAY, area=TAPIN) == []


# --------------------------------------------------------------------------- invalid

# (id, changes, the only field with errors, a fragment of one of its messages)
INVALID: list[tuple[str, Any, str, str]] = [
    # names are A-Z as in the passport's MRZ: the plain capital spelling is suggested
    ("accented Latin letters", {"a1_nama_lengkap": "JOSÉ MÜLLER"}, "a1_nama_lengkap",
     'hanya huruf A-Z seperti di paspor (MRZ); tulis "JOSE MULLER"'),
    ("a ligature in a parent's name", {"a1_nama_ibu": "GRETE STRAẞE"}, "a1_nama_ibu",
     'tulis "GRETE STRASSE"'),
    # NIK
    ("NIK of 15 digits", {"a1_nik": "630504150380001"}, "a1_nik", "16 angka"),
    ("NIK with letters", {"a1_nik": "63050415038O0001"}, "a1_nik", "16 angka"),
    (
        "NIK with a district that does not exist",
        {"a1_nik": "6399011503800001"},
        "a1_nik",
        "Kode wilayah 63.99.01 pada 6 angka pertama NIK bukan kode kecamatan mana pun di "
        "Indonesia",
    ),
    ("NIK with a regency but no such district", {"a1_nik": "6305991503800001"}, "a1_nik",
     "63.05.99"),
    (
        "woman's NIK without +40",
        {"a2_nik": "6305042207850002"},
        "a2_nik",
        "NIK menunjukkan laki-laki",
    ),
    ("man's NIK with +40", {"a1_nik": "6305045503800001"}, "a1_nik", "NIK menunjukkan perempuan"),
    ("NIK date not the birth date", {"a1_nik": "6305041603800001"}, "a1_nik", "tidak sama"),
    ("NIK year not the birth year", {"a1_nik": "6305041503810001"}, "a1_nik", "tidak sama"),
    ("NIK serial 0000", {"a1_nik": "6305041503800000"}, "a1_nik", "0000"),
    (
        "NIK date part not a date",
        {"a1_nik": "6305043203800001"},
        "a1_nik",
        "bukan tanggal yang sah",
    ),
    ("NIK missing", {"a1_nik": ""}, "a1_nik", "wajib"),
    # No. KK
    ("No. KK of 15 digits", {"no_kk": "630504121126001"}, "no_kk", "16 angka"),
    ("No. KK outside Tapin", {"no_kk": "3171011211260001"}, "no_kk",
     "31.71.01 pada No. KK bukan kecamatan di Kabupaten Tapin"),
    ("No. KK of Banjarmasin", {"no_kk": "6371011211260001"}, "no_kk", "Kabupaten Tapin"),
    ("No. KK date part not a date", {"no_kk": "6305043211260001"}, "no_kk", "bukan tanggal"),
    ("No. KK with +40 day", {"no_kk": "6305045211260001"}, "no_kk", "tambahan 40"),
    ("No. KK 29-02 of a non-leap year", {"no_kk": "6305042902250001"}, "no_kk", "bukan tanggal"),
    ("No. KK serial 0000", {"no_kk": "6305041211260000"}, "no_kk", "0000"),
    ("No. KK missing", {"no_kk": ""}, "no_kk", "wajib"),
    # head of the family
    (
        "two heads of family",
        {"a2_status_hubungan": "KEPALA KELUARGA"},
        "a2_status_hubungan",
        "sudah ada (anggota 1)",
    ),
    ("no head of family", {"a1_status_hubungan": "SUAMI"}, "anggota", "KEPALA KELUARGA"),
    # value lists
    ("religion not in list", {"a1_agama": "JEDI"}, "a1_agama", "tidak ada dalam daftar"),
    ("education not in list", {"a1_pendidikan": "KURSUS"}, "a1_pendidikan", "tidak ada"),
    (
        "occupation not in list",
        {"a1_jenis_pekerjaan": "ASTRONOT"},
        "a1_jenis_pekerjaan",
        "tidak ada",
    ),
    ("blood type not in list", {"a1_golongan_darah": "Z"}, "a1_golongan_darah", "tidak ada"),
    (
        "marital status not in list",
        {"a1_status_perkawinan": "TUNANGAN", "a1_tanggal_perkawinan": ""},
        "a1_status_perkawinan",
        "tidak ada",
    ),
    (
        "relationship not in list",
        {"a3_status_hubungan": "TEMAN"},
        "a3_status_hubungan",
        "tidak ada",
    ),
    ("sex not in list", {"a3_jenis_kelamin": "X"}, "a3_jenis_kelamin", "LAKI-LAKI, PEREMPUAN"),
    # address
    ("district not in Tapin", {"kecamatan": "BANJARMASIN UTARA"}, "kecamatan", "bukan kecamatan"),
    ("district of another regency by code", {"kecamatan": "63.71.01"}, "kecamatan",
     "bukan kecamatan di Kabupaten Tapin"),
    ("postcode of Banjarmasin", {"kode_pos": "70111"}, "kode_pos",
     "bukan kode pos Kabupaten Tapin (711xx)"),
    (
        "village of another district",
        {"desa_kelurahan": "BINUANG"},
        "desa_kelurahan",
        "Kecamatan TAPIN UTARA",
    ),
    ("RT of 4 digits", {"rt": "1234"}, "rt", "1 sampai 3 angka"),
    ("RW with a letter", {"rw": "A1"}, "rw", "1 sampai 3 angka"),
    ("postcode of 4 digits", {"kode_pos": "7111"}, "kode_pos", "5 angka"),
    ("email implausible", {"email": "john at example"}, "email", "email"),
    ("address missing", {"alamat": ""}, "alamat", "wajib"),
    # dates
    (
        "29 February in a non-leap year",
        {"a3_tanggal_lahir": "29-02-2013"},
        "a3_tanggal_lahir",
        "bukan tanggal yang sah",
    ),
    (
        "NIK of 29 February in a non-leap year",
        {"a3_nik": "6305046902130003"},
        "a3_nik",
        "bukan tanggal yang sah",
    ),
    ("31 April", {"a1_tanggal_lahir": "31-04-1980"}, "a1_tanggal_lahir", "bukan tanggal"),
    ("ISO date", {"a1_tanggal_lahir": "1980-03-15"}, "a1_tanggal_lahir", "HH-BB-TTTT"),
    (
        "birth in the future",
        {"a3_tanggal_lahir": "02-12-2026", "a3_nik": "6305044212260003"},
        "a3_tanggal_lahir",
        "belum lewat",
    ),
    (
        "marriage in the future",
        {"a1_tanggal_perkawinan": "01-01-2027"},
        "a1_tanggal_perkawinan",
        "belum lewat",
    ),
    (
        "KAWIN TERCATAT without marriage date",
        {"a1_tanggal_perkawinan": ""},
        "a1_tanggal_perkawinan",
        "wajib",
    ),
    (
        "BELUM KAWIN with marriage date",
        {"a3_tanggal_perkawinan": "01-01-2020"},
        "a3_tanggal_perkawinan",
        "harus kosong",
    ),
    (
        "married before birth",
        {"a1_tanggal_perkawinan": "01-01-1979"},
        "a1_tanggal_perkawinan",
        "sebelum tanggal lahir",
    ),
    # foreigners' documents
    ("foreigner without passport", {"a1_no_paspor": ""}, "a1_no_paspor", "wajib"),
    ("passport of 10 characters", {"a1_no_paspor": "PA12345678"}, "a1_no_paspor", "ICAO"),
    ("passport with a dash", {"a1_no_paspor": "PA-12345"}, "a1_no_paspor", "ICAO"),
    ("foreigner without KITAP", {"a3_no_kitap": ""}, "a3_no_kitap", "wajib"),
    ("KITAP too short", {"a1_no_kitap": "2C21J"}, "a1_no_kitap", "6 sampai 20"),
    ("KITAP with underscore", {"a1_no_kitap": "2C21_JD0001"}, "a1_no_kitap", "6 sampai 20"),
    ("KITAP only dashes", {"a1_no_kitap": "-------"}, "a1_no_kitap", "6 sampai 20"),
    # required fields and text
    ("name missing", {"a2_nama_lengkap": ""}, "a2_nama_lengkap", "wajib"),
    ("birthplace missing", {"a2_tempat_lahir": ""}, "a2_tempat_lahir", "wajib"),
    ("religion missing", {"a2_agama": ""}, "a2_agama", "wajib"),
    ("nationality missing", {"a2_kewarganegaraan": ""}, "a2_kewarganegaraan", "wajib"),
    ("father's name missing", {"a3_nama_ayah": ""}, "a3_nama_ayah", "wajib"),
    ("mother's name missing", {"a3_nama_ibu": ""}, "a3_nama_ibu", "wajib"),
    ("sex missing", {"a3_jenis_kelamin": ""}, "a3_jenis_kelamin", "wajib"),
    ("digits in a name", {"a2_nama_lengkap": "SITI AMINAH 2"}, "a2_nama_lengkap", "angka"),
    (
        "letters the card cannot print",
        {"a1_nama_lengkap": "JOHN 李"},
        "a1_nama_lengkap",
        "tidak dapat dicetak",
    ),
    ("name too long", {"a1_nama_lengkap": "JOHN " * 20}, "a1_nama_lengkap", "terlalu panjang"),
    # the family as a whole
    ("no members", {"anggota": []}, "anggota", "Belum ada anggota"),
    (
        "eleven members",
        lambda d: d["anggota"].extend(
            dict(CHILD, nama_lengkap=f"ANAK {chr(65 + i)}", nik=f"630504690212{i + 10:04d}")
            for i in range(8)
        ),
        "anggota",
        "paling banyak 10",
    ),
    ("members not a list", {"anggota": {"nama_lengkap": "X"}}, "anggota", "daftar"),
    (
        "duplicate NIK in the family",
        _add_member(dict(CHILD, nama_lengkap="EMMA KEDUA")),
        "a4_nik",
        "sudah dipakai anggota 3",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [c[1:] for c in INVALID],
    ids=[c[0] for c in INVALID],
)
def test_invalid(changes: Any, field: str, fragment: str) -> None:
    errors = family.validate(family_with(changes), today=TODAY, area=TAPIN)
    assert {e.field for e in errors} == {field}, errors
    assert any(fragment in e.message for e in errors), errors


def test_nik_in_another_kk_names_its_register_number() -> None:
    errors = family.validate(
        FAMILY, today=TODAY, other_kk_niks={"6305046207850002": "KKWNA-2025-0007"}, area=TAPIN
    )
    assert [(e.field, e.label) for e in errors] == [("a2_nik", "Anggota 2, NIK")]
    assert "KKWNA-2025-0007" in errors[0].message
    assert "KK lain" in errors[0].message


def test_every_extra_head_is_named() -> None:
    data = family_with(
        {"a2_status_hubungan": "KEPALA KELUARGA", "a3_status_hubungan": "KEPALA KELUARGA"}
    )
    errors = family.validate(data, today=TODAY, area=TAPIN)
    assert [e.field for e in errors] == ["a2_status_hubungan", "a3_status_hubungan"]


def test_errors_in_form_order_with_labels() -> None:
    data = family_with({"a2_nik": "1", "no_kk": "", "a1_agama": "JEDI"})
    errors = family.validate(data, today=TODAY, area=TAPIN)
    assert [e.field for e in errors] == ["no_kk", "a1_agama", "a2_nik"]
    assert errors[2] == FieldError("a2_nik", "Anggota 2, NIK", errors[2].message)
    assert errors[2].json_path == "anggota[1].nik"
    assert errors[0].json_path == "no_kk"
    assert str(errors[2]).startswith("Anggota 2, NIK: NIK harus 16 angka")


def test_validate_does_not_change_its_input() -> None:
    data = family_with({"a1_nama_lengkap": " john "})
    before = copy.deepcopy(data)
    family.validate(data, today=TODAY, area=TAPIN)
    assert data == before


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15-03-1980", date(1980, 3, 15)),
        ("5-3-1980", date(1980, 3, 5)),
        ("15/03/1980", date(1980, 3, 15)),
        (" 29-02-2024 ", date(2024, 2, 29)),
        ("29-02-2000", date(2000, 2, 29)),
        ("29-02-1900", None),
        ("29-02-2023", None),
        ("31-04-2020", None),
        ("00-01-2020", None),
        ("15-13-1980", None),
        ("1980-03-15", None),
        ("15-03-80", None),
        ("", None),
        ("kemarin", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


# --------------------------------------------------------------------------- normal form

MESSY: dict[str, Any] = {
    "no_kk": " 6305 0412 1126 0001 ",
    "alamat": "jl. brigjen  h. hasan basri no. 12",
    "rt": "3",
    "rw": 1,
    "desa_kelurahan": "rantau kiwa",
    "kecamatan": "Tapin  Utara",
    "kode_pos": "71111",
    "email": " John.Smith@Example.com ",
    "extra": "dropped",
    "anggota": [
        {
            **HEAD,
            "nama_lengkap": "john michael smith",
            "tanggal_lahir": "15/3/1980",
            "jenis_kelamin": "l",
            "no_kitap": "2c21jd0001-a",
        },
        {"nama_lengkap": "", "nik": None},
        {k: v.lower() for k, v in WIFE.items()},
    ],
}


def test_normalise() -> None:
    norm = family.normalise(MESSY, area=TAPIN)
    assert set(norm) == {*family.HEADER_KEYS, "anggota"}
    assert norm["no_kk"] == "6305041211260001"
    assert norm["alamat"] == "JL. BRIGJEN H. HASAN BASRI NO. 12"
    assert (norm["rt"], norm["rw"]) == ("003", "001")
    assert (norm["kecamatan"], norm["desa_kelurahan"]) == ("TAPIN UTARA", "RANTAU KIWA")
    assert norm["email"] == "John.Smith@Example.com"
    assert len(norm["anggota"]) == 2
    head, wife = norm["anggota"]
    assert head == HEAD
    assert wife == WIFE
    assert family.validate(MESSY, today=TODAY, area=TAPIN) == []


def test_normalise_is_idempotent() -> None:
    once = family.normalise(MESSY, area=TAPIN)
    assert family.normalise(once, area=TAPIN) == once


@pytest.mark.parametrize(
    "data",
    [FAMILY, INTERFACE_EXAMPLE, MESSY, {"anggota": []}, {}],
    ids=["family", "interface example", "messy", "no members", "empty"],
)
def test_form_fields_round_trip(data: dict[str, Any]) -> None:
    fields = family.to_form_fields(data, area=TAPIN)
    assert family.from_form_fields(fields, area=TAPIN) == family.normalise(data, area=TAPIN)


def test_form_fields_names_and_slots() -> None:
    fields = family.to_form_fields(FAMILY, area=TAPIN)
    assert len(fields) == len(family.HEADER_KEYS) + 10 * len(family.MEMBER_KEYS)
    assert fields["a1_nik"] == "6305041503800001"
    assert fields["a3_nama_ibu"] == "SITI AMINAH"
    assert fields["a10_nik"] == ""
    assert fields["kode_pos"] == "71111"


def test_from_form_fields_skips_empty_slots_and_other_fields() -> None:
    fields = {
        key: value
        for key, value in family.to_form_fields(FAMILY, area=TAPIN).items()
        if not key.startswith("a2_")
    }
    fields.update({f"a5_{k}": v for k, v in WIFE.items()})
    fields.update({"kasus": "KKWNA-2026-0001", "keputusan": "setuju", "a11_nik": "1"})
    data = family.from_form_fields(fields, area=TAPIN)
    assert [m["nama_lengkap"] for m in data["anggota"]] == [
        "JOHN MICHAEL SMITH",
        "EMMA SMITH",
        "SITI AMINAH",
    ]
    assert "kasus" not in data


def test_validate_form_fields_names_the_slot_the_operator_used() -> None:
    fields = {
        key: value
        for key, value in family.to_form_fields(FAMILY, area=TAPIN).items()
        if not key.startswith("a2_")
    }
    fields.update({f"a5_{k}": v for k, v in WIFE.items()})
    fields["a5_agama"] = "JEDI"
    errors = family.validate_form_fields(fields, today=TODAY, area=TAPIN)
    assert [(e.field, e.label) for e in errors] == [("a5_agama", "Anggota 5, Agama")]
    # the JSON form numbers members as they come
    as_json = family.from_form_fields(fields, area=TAPIN)
    assert [e.field for e in family.validate(as_json, today=TODAY, area=TAPIN)] == ["a3_agama"]


def test_helpers() -> None:
    assert family.head_of_family(FAMILY) == HEAD
    assert family.head_of_family({"anggota": [WIFE]}) is None
    assert family.niks(FAMILY) == [HEAD["nik"], WIFE["nik"], CHILD["nik"]]
    assert family.MEMBER_KEYS[:2] == ("nama_lengkap", "nik")
    assert len(family.MEMBER_KEYS) == 17
    assert family.MAX_MEMBERS == 10


# --------------------------------------------------------------------------- refdata


def test_refdata_regions() -> None:
    districts = refdata.districts("6305")
    assert len(districts) == 12
    assert districts["630504"] == "Tapin Utara"
    assert refdata.district_code("TAPIN UTARA", "6305") == "630504"
    assert refdata.district_code("63.05.04", "6305") == "630504"
    assert refdata.district_code("Banjarmasin", "6305") is None
    assert refdata.villages("630504")["6305041004"] == "Rantau Kiwa"
    assert refdata.villages("999999") == {}
    assert refdata.village_code("tapin utara", "RANTAU  KIWA", "6305") == "6305041004"
    assert refdata.village_caps("630501", "a. yani pura", "6305") == "A. YANI PURA"
    assert refdata.district_caps("630506", "6305") == "CANDI LARAS UTARA"
    assert refdata.province_name("6305") == "Kalimantan Selatan"
    assert refdata.regency_name("6305") == "Kabupaten Tapin"
    assert sum(len(refdata.villages(code)) for code in districts) == 135


@pytest.mark.parametrize(
    ("name", "count", "first"),
    [
        ("agama", 7, "ISLAM"),
        ("pendidikan", 10, "TIDAK/BELUM SEKOLAH"),
        ("pekerjaan", 89, "BELUM/TIDAK BEKERJA"),
        ("hubungan-keluarga", 11, "KEPALA KELUARGA"),
        ("golongan-darah", 13, "A"),
        ("status-perkawinan", 6, "BELUM KAWIN"),
    ],
)
def test_refdata_value_lists(name: str, count: int, first: str) -> None:
    values = refdata.value_list(name)
    assert len(values) == count
    assert values[0] == first
    assert all(v == v.upper() for v in values)


def test_refdata_unknown_list() -> None:
    with pytest.raises(KeyError):
        refdata.value_list("suku")
    assert refdata.JENIS_KELAMIN == ("LAKI-LAKI", "PEREMPUAN")


# --------------------------------------------------------------------------- short forms


@pytest.mark.parametrize(
    ("key", "typed", "official"),
    [
        ("pendidikan", "S1", "DIPLOMA IV/STRATA I"),
        ("pendidikan", "d4", "DIPLOMA IV/STRATA I"),
        ("pendidikan", "S-1", "DIPLOMA IV/STRATA I"),
        ("pendidikan", "SMA", "SLTA/SEDERAJAT"),
        ("pendidikan", "smk", "SLTA/SEDERAJAT"),
        ("pendidikan", "SLTA", "SLTA/SEDERAJAT"),
        ("pendidikan", "SMP", "SLTP/SEDERAJAT"),
        ("pendidikan", "SD", "TAMAT SD/SEDERAJAT"),
        ("pendidikan", "D3", "AKADEMI/DIPLOMA III/S. MUDA"),
        ("pendidikan", "S2", "STRATA II"),
        ("pendidikan", "S3", "STRATA III"),
        ("agama", "Katolik", "KATHOLIK"),
        ("agama", "Katholik", "KATHOLIK"),
        ("agama", "Kristen Protestan", "KRISTEN"),
        ("agama", "Islam", "ISLAM"),
        ("agama", "Moslem", "ISLAM"),
        ("agama", "Hindu", "HINDU"),
        ("agama", "Buddha", "BUDHA"),
        ("agama", "Budha", "BUDHA"),
        ("agama", "Konghucu", "KHONGHUCU"),
        ("agama", "Khonghucu", "KHONGHUCU"),
        ("jenis_kelamin", "L", "LAKI-LAKI"),
        ("jenis_kelamin", "Laki-laki", "LAKI-LAKI"),
        ("jenis_kelamin", "Pria", "LAKI-LAKI"),
        ("jenis_kelamin", "P", "PEREMPUAN"),
        ("jenis_kelamin", "Wanita", "PEREMPUAN"),
        ("jenis_kelamin", "Perempuan", "PEREMPUAN"),
        ("status_perkawinan", "Kawin", "KAWIN TERCATAT"),
        ("status_perkawinan", "Belum Kawin", "BELUM KAWIN"),
        ("status_perkawinan", "Cerai Hidup", "CERAI HIDUP TERCATAT"),
        ("status_perkawinan", "cerai mati", "CERAI MATI"),
        ("status_hubungan", "Isteri", "ISTRI"),
        ("status_hubungan", "orang tua", "ORANGTUA"),
        ("jenis_pekerjaan", "IRT", "MENGURUS RUMAH TANGGA"),
        ("jenis_pekerjaan", "pns", "PEGAWAI NEGERI SIPIL (PNS)"),
        ("jenis_pekerjaan", "swasta", "KARYAWAN SWASTA"),
        ("golongan_darah", "ab", "AB"),
        ("golongan_darah", "A+", "A+"),
        ("golongan_darah", "A Rh+", "A+"),
        ("golongan_darah", "B rhesus negatif", "B-"),
        ("golongan_darah", "O positif", "O+"),
        ("golongan_darah", "AB (-)", "AB-"),
        ("golongan_darah", "0", "O"),
    ],
)
def test_short_forms_normalised_to_the_official_value(key: str, typed: str, official: str
                                                      ) -> None:
    data = family_with({f"a1_{key}": typed})
    assert family.normalise(data, area=TAPIN)["anggota"][0][key] == official
    assert official in refdata.value_list(family.LISTED[key])
    # the form fields hold the official value, the one the choice list offers
    assert family.to_form_fields(data, area=TAPIN)[f"a1_{key}"] == official
    errors = family.validate(data, today=TODAY, area=TAPIN)
    assert not [e for e in errors if e.field == f"a1_{key}"], errors


def test_an_unknown_value_is_kept_as_typed_and_refused() -> None:
    data = family_with({"a1_pendidikan": "s 4"})
    assert family.normalise(data, area=TAPIN)["anggota"][0]["pendidikan"] == "S 4"
    [error] = family.validate(data, today=TODAY, area=TAPIN)
    assert error.field == "a1_pendidikan"
    assert "'S 4' tidak ada dalam daftar" in error.message


def test_every_short_form_names_an_official_value() -> None:
    # refdata checks singkatan.csv when it loads it: a misspelt value would raise here
    for name in refdata.LIST_NAMES:
        for value in refdata.value_list(name):
            assert refdata.canonical(name, value.lower()) == value
    assert refdata.canonical("agama", "JEDI") is None


# --------------------------------------------------------------------------- the office's area

BANJAR = refdata.OfficeArea(regency="63.03", postcode_prefixes=())
# Kecamatan Aluh Aluh (63.03.01), Desa Bakambat (63.03.01.2001), Kabupaten Banjar
BANJAR_ADDRESS = {
    "no_kk": "6303011211260001",
    "kecamatan": "Aluh Aluh",
    "desa_kelurahan": "bakambat",
    "kode_pos": "70655",
}


def test_another_regency_runs_kkwna_from_its_profile() -> None:
    data = family_with(BANJAR_ADDRESS)
    assert family.validate(data, today=TODAY, area=BANJAR) == []
    norm = family.normalise(data, area=BANJAR)
    assert (norm["kecamatan"], norm["desa_kelurahan"]) == ("ALUH ALUH", "BAKAMBAT")
    fields = family.to_form_fields(data, area=BANJAR)
    assert family.validate_form_fields(fields, today=TODAY, area=BANJAR) == []
    # the same address is foreign to Tapin: district, No. KK and postcode refused
    errors = {e.field: e.message for e in family.validate(data, today=TODAY, area=TAPIN)}
    assert set(errors) == {"no_kk", "kecamatan", "kode_pos"}
    assert "'ALUH ALUH' bukan kecamatan di Kabupaten Tapin" in errors["kecamatan"]


def test_tapin_address_refused_by_banjar() -> None:
    errors = family.validate(FAMILY, today=TODAY, area=BANJAR)
    assert {e.field for e in errors} == {"no_kk", "kecamatan"}
    assert any("bukan kecamatan di Kabupaten Banjar" in e.message for e in errors)


def test_refdata_regions_of_indonesia() -> None:
    banjar = refdata.regency("6303")
    assert (banjar.name, banjar.province, banjar.dotted) == (
        "Kabupaten Banjar", "Kalimantan Selatan", "63.03"
    )
    assert refdata.regency("63.03") is banjar
    assert banjar.districts["630301"] == "Aluh Aluh"
    assert refdata.villages("630301")["6303012001"] == "Bakambat"
    assert refdata.regency_name("6371") == "Kota Banjarmasin"
    assert refdata.regency_code("63.05") == "6305"
    assert refdata.regency_code("63.99") is None
    with pytest.raises(refdata.UnknownRegion, match="tidak ada dalam daftar Kemendagri"):
        refdata.regency("6399")
    with pytest.raises(refdata.UnknownRegion, match="4 angka"):
        refdata.regency("63")
    # every district of Indonesia and the retired ones may start a NIK
    assert refdata.is_nik_district("317101")
    assert refdata.is_nik_district("910101") and refdata.retired_since("910101") == "2022"
    assert refdata.retired_since("630504") is None
    assert not refdata.is_nik_district("639901")
    # a village name with a comma in it (quoted in the CSV) is read whole
    assert refdata.villages("120728")["1207281007"] == "Lubuk Pakam I,II"


def test_refdata_loads_lazily_and_fast() -> None:
    import subprocess
    import sys

    code = (
        "import time; t0 = time.perf_counter(); from pipeline.domain import family, refdata; "
        "t1 = time.perf_counter(); refdata.regency('6305'); refdata.is_nik_district('317101'); "
        "t2 = time.perf_counter(); print(t1 - t0, t2 - t1)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    import_s, first_use_s = map(float, out.stdout.split())
    assert import_s < 0.5, import_s  # nothing read at import
    assert first_use_s < 0.5, first_use_s  # the national file scanned, not parsed whole


def test_kk_numbers_on_their_own() -> None:
    from pipeline.domain import kk_numbers

    # an Indonesian wife with a Banjarmasin NIK (63.71.01), day 22 + 40
    assert kk_numbers.nik_problems("6371016207850002", "PEREMPUAN", date(1985, 7, 22)) == []
    [problem] = kk_numbers.nik_problems("0000006207850002", "PEREMPUAN")
    assert problem.startswith("Kode wilayah 00.00.00 pada 6 angka pertama NIK bukan kode")
    assert kk_numbers.no_kk_problems("6305041211260001", TAPIN) == []
    assert kk_numbers.no_kk_problems("6303011211260001", BANJAR) == []
    assert "Kabupaten Banjar" in kk_numbers.no_kk_problems("6305041211260001", BANJAR)[0]
