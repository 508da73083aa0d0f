"""The records section of kkwna.toml: `[arsip.<layanan>]`, per service, the archive
classification code (ANRI's scheme), the retention schedule (JRA: active and inactive
years) and the final disposition of the case files.

Keyed by the service's code ("kk-wna" today; other services of the office get their own
table) so that a second service never changes the first one's schedule. The default is a
default only: the office's archivist confirms it against the regency's own JRA.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from pipeline.office.config_schema import Problems, key, read

SERVICE = "kk-wna"  # the one service kkwna runs today
DISPOSITIONS = ("musnah", "permanen", "dinilai kembali")


@dataclass(frozen=True)
class RecordsClass:
    """How the case files of one service are classified and kept."""

    layanan: str = field(metadata=key(skip=True))  # the service's code, its table's key
    nama: str  # the service's name as printed: "Penerbitan KK WNA"
    kode: str = field(metadata=key("kode_klasifikasi"))  # the classification: "470/KK-WNA"
    # years in the office's active archive, and in the inactive archive after that
    aktif: int = field(metadata=key("retensi_aktif", minimum=0, maximum=500))
    inaktif: int = field(metadata=key("retensi_inaktif", minimum=0, maximum=500))
    nasib_akhir: str = field(metadata=key(choices=DISPOSITIONS))

    @property
    def years(self) -> int:
        """The whole retention: active plus inactive years."""
        return self.aktif + self.inaktif

    def as_detail(self) -> dict[str, Any]:
        """As recorded at filing (the register event's detail, provenance.json)."""
        return {"layanan": self.layanan, "nama_layanan": self.nama, "kode": self.kode,
                "retensi_aktif_tahun": self.aktif, "retensi_inaktif_tahun": self.inaktif,
                "nasib_akhir": self.nasib_akhir}

    @classmethod
    def from_detail(cls, d: dict[str, Any]) -> RecordsClass:
        return cls(str(d["layanan"]), str(d["nama_layanan"]), str(d["kode"]),
                   int(d["retensi_aktif_tahun"]), int(d["retensi_inaktif_tahun"]),
                   str(d["nasib_akhir"]))

    def summary(self) -> str:
        """One line: "470/KK-WNA; retensi aktif 5 th, inaktif 5 th; dinilai kembali"."""
        return (f"{self.kode}; retensi aktif {self.aktif} th, inaktif {self.inaktif} th; "
                f"{self.nasib_akhir}")


# A default to confirm with the office's archivist: 470 is "kependudukan" in the
# classification scheme the regencies inherited from Permendagri 78/2012; the sub-code and
# the years are the office's to set. "dinilai kembali" (reappraise) never lets a schedule
# nobody checked end in destruction.
DEFAULT_CLASS = RecordsClass(SERVICE, "Penerbitan KK WNA", "470/KK-WNA", 5, 5,
                             "dinilai kembali")


def records(raw: Any, problems: Problems) -> tuple[RecordsClass, ...]:
    """[arsip.<layanan>] tables; the default for kk-wna when the office set none."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problems.add("[arsip]", None, f"harus tabel seperti [arsip.{SERVICE}]")
        raw = {}
    out = {}
    for name, table in raw.items():
        default = DEFAULT_CLASS if name == SERVICE else None
        out[name] = read(RecordsClass, table, f"[arsip.{name}]", problems,
                         given={"layanan": name},
                         defaults=dataclasses.asdict(default) if default else None)
    out.setdefault(SERVICE, DEFAULT_CLASS)
    return tuple(out.values())


# The [arsip.kk-wna] table kkwna.toml starts with: DEFAULT_CLASS written out literally
# (tests/test_config_write.py holds the two equal); a value a command sets goes through
# tomlkit (`config_write.edit`), never through our own escaping.
RECORDS_SECTION = '''
# Klasifikasi dan retensi arsip per layanan (JRA). Nilai di bawah adalah BAWAAN: mohon
# dikonfirmasi dengan arsiparis kantor menurut JRA kabupaten. Setiap berkas mencatat
# nilai yang berlaku saat diarsipkan; perubahan di sini tidak mengubah berkas lama.
[arsip.kk-wna]
nama = "Penerbitan KK WNA"
kode_klasifikasi = "470/KK-WNA"  # 470 = kependudukan; sub-kode kantor
retensi_aktif = 5            # tahun di arsip aktif, sejak diarsipkan
retensi_inaktif = 5          # tahun di arsip inaktif sesudahnya
nasib_akhir = "dinilai kembali"  # musnah | permanen | dinilai kembali
'''


def records_section() -> str:
    """The [arsip.kk-wna] table kkwna.toml starts with."""
    return RECORDS_SECTION
