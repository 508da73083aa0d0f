"""Perubahan Data Kartu Keluarga WNA: an issued KK WNA changed (a child born, a passport
renewed, a move within the regency, a member who leaves).

The office's change SOP has the KK WNA SOP's roles and desks, so its table is the KK WNA
table's eleven steps with the same roles, desks and times, its own documents' names where
they differ and its own handlers where the work differs: the checklist of its own
requirements (step 2), the verifier naming the KK it changes (3), the data entry
pre-filled from that KK's family data with the changes marked (4), the reviews showing old
and new side by side (5, 6). The TTE, printing and hand-over are KK WNA's: the new card is a
normal KK with the same No. KK and a new issue date.

Its SOP number and date are not in ../shared/sop and not known to us: the office gives them
in kkwna.toml (`[layanan.perubahan-data] nomor_sop`, `tanggal_sop`); without them the
documents print `UNKNOWN_SOP`, never an invented number.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pipeline.domain import sop
from pipeline.services.base import Requirement, Service

CODE = "perubahan-data"
UNKNOWN_SOP = "SOP Perubahan Data (nomor belum ditetapkan)"

REQUIREMENTS = (
    Requirement("cek_formulir", "Formulir perubahan data (F-1.06): Formulir Pernyataan "
                "Perubahan Elemen Data Kependudukan", True,
                ("formulir", "f-1.06", "f106", "f1.06", "f-106")),
    Requirement("cek_kk_lama", "KK lama (asli)", True, ("kk lama", "kk-lama", "kk_lama")),
    Requirement("cek_bukti_perubahan", "Bukti perubahan (akta kelahiran / paspor atau KITAP "
                "baru / surat keterangan pindah)", True,
                ("akta", "kelahiran", "bukti", "pindah", "paspor baru", "kitap baru")),
    Requirement("cek_kitap", "KITAP", True, ("kitap",)),
    # only the clerk can tell: no file name shows it
    Requirement("cek_hadir_sendiri", "Pemohon datang sendiri (tidak dikuasakan)", True),
)

# what differs from the KK WNA table, by step: its own documents' names, layouts, handlers
_OWN: dict[int, dict[str, Any]] = {
    2: {"layout": "checklist_perubahan", "handler": "change_front_office"},
    3: {"action": "Memverifikasi berkas persyaratan dan KK yang diubah",
        "document": "lembar verifikasi perubahan data",
        "form": "lembar verifikasi perubahan data", "layout": "verifikasi_perubahan",
        "handler": "change_verification"},
    4: {"action": "Menginput perubahan data dan mencetak konsep KK",
        "document": "konsep KK perubahan", "form": "formulir perubahan data KK",
        "form_copy": "formulir perubahan data KK", "layout": "input_perubahan",
        "handler": "change_data_entry"},
    5: {"document": "konsep KK perubahan dikoreksi", "form": "koreksi perubahan KK",
        "layout": "review_perubahan", "handler": "change_review"},
    6: {"document": "konsep KK perubahan diparaf", "form": "koreksi dan paraf perubahan KK",
        "layout": "review_perubahan", "handler": "change_head_review"},
}

STEPS: tuple[sop.Step, ...] = tuple(replace(s, **_OWN.get(s.number, {})) for s in sop.STEPS)

SERVICE = Service(
    code=CODE,
    prefix="PDKKWNA",
    title="Perubahan Data Kartu Keluarga WNA",
    product="Kartu Keluarga WNA",
    sop_number=UNKNOWN_SOP,
    sop_date=None,
    requirements=REQUIREMENTS,
    steps=STEPS,
    total_minutes=sop.TOTAL_MINUTES,
    inbox="inbox-perubahan-data",
)

