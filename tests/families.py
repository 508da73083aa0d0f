"""The family of INTERFACE.md's example, shared by the tests (one copy to keep right)."""

from __future__ import annotations

from typing import Any

# the head of the family, exactly as INTERFACE.md gives him
HEAD: dict[str, str] = {
    "nama_lengkap": "JOHN MICHAEL SMITH",
    "nik": "6305041503800001",
    "jenis_kelamin": "LAKI-LAKI",
    "tempat_lahir": "MELBOURNE",
    "tanggal_lahir": "15-03-1980",
    "agama": "KRISTEN",
    "pendidikan": "DIPLOMA IV/STRATA I",
    "jenis_pekerjaan": "KARYAWAN SWASTA",
    "golongan_darah": "O",
    "status_perkawinan": "KAWIN TERCATAT",
    "tanggal_perkawinan": "20-06-2008",
    "status_hubungan": "KEPALA KELUARGA",
    "kewarganegaraan": "AUSTRALIA",
    "no_paspor": "PA1234567",
    "no_kitap": "2C21JD0001-A",
    "nama_ayah": "ROBERT SMITH",
    "nama_ibu": "MARY SMITH",
}

ADDRESS: dict[str, Any] = {
    "no_kk": "6305041211260001",
    "alamat": "JL. BRIGJEN H. HASAN BASRI NO. 12",
    "rt": "003",
    "rw": "001",
    "desa_kelurahan": "RANTAU KIWA",
    "kecamatan": "TAPIN UTARA",
    "kode_pos": "71111",
    "email": "",
}
