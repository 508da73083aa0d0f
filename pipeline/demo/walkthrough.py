"""`kkwna demo`: one application driven through all 11 SOP steps, exactly as staff would.

A new office folder with the demonstration PKI; the front office drops the sample scans
(`pipeline.demo.sample_scans`) of a sample family into inbox/; the watcher takes them; every
desk form is filled and saved the way a PDF reader saves it (`fill_form`) by the demo
officers of kkwna.toml, and the watcher runs again; the head of office signs with the demo
key; the applicant's collection slip is handed in at the hand-over desk; then the month's
report. The result names every document in SOP order; the home is left in place to look at.
"""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pypdf
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from pipeline import flow
from pipeline.demo.sample_scans import Validity, application_form, kitap_card, passport_page
from pipeline.desks.placing import error_path
from pipeline.domain import clock, family, sop
from pipeline.domain.case import Case
from pipeline.domain.errors import UserError
from pipeline.domain.model import Env
from pipeline.office import config, config_write
from pipeline.office import home as homes
from pipeline.office.fsutil import atomic_write_bytes, atomic_write_text
from pipeline.reports import report
from pipeline.steps import handler, signature
from pipeline.store.register import Register
from pipeline.watcher import Watcher

if TYPE_CHECKING:  # signing is a slow import, for this command only
    from pipeline.signing.pki import DemoPKI

# pyHanko warns that revocation data "will be embedded, but fetching is not allowed": the
# demo PKI's CRL is embedded from kkwna.toml, there is nothing to fetch, nothing to warn of
PYHANKO_FETCH_WARNING = "pyhanko.sign.signers.pdf_signer"
#: the quiet time the demo office's watcher waits for: the scans are written before it runs
STABLE_SECONDS = 0.1

ADDRESS: dict[str, str] = {
    "no_kk": "6305041211260001",
    "alamat": "JL. BRIGJEN H. HASAN BASRI NO. 12",
    "rt": "003",
    "rw": "001",
    "desa_kelurahan": "RANTAU KIWA",
    "kecamatan": "TAPIN UTARA",
    "kode_pos": "71111",
    "email": "",
}
# INTERFACE.md's example family: the head as given there, his wife and their daughter
HEAD: dict[str, str] = {
    "nama_lengkap": "JOHN MICHAEL SMITH", "nik": "6305041503800001",
    "jenis_kelamin": "LAKI-LAKI", "tempat_lahir": "MELBOURNE", "tanggal_lahir": "15-03-1980",
    "agama": "KRISTEN", "pendidikan": "DIPLOMA IV/STRATA I",
    "jenis_pekerjaan": "KARYAWAN SWASTA", "golongan_darah": "O",
    "status_perkawinan": "KAWIN TERCATAT", "tanggal_perkawinan": "20-06-2008",
    "status_hubungan": "KEPALA KELUARGA", "kewarganegaraan": "AUSTRALIA",
    "no_paspor": "PA1234567", "no_kitap": "2C21JD0001-A",
    "nama_ayah": "ROBERT SMITH", "nama_ibu": "MARY SMITH",
}
SPOUSE: dict[str, str] = {
    "nama_lengkap": "EMILY ROSE SMITH", "nik": "6305046208820002",
    "jenis_kelamin": "PEREMPUAN", "tempat_lahir": "SYDNEY", "tanggal_lahir": "22-08-1982",
    "agama": "KRISTEN", "pendidikan": "DIPLOMA IV/STRATA I",
    "jenis_pekerjaan": "MENGURUS RUMAH TANGGA", "golongan_darah": "A",
    "status_perkawinan": "KAWIN TERCATAT", "tanggal_perkawinan": "20-06-2008",
    "status_hubungan": "ISTRI", "kewarganegaraan": "AUSTRALIA",
    "no_paspor": "PA7654321", "no_kitap": "2C21JD0002-A",
    "nama_ayah": "DAVID BROWN", "nama_ibu": "SUSAN BROWN",
}
CHILD: dict[str, str] = {
    "nama_lengkap": "OLIVIA GRACE SMITH", "nik": "6305045004120003",
    "jenis_kelamin": "PEREMPUAN", "tempat_lahir": "RANTAU", "tanggal_lahir": "10-04-2012",
    "agama": "KRISTEN", "pendidikan": "SLTP/SEDERAJAT",
    "jenis_pekerjaan": "PELAJAR/MAHASISWA", "golongan_darah": "O",
    "status_perkawinan": "BELUM KAWIN", "tanggal_perkawinan": "",
    "status_hubungan": "ANAK", "kewarganegaraan": "AUSTRALIA",
    "no_paspor": "PA2468135", "no_kitap": "2C21JD0003-A",
    "nama_ayah": "JOHN MICHAEL SMITH", "nama_ibu": "EMILY ROSE SMITH",
}
FAMILY: dict[str, Any] = {**ADDRESS, "anggota": [HEAD, SPOUSE, CHILD]}
APPLICANT = HEAD["nama_lengkap"]  # the inbox folder's name: the case's title


class DemoError(UserError):
    """The demonstration stopped; str() says at which step and why, in Indonesian."""


@dataclass(frozen=True)
class DemoResult:
    home: Path
    case_id: str
    documents: tuple[Path, ...]  # the case's documents in SOP order, in its archive folder
    printed: tuple[Path, ...]  # the copies in print/
    report_pdf: Path
    report_csv: Path
    books: tuple[Path, ...] = ()  # the binder's label and contents, the year's two books

    def paths(self) -> list[Path]:
        """Everything to show, in the order `kkwna demo` prints it (the home last)."""
        return [*self.documents, *self.printed, *self.books, self.report_pdf, self.report_csv,
                self.home]


# --------------------------------------------------------------------------- a PDF reader


def _on_state(widget: DictionaryObject) -> str:
    """The name of a checkbox's or radio button's 'on' appearance (not /Off)."""
    states = [str(k) for k in widget["/AP"]["/N"] if k != "/Off"]  # type: ignore[index]
    return states[0]


def _choice_value(field: DictionaryObject, value: str) -> str:
    """A choice list takes one of its options (its export value where it has pairs)."""
    for option in field.get("/Opt", ArrayObject()):
        opt = option.get_object()
        if isinstance(opt, ArrayObject) and str(opt[1]) == value:
            return str(opt[0])
    return value


def fill_form(form: Path, values: Mapping[str, str | bool]) -> Path:
    """Fill *form* and save it in place, as a PDF reader does: text and choice fields get
    their value (/V), checkboxes and radio buttons their state (/AS, and /V)."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(form))
    for page in writer.pages:
        for ref in page.get("/Annots", []) or []:
            widget = ref.get_object()
            parent = widget.get("/Parent")
            field = parent.get_object() if parent is not None and "/T" not in widget else widget
            name = str(field.get("/T", ""))
            if name not in values:
                continue
            value = values[name]
            kind = field.get("/FT")
            if kind == "/Btn" and field is not widget:  # a radio button of a group
                state = _on_state(widget)
                chosen = state == f"/{value}"
                widget[NameObject("/AS")] = NameObject(state if chosen else "/Off")
                if chosen:
                    field[NameObject("/V")] = NameObject(state)
            elif kind == "/Btn":  # a checkbox
                state = _on_state(widget) if value in (True, "ya") else "/Off"
                widget[NameObject("/AS")] = NameObject(state)
                widget[NameObject("/V")] = NameObject(state)
            elif kind == "/Ch":
                field[NameObject("/V")] = TextStringObject(_choice_value(field, str(value)))
            else:
                writer.update_page_form_field_values(page, {name: str(value)},
                                                     auto_regenerate=False)
    buf = io.BytesIO()
    writer.write(buf)
    atomic_write_bytes(form, buf.getvalue())
    return form


# --------------------------------------------------------------------------- the office


def new_home(folder: Path | None) -> homes.Home:
    """A fresh office in *folder* (which must be new or empty), or in a new temp folder."""
    if folder is None:
        root = Path(tempfile.mkdtemp(prefix="kkwna-demo-"))
    else:
        root = folder.expanduser().resolve()
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise DemoError(f"folder {root} sudah berisi berkas; demo memerlukan folder "
                            f"baru atau kosong")
    home = homes.Home(root)
    homes.init(home)
    Register(home.register_path).close()
    path = home.root / config.FILENAME
    quick = config_write.edit(path.read_text(encoding="utf-8"),
                              {("watch", "stable_seconds"): STABLE_SECONDS})
    atomic_write_text(path, quick)
    return home


def _years_after(day: date, years: int) -> date:
    return day.replace(year=day.year + years, day=min(day.day, 28))


def validity(today: date) -> Validity:
    """Passport and KITAP dates that are valid today, as on the sample scans."""
    return Validity(passport_issued=_years_after(today, -4),
                    passport_expires=_years_after(today, 6),
                    kitap_issued=_years_after(today, -1),
                    kitap_expires=_years_after(today, 4))


def drop_application(env: Env, valid: Validity, today: date) -> Path:
    """What the front office scans: a folder named after the applicant in inbox/."""
    folder = env.home.inbox / APPLICANT
    office = {"provinsi": env.cfg.office.provinsi, "kabupaten": env.cfg.office.kabupaten,
              "kota": env.cfg.office.kota}
    passport_page(folder / "1 paspor.jpg", HEAD, valid)
    address = f"{ADDRESS['alamat']}, {ADDRESS['desa_kelurahan']}, {env.cfg.office.kabupaten}"
    kitap_card(folder / "2 kitap.jpg", HEAD, address, valid)
    application_form(folder / "3 formulir F-1.01.pdf", FAMILY, office, today)
    return folder


def _officer(env: Env, step: int) -> dict[str, str]:
    role = sop.step(step).decider.key
    officers = env.cfg.officers_for(role)
    if not officers:
        raise DemoError(f"kkwna.toml tidak menyebut petugas untuk peran {role}")
    return {"petugas_nama": officers[0].nama, "petugas_nip": officers[0].nip}


def desk_values(env: Env, case: Case, valid: Validity) -> dict[str, str | bool]:
    """What the officer at the case's desk types and ticks on its form to approve it: of
    everything the demo staff know about the application, the fields that form has."""
    known: dict[str, str | bool] = {
        # the front office's checklist: all three papers there, the applicant in person
        "cek_formulir": True, "cek_kitap": True, "cek_paspor": True,
        "cek_hadir_sendiri": True,
        # the verifier copies the numbers and dates from the passport and the KITAP
        "no_paspor": HEAD["no_paspor"],
        "paspor_berlaku_sampai": family.format_date(valid.passport_expires),
        "no_kitap": HEAD["no_kitap"],
        "kitap_berlaku_sampai": family.format_date(valid.kitap_expires),
        "data_valid": True, "bukan_data_ganda": True,
        # the SIAK operator types the family from the F-1.01
        **family.to_form_fields(FAMILY, area=env.cfg.area),
        # at the hand-over the applicant shows the slip and collects the card himself
        "penerima_nama": APPLICANT,
    }
    if case.collection_code:
        known["kode_pengambilan"] = case.collection_code
    own = {key: known[key] for key in handler(case.step).fields if key in known}
    return {**own, "keputusan": "setuju", **_officer(env, case.step)}


class Office:
    """The demo office at work: its watcher, its register, its desks."""

    def __init__(self, home: homes.Home) -> None:
        self.env = Env(home, config.load(home.root))
        self.reg = Register(home.register_path)

    def close(self) -> None:
        self.reg.close()

    def watch_once(self) -> None:
        Watcher(self.env.home, self.env.cfg, once=True).run()

    def case(self, case_id: str) -> Case:
        return self.reg.get(case_id)

    def desk_form(self, case: Case) -> Path:
        desk = self.env.home.desk(case.step)
        found = sorted(p for p in desk.glob(f"{case.id} *.pdf") if not p.name.startswith("."))
        if len(found) != 1:
            raise DemoError(f"langkah {case.step}: formulir {case.id} tidak ditemukan di {desk}")
        return found[0]

    def decide_at_desk(self, case_id: str, values: Mapping[str, str | bool]) -> Case:
        """Fill the case's form on its desk, save it, let the watcher take it."""
        before = self.case(case_id)
        form = fill_form(self.desk_form(before), values)
        self.watch_once()
        after = self.case(case_id)
        if (after.step, after.status) == (before.step, before.status):
            errors = error_path(form)
            why = " ".join(errors.read_text(encoding="utf-8").split()) if errors.exists() \
                else "formulir tidak diproses"
            raise DemoError(f"langkah {before.step} tidak maju: {why}")
        return after


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """Keep *logger_name*'s warnings off the terminal for the length of a `with`."""
    logger = logging.getLogger(logger_name)
    saved = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(saved)


def case_documents(office: Office, case: Case) -> tuple[Path, ...]:
    """The case's documents in SOP order, in its (archive) folder."""
    rows = office.reg.documents(case.id)
    folder = office.env.home.root / case.folder
    ordered = sorted(enumerate(rows), key=lambda item: (item[1]["step"], item[0]))
    return tuple(folder / row["name"] for _, row in ordered)


def _books(home: homes.Home, documents: tuple[Path, ...], year: int) -> tuple[Path, ...]:
    """What the archive made beside the case: its binder's spine label and contents, the
    year's register book and document-collection book (those that exist)."""
    from pipeline.archive import binders, books

    binder = documents[0].parent.parent if documents else home.archive
    found = (binder / binders.LABEL, binder / binders.CONTENTS,
             books.register_book_path(home, year), books.collection_book_path(home, year))
    return tuple(p for p in found if p.is_file())


def sign_and_hand_over(office: Office, case: Case, pki: DemoPKI,
                       values: Callable[[Case], Mapping[str, str | bool]]) -> Case:
    """Drive *case* from the desk it waits on to the applicant: each desk's form filled
    with *values* (of the case as it stands there) and saved, the TTE signed with the demo
    head's key, the card collected. Raises `DemoError` naming the step that stopped."""
    from pipeline.signing.backends import P12Backend
    from pipeline.signing.keys import read_passphrase

    env = office.env
    signing = signature().step.number
    while case.status == "open" and case.step < signing:  # the desks, then the TTE draft
        case = office.decide_at_desk(case.id, values(case))
    if case.step != signing:
        raise DemoError(f"{case.id} tidak menunggu tanda tangan (langkah {case.step})")
    with _quiet(PYHANKO_FETCH_WARNING):
        backend = P12Backend(env.tte, pki.head_of_office_p12,
                             read_passphrase(pki.passphrase_file))
        flow.sign_from_terminal(env, office.reg, case.id, backend=backend)
    case = office.case(case.id)
    if case.status != "open" or not case.collection_code:
        raise DemoError(f"{case.id}: KK tidak menunggu penyerahan (langkah {case.step})")
    case = office.decide_at_desk(case.id, values(case))
    if case.status != "issued":
        raise DemoError(f"{case.id} belum diserahkan (status {case.status})")
    return case


def new_demo_office(folder: Path | None = None) -> tuple[homes.Home, DemoPKI]:
    """A new office in *folder* with the demonstration PKI."""
    from pipeline.signing.demo import set_up_demo  # slow imports: cryptography, pyHanko

    home = new_home(folder)
    return home, set_up_demo(home)


def issue_sample(office: Office, pki: DemoPKI) -> DemoResult:
    """Drive the sample family's application from the inbox to the archive binder, write
    the month's report."""
    home, env = office.env.home, office.env
    today = clock.now(env.cfg.tz).date()
    valid = validity(today)
    drop_application(env, valid, today)
    office.watch_once()
    opened = [c for c in office.reg.cases("open") if c.title == APPLICANT]
    if len(opened) != 1:
        raise DemoError("langkah 1: berkas contoh tidak menjadi kasus (lihat quarantine/)")
    case = sign_and_hand_over(office, opened[0], pki, lambda c: desk_values(env, c, valid))
    received = case.received_at.astimezone(env.cfg.tz)
    pdf = report.write_report(home, env.cfg, office.reg, received.year, received.month)
    printed = tuple(sorted(p for p in home.print.glob(f"{case.id}*")
                           if not p.name.startswith(".")))
    documents = case_documents(office, case)
    return DemoResult(home=home.root, case_id=case.id, documents=documents,
                      printed=printed, report_pdf=pdf, report_csv=pdf.with_suffix(".csv"),
                      books=_books(home, documents, received.year))


def run_demo(folder: Path | None = None) -> DemoResult:
    """Set up a demo office, drive one application from the inbox to the archive binder,
    write the month's report. Raises `DemoError` (or another `KkwnaError`) if a step
    does not go through."""
    home, pki = new_demo_office(folder)
    office = Office(home)
    try:
        return issue_sample(office, pki)
    except DemoError as exc:  # name the office left behind, to look at what happened
        raise DemoError(f"{exc} (folder demo: {home.root})") from None
    finally:
        office.close()
