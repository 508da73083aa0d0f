"""`kkwna demo --service perubahan-data`: a KK issued, then changed (a child born), end to end.

First the ordinary demo (`demo.run_demo`) issues the sample family's KK. Then the family
comes back with the baby's birth certificate: the front office scans the change form, the
KK lama (the card they hold), the birth certificate and the KITAP into the service's own
inbox (`inbox-perubahan-data`); the watcher takes them; every desk form is filled and saved
as staff do (the verifier copies the No. KK from the KK lama; the data entry form, pre-filled
with the issued card's family, gets the baby on the next free row); the head of office
signs with the demo key; the family collects the new card. Both cards are printed: the old
one now verifies as DIGANTI, the new one as ASLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pipeline import services
from pipeline.demo.sample_scans import Validity, application_form, birth_certificate, kitap_card
from pipeline.demo.walkthrough import (
    APPLICANT,
    FAMILY,
    HEAD,
    DemoError,
    DemoResult,
    Office,
    case_documents,
    desk_values,
    issue_sample,
    new_demo_office,
    sign_and_hand_over,
    validity,
)
from pipeline.domain import clock, family
from pipeline.domain.case import Case
from pipeline.domain.model import Env
from pipeline.office.fsutil import atomic_copy
from pipeline.reports import report
from pipeline.services import perubahan_data
from pipeline.steps import change_base, handler

SERVICE = perubahan_data.CODE
BIRTH_CERTIFICATE = "6305-LT-{:%d%m%Y}-0001"


def newborn(today: date) -> dict[str, str]:
    """The sample family's baby, born a month before *today* (in the office's regency: its
    NIK's district and birth date are his)."""
    born = today - timedelta(days=30)
    return {key: "" for key in family.MEMBER_KEYS} | {
        "nama_lengkap": "NOAH JAMES SMITH", "nik": f"630504{born:%d%m%y}0004",
        "jenis_kelamin": "LAKI-LAKI", "tempat_lahir": "RANTAU",
        "tanggal_lahir": family.format_date(born), "agama": "KRISTEN",
        "pendidikan": "TIDAK/BELUM SEKOLAH", "jenis_pekerjaan": "BELUM/TIDAK BEKERJA",
        "golongan_darah": "O", "status_perkawinan": "BELUM KAWIN",
        "status_hubungan": "ANAK", "kewarganegaraan": "AUSTRALIA",
        # a foreign member needs both: the embassy's passport, then the immigration's KITAP
        "no_paspor": "PA9753108", "no_kitap": "2C21JD0004-A",
        "nama_ayah": HEAD["nama_lengkap"], "nama_ibu": FAMILY["anggota"][1]["nama_lengkap"]}


def changed_family(today: date) -> dict[str, object]:
    return {**FAMILY, "anggota": [*FAMILY["anggota"], newborn(today)]}


@dataclass(frozen=True)
class ChangeDemoResult:
    issued: DemoResult  # the ordinary demo: the KK first issued
    case_id: str  # the change case
    old_card: Path  # the first KK, in its archive folder: now replaced
    new_card: Path  # the changed KK, same No. KK, a new issue date
    documents: tuple[Path, ...]  # the change case's documents in SOP order
    report_pdf: Path

    def paths(self) -> list[Path]:
        """What `kkwna demo --service perubahan-data` prints: the change case's documents,
        the report, then both cards and the home last."""
        return [*self.documents, self.report_pdf, self.old_card, self.new_card,
                self.issued.home]


def drop_change(env: Env, old_card: Path, valid: Validity, today: date) -> Path:
    """What the front office scans for the change: a folder in the service's inbox."""
    inbox = env.home.root / services.get(SERVICE).inbox
    folder = inbox / APPLICANT
    folder.mkdir(parents=True, exist_ok=True)
    office = {"provinsi": env.cfg.office.provinsi, "kabupaten": env.cfg.office.kabupaten,
              "kota": env.cfg.office.kota}
    application_form(folder / "1 formulir F-1.06.pdf", changed_family(today), office, today)
    atomic_copy(old_card, folder / "2 KK lama.pdf")
    child = newborn(today)
    born = family.parse_date(child["tanggal_lahir"]) or today
    birth_certificate(folder / "3 akta kelahiran.jpg", child,
                      f"{env.cfg.office.jenis_wilayah} {env.cfg.office.kabupaten}".upper(),
                      BIRTH_CERTIFICATE.format(born))
    address = f"{FAMILY['alamat']}, {FAMILY['desa_kelurahan']}, {env.cfg.office.kabupaten}"
    kitap_card(folder / "4 kitap.jpg", HEAD, address, valid)
    return folder


def change_values(env: Env, case: Case, valid: Validity, no_kk: str,
                  today: date) -> dict[str, str | bool]:
    """The change case's desk form as staff fill it: the KK WNA demo's values where the
    fields are the same, the change's own requirements, the No. KK read from the KK lama,
    and the family with the baby on the data entry form."""
    values = desk_values(env, case, valid)
    fields = set(handler(services.of(case), case.step).fields)  # the case's own form's
    own: dict[str, str | bool] = {
        "nama_pemohon": APPLICANT,  # as the passport writes it (the clerk corrects it)
        "cek_formulir": True, "cek_kk_lama": True, "cek_bukti_perubahan": True,
        "cek_kitap": True, "cek_hadir_sendiri": True,
        "no_kk_lama": no_kk,
        **family.to_form_fields(changed_family(today), area=env.cfg.area)}
    values.update({k: v for k, v in own.items() if k in fields})
    return values


def run_change_demo(folder: Path | None = None) -> ChangeDemoResult:
    """The ordinary demo, then the change of its KK through Perubahan Data KK WNA. Raises
    `DemoError` (or another `KkwnaError`) if a step does not go through."""
    home, pki = new_demo_office(folder)
    office = Office(home)
    try:
        first = issue_sample(office, pki)
        env = office.env
        issued = office.case(first.case_id)
        old_card = home.root / issued.folder / str(issued.data["kk_ttd"])
        today = clock.now(env.cfg.tz).date()
        valid = validity(today)  # the same passport and KITAP as a moment ago
        no_kk = change_base.no_kk_of(issued)
        drop_change(env, old_card, valid, today)
        office.watch_once()
        opened = [c for c in office.reg.cases("open") if c.service == SERVICE]
        if len(opened) != 1:
            raise DemoError("langkah 1: berkas perubahan data tidak menjadi kasus "
                            "(lihat quarantine/)")
        case = sign_and_hand_over(office, opened[0], pki,
                                  lambda c: change_values(env, c, valid, no_kk, today))
        received = case.received_at.astimezone(env.cfg.tz)
        pdf = report.write_report(home, env.cfg, office.reg, received.year, received.month)
        new_card = home.root / case.folder / str(case.data["kk_ttd"])
        return ChangeDemoResult(issued=first, case_id=case.id, old_card=old_card,
                                new_card=new_card, documents=case_documents(office, case),
                                report_pdf=pdf)
    except DemoError as exc:  # name the office left behind, to look at what happened
        raise DemoError(f"{exc} (folder demo: {home.root})") from None
    finally:
        office.close()
