"""The binders (odner): which binder a case goes in, its spine label and its table of contents.

A binder holds `cfg.cases_per_odner` register numbers: odner-01 of a year takes numbers
1..N, odner-02 N+1..2N, and so on, so a case's binder never depends on the order of
filing and a re-run of a half-done filing finds the same folder. label.pdf (the spine
label: office, year, binder number, first and last register number filed) and
daftar-isi.pdf (the cases in it) are rewritten each time a case is filed into the binder.

Each service has binders of its own, since its numbers are its own: KK WNA's are
archive/<YYYY>/odner-<NN>/ (as before services), another service's are beside them as
archive/<YYYY>/odner-<code>-<NN>/ (odner-perubahan-data-01), at the same depth, so every
walk of `<YYYY>/odner-*/<case>` (fixity, replicas, the register-against-disk check) finds
them; the label and contents name the service.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from reportlab.lib.units import mm

import pipeline.archive.records as records
import pipeline.archive.sheets as sheets
from pipeline import services
from pipeline.archive.sheets import Column, Sheet
from pipeline.domain import clock
from pipeline.domain.case import Case
from pipeline.office.config import Config
from pipeline.office.config_archive import RecordsClass
from pipeline.office.home import Home
from pipeline.render.fonts import BOLD, REGULAR, fit_size
from pipeline.render.render import clean
from pipeline.store.register import Register

LABEL = "label.pdf"
CONTENTS = "daftar-isi.pdf"
READ_ONLY = 0o444
STATUS = {"issued": "KK terbit dan diserahkan", "returned": "Dikembalikan kepada pemohon"}

CONTENTS_COLUMNS = (
    Column("No.", "no", 0.06, "center"),
    Column("Nomor register", "nomor_register", 0.2),
    Column("Nama pemohon", "pemohon", 0.27),
    Column("Keadaan", "keadaan", 0.22),
    Column("Tanggal diarsipkan", "diarsipkan", 0.15, "center"),
    Column("Dokumen", "dokumen", 0.1, "center"),
)


def odner_number(cfg: Config, case: Case) -> int:
    return (case.seq - 1) // cfg.cases_per_odner + 1


def binder_name(number: int, service: str = services.DEFAULT) -> str:
    """"odner-01" for KK WNA, "odner-<code>-01" for another service (see the module notes)."""
    if service == services.DEFAULT:
        return f"odner-{number:02d}"
    return f"odner-{service}-{number:02d}"


def binder_of(name: str) -> tuple[str, int]:
    """A binder folder's (service, number): "odner-03" -> ("kk-wna", 3),
    "odner-perubahan-data-01" -> ("perubahan-data", 1)."""
    code, _, number = name.removeprefix("odner-").rpartition("-")
    return code or services.DEFAULT, int(number)


def odner_folder(home: Home, year: int, number: int, service: str = services.DEFAULT) -> Path:
    return home.archive / str(year) / binder_name(number, service)


def _service(code: str) -> tuple[str, str]:
    """What the label and the contents call the binder's cases: (spine, contents)."""
    if code == services.DEFAULT:  # as before services
        return "KARTU KELUARGA WNA", "Arsip permohonan Kartu Keluarga WNA"
    try:
        title = services.get(code).title
    except KeyError:
        title = code
    return title.upper(), f"Arsip permohonan {title}"


def filed_cases(home: Home, reg: Register, folder: Path) -> list[dict[str, str]]:
    """The cases the register says are filed in *folder* (a binder), in register order."""
    prefix = folder.relative_to(home.root).as_posix() + "/"
    rows = reg.db.execute(
        "SELECT c.id, c.title, c.status,"
        " (SELECT d.at FROM documents d WHERE d.case_id = c.id AND d.name = 'riwayat.pdf')"
        " AS filed_at,"
        " (SELECT COUNT(*) FROM documents d WHERE d.case_id = c.id) AS docs"
        " FROM cases c WHERE c.folder LIKE ? ESCAPE '\\' ORDER BY c.year, c.seq",
        (_like(prefix) + "%",)).fetchall()
    out = []
    for n, r in enumerate(rows, start=1):
        out.append({"no": str(n), "nomor_register": r["id"], "pemohon": r["title"],
                    "keadaan": STATUS.get(r["status"], r["status"]),
                    "diarsipkan": r["filed_at"] or "", "dokumen": str(r["docs"])})
    return out


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def write_binder_sheets(home: Home, cfg: Config, reg: Register, year: int, number: int,
                        service: str = services.DEFAULT) -> tuple[Path, Path]:
    """Rewrite the binder's label.pdf and daftar-isi.pdf from the register."""
    folder = odner_folder(home, year, number, service)
    folder.mkdir(parents=True, exist_ok=True)
    cases = filed_cases(home, reg, folder)
    for c in cases:
        if c["diarsipkan"]:
            c["diarsipkan"] = clock.stamp(datetime.fromisoformat(c["diarsipkan"]), cfg.tz)
    first = cases[0]["nomor_register"] if cases else "-"
    last = cases[-1]["nomor_register"] if cases else "-"
    # the classifications recorded at filing; an empty binder shows what its cases will get
    kept = (records.classes(reg, [c["nomor_register"] for c in cases])
            or [cfg.records_class(service)])
    spine, about = _service(service)
    label = _write_label(cfg, year, number, first, last, len(cases), folder / LABEL, kept,
                         spine)
    contents = _write_contents(cfg, year, number, cases, folder / CONTENTS, about)
    return label, contents


def _write_label(cfg: Config, year: int, number: int, first: str, last: str, count: int,
                 out: Path, kept: list[RecordsClass],
                 spine: str = "KARTU KELUARGA WNA") -> Path:
    """A spine label, 60 mm wide, drawn on A4 with cutting marks round it; *spine* names
    the service (KK WNA's words by default; a longer title is cut into two lines)."""
    office = cfg.office_data()
    buf = io.BytesIO()
    title = f"Label punggung odner {number:02d} tahun {year}"
    if spine != "KARTU KELUARGA WNA":
        title += f" ({spine.lower()})"
    c = sheets.new_sheet_canvas(buf, Sheet((), title, "", sheets.PORTRAIT))
    page_w, page_h = sheets.PORTRAIT
    w, h = 60 * mm, 250 * mm
    x0, y0 = (page_w - w) / 2, (page_h - h) / 2
    c.setLineWidth(1.2)
    c.rect(x0, y0, w, h)
    inner = w - 8 * mm

    def centred(text: str, y: float, font: str, size: float) -> None:
        text = clean(text, font)
        s = fit_size(text, font, size, inner)
        c.setFont(font, s)
        c.drawCentredString(page_w / 2, y, text)

    y = y0 + h - 14 * mm
    for line in (office["pemerintah"], office["dinas"], office["wilayah"].upper()):
        centred(line, y, BOLD, 8)
        y -= 11
    c.setLineWidth(0.6)
    c.line(x0 + 4 * mm, y, x0 + w - 4 * mm, y)
    centred("ARSIP", y - 24, REGULAR, 12)
    named = _two_lines(spine, BOLD, 12, inner)
    if len(named) == 1:
        centred(named[0], y - 40, BOLD, 12)
    else:  # the second line in the gap above TAHUN
        centred(named[0], y - 40, BOLD, 11)
        centred(named[1], y - 54, BOLD, 11)
    centred("TAHUN", y - 90, REGULAR, 12)
    centred(str(year), y - 130, BOLD, 40)
    centred("ODNER", y - 190, REGULAR, 12)
    centred(f"{number:02d}", y - 250, BOLD, 56)
    c.line(x0 + 4 * mm, y - 275, x0 + w - 4 * mm, y - 275)
    centred("NOMOR REGISTER", y - 300, REGULAR, 9)
    centred(first, y - 322, BOLD, 12)
    centred("s.d.", y - 340, REGULAR, 9)
    centred(last, y - 358, BOLD, 12)
    centred(f"{count} berkas (kapasitas {cfg.cases_per_odner})", y - 385, REGULAR, 8)
    c.line(x0 + 4 * mm, y - 400, x0 + w - 4 * mm, y - 400)
    centred("KLASIFIKASI ARSIP", y - 420, REGULAR, 9)
    y -= 442
    for rec in kept[:3]:  # more than one: kkwna.toml changed while the binder filled
        centred(rec.kode, y, BOLD, 12)
        centred(f"retensi aktif {rec.aktif} th + inaktif {rec.inaktif} th", y - 15, REGULAR, 8)
        centred(f"nasib akhir: {rec.nasib_akhir}", y - 27, REGULAR, 8)
        y -= 48
    c.setFont(REGULAR, 6)
    c.drawCentredString(page_w / 2, y0 - 12, clean("Gunting menurut garis; tempel pada "
                                                   "punggung odner.", REGULAR))
    c.showPage()
    c.save()
    sheets.save(buf, out, title)
    out.chmod(READ_ONLY)
    return out


def _two_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """*text* on one line when it fits at *size*, else cut at the space nearest its middle."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width or " " not in text:
        return [text]
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return [text[:cut], text[cut + 1:]]


def _write_contents(cfg: Config, year: int, number: int, cases: list[dict[str, str]],
                    out: Path, about: str = "Arsip permohonan Kartu Keluarga WNA") -> Path:
    office = cfg.office_data()
    title = f"DAFTAR ISI ODNER {number:02d} TAHUN {year}"
    sheet = Sheet(sheets.office_lines(office), title, about, sheets.PORTRAIT)
    buf = io.BytesIO()
    c = sheets.new_sheet_canvas(buf, sheet)
    printed = clock.stamp(clock.now(cfg.tz), cfg.tz)
    sheets.draw_table_pages(c, sheet, CONTENTS_COLUMNS, cases, first_page=1,
                            footer=f"Diperbarui {printed}; {len(cases)} berkas dalam odner ini.",
                            empty="Odner ini belum berisi berkas.")
    c.save()
    sheets.save(buf, out, title.capitalize())
    out.chmod(READ_ONLY)
    return out
