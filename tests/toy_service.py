"""A toy third service, known only to the test suite (issue 17: "adding a third service is a
new module with its table and any new handler, nothing else").

Everything it needs is here: its code, prefix, inbox and a two-requirement checklist, and
its table of three steps reusing the KK WNA roles, desks and handlers: intake, the front
office's checklist (which prints the collection slip) and the hand-over of its letter
against that slip. Nothing in pipeline/ names it.
"""

from __future__ import annotations

from datetime import date

from pipeline.domain import sop
from pipeline.domain.sop import APPLICANT, FRONT_OFFICE, PEMOHON, PENYERAHAN, Kind, Step
from pipeline.services import Requirement, Service

REQUIREMENTS = (
    Requirement("cek_formulir", "Formulir permohonan uji coba", True, ("formulir",),
                "Formulir permohonan uji coba diisi dan ditandatangani"),
    Requirement("cek_ktp", "KTP pemohon", False, ("ktp",)),
)

STEPS = (
    Step(1, PEMOHON, "Mengajukan berkas permohonan", 1, "Berkas persyaratan", Kind.INTAKE,
         "berkas permohonan", decided_by=FRONT_OFFICE),
    Step(2, FRONT_OFFICE, "Menerima berkas pemohon", 1, "Lembar checklist yang diparaf",
         Kind.DESK, "lembar checklist", "02-front-office", "lembar checklist", "checklist",
         APPLICANT, handler="front_office"),
    # numbered 5, not 3: its own table, so what follows the checklist is not KK WNA's step 3
    Step(5, PEMOHON, "Menerima surat dengan menunjukkan tanda bukti pengambilan", 0.5,
         "Surat Uji Coba", Kind.HANDOVER, "tanda terima penyerahan", "10-penyerahan",
         "penyerahan surat", "penyerahan", decided_by=PENYERAHAN, handler="collection"),
)

TOY = Service(
    code="uji-coba", prefix="UJI", title="Layanan Uji Coba", product="Surat Uji Coba",
    sop_number="800/999-SOP/DUKCAPIL/2026", sop_date=date(2026, 1, 2),
    requirements=REQUIREMENTS, steps=STEPS, total_minutes=2.5, inbox="inbox-uji-coba")

assert TOY.steps[1].desk == sop.FIRST_DESK.desk  # desk folders are shared by services
