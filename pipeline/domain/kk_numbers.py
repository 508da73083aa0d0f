"""The two numbers on a KK, NIK and No. KK, checked digit by digit (Indonesian messages).

Both are 16 digits, ``PPKKCC DDMMYY SSSS`` (see ``pipeline/data/README.md``):

- a NIK starts with the district where it was first issued, anywhere in Indonesia, and
  keeps it for life, even when that district code was retired since (Papua's 2022
  split): so any district of the national list or of the retired list is accepted;
- a No. KK is issued by this office, so its district is one of the office's regency.
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.domain import refdata


def _dotted_district(code: str) -> str:
    return f"{code[:2]}.{code[2:4]}.{code[4:6]}"


def _own_district_message(prefix: str, area: refdata.OfficeArea) -> str:
    """Why a No. KK's district is refused: this office issues KKs for its own regency."""
    region = refdata.regency(area.regency)
    return (
        f"Kode kecamatan {_dotted_district(prefix)} pada No. KK bukan kecamatan di "
        f"{region.name} ({region.dotted}.xx); No. KK diterbitkan oleh kantor ini, jadi "
        f"6 angka pertamanya harus kode salah satu dari {len(region.districts)} kecamatan "
        f"{region.name}"
    )


def _nik_district_message(prefix: str) -> str:
    return (
        f"Kode wilayah {_dotted_district(prefix)} pada 6 angka pertama NIK bukan kode "
        "kecamatan mana pun di Indonesia (daftar Kemendagri, termasuk kode lama sejak 2018); "
        "periksa kembali NIK pada dokumen kependudukannya"
    )


def _real_yymmdd(day: int, month: int, yy: int) -> bool:
    """Is DD-MM-YY a real date in some century (1900s or 2000s)?"""
    for century in (2000, 1900):
        try:
            date(century + yy, month, day)
            return True
        except ValueError:
            continue
    return False


def no_kk_problems(no_kk: str, area: refdata.OfficeArea) -> list[str]:
    """What is wrong with a No. KK (digits only) issued by the office of *area*; [] if nothing.

    ``PPKKCC DDMMYY SSSS``: a district of the office's own regency, the recording date
    (no +40), a serial from 0001.
    """
    problems: list[str] = []
    if not re.fullmatch(r"\d{16}", no_kk):
        return [f"No. KK harus 16 angka (terisi {len(no_kk)} karakter)"]
    if not refdata.is_district_code(no_kk[:6], area.regency):
        problems.append(_own_district_message(no_kk[:6], area))
    day, month, yy = int(no_kk[6:8]), int(no_kk[8:10]), int(no_kk[10:12])
    try:
        date(2000 + yy, month, day)
    except ValueError:
        extra = " (No. KK tidak memakai tambahan 40 pada tanggal)" if day > 40 else ""
        problems.append(
            f"Bagian tanggal No. KK ({no_kk[6:12]}, DDMMYY) bukan tanggal yang sah{extra}"
        )
    if no_kk[12:] == "0000":
        problems.append("Nomor urut No. KK (4 angka terakhir) tidak boleh 0000")
    return problems


def nik_problems(nik: str, sex: str = "", birth: date | None = None) -> list[str]:
    """What is wrong with a NIK (digits only) of someone of *sex* ("LAKI-LAKI",
    "PEREMPUAN" or "" if unknown) born on *birth*; [] if nothing.

    ``PPKKCC DDMMYY SSSS``: the district where it was first issued, the birth date with
    40 added to a woman's day, a serial from 0001.
    """
    problems: list[str] = []
    if not re.fullmatch(r"\d{16}", nik):
        return [f"NIK harus 16 angka (terisi {len(nik)} karakter)"]
    # a NIK keeps the district where it was first issued, anywhere in Indonesia, even
    # one whose code was retired since (a spouse from Banjarmasin, a family moved in)
    if not refdata.is_nik_district(nik[:6]):
        problems.append(_nik_district_message(nik[:6]))
    dd, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = dd > 40
    day = dd - 40 if female else dd
    if not _real_yymmdd(day, month, yy):
        problems.append(
            f"Bagian tanggal lahir NIK ({nik[6:12]}, DDMMYY; hari +40 untuk perempuan) "
            "bukan tanggal yang sah"
        )
        return problems + _serial_problems(nik)
    if sex == "PEREMPUAN" and not female:
        problems.append(
            f"NIK menunjukkan laki-laki (hari lahir {dd:02d}), padahal jenis kelamin "
            f"PEREMPUAN: untuk perempuan hari lahir pada NIK ditambah 40 "
            f"(seharusnya {dd + 40:02d})"
        )
    elif sex == "LAKI-LAKI" and female:
        problems.append(
            f"NIK menunjukkan perempuan (hari lahir {dd:02d} = {day:02d} + 40), padahal "
            f"jenis kelamin LAKI-LAKI (seharusnya {day:02d})"
        )
    if birth is not None and (day, month, yy) != (birth.day, birth.month, birth.year % 100):
        problems.append(
            f"Tanggal lahir pada NIK ({day:02d}-{month:02d}-{yy:02d}) tidak sama dengan "
            f"tanggal lahir {birth:%d-%m-%Y}"
        )
    return problems + _serial_problems(nik)


def _serial_problems(nik: str) -> list[str]:
    if nik[12:] == "0000":
        return ["Nomor urut NIK (4 angka terakhir) tidak boleh 0000"]
    return []
