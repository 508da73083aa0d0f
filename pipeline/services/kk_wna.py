"""Penerbitan Kartu Keluarga WNA: the service this pipeline was built for.

Its steps are the SOP table in `pipeline.domain.sop` (kept there: twenty modules import it), its
checklist the service standard's requirements (the application form and the KITAP; the
SOP's rule that the file is brought in person) and the passport the verifier reads.
Source: ../shared/sop/ (SOP 800/003-SOP/DUKCAPIL/2022, 2 January 2020, revised 1 August 2022).
"""

from __future__ import annotations

from datetime import date

from pipeline.domain import sop
from pipeline.services.base import Requirement, Service

REQUIREMENTS = (
    Requirement("cek_formulir", "Formulir permohonan KK (F-1.01)", True,
                ("formulir", "f-1.01", "f101", "f1.01", "f-101"),
                "Formulir permohonan KK (F-1.01) diisi dan ditandatangani"),
    Requirement("cek_kitap", "KITAP dari kantor imigrasi", True, ("kitap",)),
    Requirement("cek_paspor", "Paspor", False, ("paspor", "passport")),
    # only the clerk can tell: no file name shows it
    Requirement("cek_hadir_sendiri", "Pemohon datang sendiri (tidak dikuasakan)", True),
)

SERVICE = Service(
    code="kk-wna",
    prefix="KKWNA",
    title="Penerbitan Kartu Keluarga WNA",
    product="Kartu Keluarga WNA",
    sop_number=sop.SOP_NUMBER,
    sop_date=date(2020, 1, 2),
    sop_revised=sop.SOP_DATE,  # the revision in force, as the report cites it
    requirements=REQUIREMENTS,
    steps=sop.STEPS,
    total_minutes=sop.TOTAL_MINUTES,
    checklist_note="Persyaratan: berkas permohonan dan KITAP; berkas dibawa sendiri; diterima "
                   "pukul 08.00-15.00 WITA",
)
