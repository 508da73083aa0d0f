"""The Family Card (Kartu Keluarga) drawn from family data, A4 landscape.

The layout follows the format in force since 2018 (plain A4 paper since 2020; see
shared/data/README.md "The KK layout"): title and number, the address header, the
two tables of 10 rows each, and the footer with the head of the family on the left
and the head of office on the right, whose electronic signature stands as a QR code.

Drawing is split in two: `layout_kk` places every string in its cell and returns
the cells (text, rectangle, the fitted lines) -- pure, so tests can check the
geometry -- and `render_kk` paints them, with the grid, QR code, watermark and the
head of division's initial (paraf), and files the page as PDF/A-2b.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from pipeline.domain import clock, family, refdata
from pipeline.office.fsutil import atomic_write_bytes
from pipeline.render import fonts, qr
from pipeline.render.kk_cells import Cell, fitted_cell
from pipeline.render.pdfa import save_pdfa
from pipeline.render.qr import draw_qr

PAGE = landscape(A4)
WIDTH, HEIGHT = PAGE
MARGIN_X = 28.0
ROWS = family.MAX_MEMBERS
ROW_H = 13.0  # 14 before the seal grew: 20 pt more for the seal QR below the tables
WITA = ZoneInfo("Asia/Makassar")

BSRE = "Balai Besar Sertifikasi Elektronik (BSrE)"  # the CA of government signatures


def signed_line(ca_name: str) -> str:
    """The footer of a signed card; never printed on a draft, which nobody has signed."""
    return (
        "Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat elektronik "
        f"yang diterbitkan oleh {ca_name}"
    )


# (key, header, width) -- Table 1 and Table 2; widths add up to the page less margins
TABLE1: tuple[tuple[str, str, float], ...] = (
    ("no", "No", 18),
    ("nama_lengkap", "Nama Lengkap", 160),
    ("nik", "NIK", 82),
    ("jenis_kelamin", "Jenis Kelamin", 58),
    ("tempat_lahir", "Tempat Lahir", 108),
    ("tanggal_lahir", "Tanggal Lahir", 56),
    ("agama", "Agama", 70),
    ("pendidikan", "Pendidikan", 92),
    ("jenis_pekerjaan", "Jenis Pekerjaan", 101),
    ("golongan_darah", "Golongan Darah", WIDTH - 2 * MARGIN_X - 745),
)
TABLE2: tuple[tuple[str, str, float], ...] = (
    ("no", "No", 18),
    ("status_perkawinan", "Status Perkawinan", 92),
    ("tanggal_perkawinan", "Tanggal Perkawinan", 58),
    ("status_hubungan", "Status Hubungan Dalam Keluarga", 82),
    ("kewarganegaraan", "Kewarganegaraan", 78),
    ("no_paspor", "No. Paspor", 62),
    ("no_kitap", "No. KITAS/KITAP", 80),
    ("nama_ayah", "Ayah", (WIDTH - 2 * MARGIN_X - 470) / 2),
    ("nama_ibu", "Ibu", (WIDTH - 2 * MARGIN_X - 470) / 2),
)
# spanning headers of Table 2: (title, first key, last key)
TABLE2_GROUPS = (
    ("Dokumen Imigrasi", "no_paspor", "no_kitap"),
    ("Nama Orang Tua", "nama_ayah", "nama_ibu"),
)
_CENTRED = frozenset(
    {"no", "nik", "jenis_kelamin", "tanggal_lahir", "golongan_darah", "tanggal_perkawinan"}
)


@dataclass(frozen=True)
class Paraf:
    """The head of division's initial on the draft (SOP step 6)."""

    nama: str
    nip: str
    waktu: datetime  # naive times are taken as office time (WITA)


# --------------------------------------------------------------------------- layout


def _columns(spec: Sequence[tuple[str, str, float]]) -> dict[str, tuple[float, float]]:
    cols = {}
    x = MARGIN_X
    for key, _, w in spec:
        cols[key] = (x, x + w)
        x += w
    return cols


def _table_rows(
    spec: Sequence[tuple[str, str, float]], members: list[dict[str, str]], top: float
) -> list[Cell]:
    cols = _columns(spec)
    cells = []
    for row in range(ROWS):
        y1 = top - row * ROW_H
        y0 = y1 - ROW_H
        member = members[row] if row < len(members) else None
        for key, _, _ in spec:
            x0, x1 = cols[key]
            if member is None:
                text = ""
            elif key == "no":
                text = str(row + 1)
            else:
                text = member.get(key, "")
            align = "center" if key in _CENTRED else "left"
            cells.append(fitted_cell(f"a{row + 1}.{key}", text, x0, x1, y0, y1, align=align,
                                     border=True))
    return cells


def _header_cell(key: str, text: str, x0: float, x1: float, y0: float, y1: float) -> Cell:
    return fitted_cell(key, text, x0, x1, y0, y1, font=fonts.BOLD, size=6.5, align="center",
                       border=True)


def _table1(members: list[dict[str, str]], top: float) -> tuple[list[Cell], float]:
    cols = _columns(TABLE1)
    head_h, num_h = 18.0, 9.0
    cells = []
    for number, (key, title, _) in enumerate(TABLE1):
        x0, x1 = cols[key]
        if key == "no":
            cells.append(_header_cell("t1.head.no", title, x0, x1, top - head_h - num_h, top))
            continue
        cells.append(_header_cell(f"t1.head.{key}", title, x0, x1, top - head_h, top))
        cells.append(
            _header_cell(f"t1.num.{key}", f"({number})", x0, x1, top - head_h - num_h, top - head_h)
        )
    rows_top = top - head_h - num_h
    cells += _table_rows(TABLE1, members, rows_top)
    return cells, rows_top - ROWS * ROW_H


def _table2(members: list[dict[str, str]], top: float) -> tuple[list[Cell], float]:
    cols = _columns(TABLE2)
    group_h, sub_h, num_h = 9.0, 10.0, 9.0
    head_h = group_h + sub_h
    grouped = {}
    cells = []
    for title, first, last in TABLE2_GROUPS:
        x0, x1 = cols[first][0], cols[last][1]
        cells.append(_header_cell(f"t2.group.{first}", title, x0, x1, top - group_h, top))
        keys = [k for k, _, _ in TABLE2]
        for key in keys[keys.index(first) : keys.index(last) + 1]:
            grouped[key] = True
    for offset, (key, title, _) in enumerate(TABLE2):
        x0, x1 = cols[key]
        number = 9 + offset
        if key == "no":
            cells.append(_header_cell("t2.head.no", title, x0, x1, top - head_h - num_h, top))
            continue
        head_top = top - group_h if key in grouped else top
        cells.append(_header_cell(f"t2.head.{key}", title, x0, x1, top - head_h, head_top))
        cells.append(
            _header_cell(f"t2.num.{key}", f"({number})", x0, x1, top - head_h - num_h, top - head_h)
        )
    rows_top = top - head_h - num_h
    cells += _table_rows(TABLE2, members, rows_top)
    return cells, rows_top - ROWS * ROW_H


def _paraf_time(waktu: datetime) -> str:
    """The initial's moment in office time: ``23-11-2026 09:00 WITA``."""
    local = waktu.astimezone(WITA) if waktu.tzinfo is not None else waktu.replace(tzinfo=WITA)
    return f"{clock.short_date(local.date())} {local:%H:%M} {clock.zone_name(local)}"


def layout_kk(
    data: Mapping[str, Any],
    *,
    office: Mapping[str, str],
    issued: date | None = None,
    paraf: Paraf | None = None,
    ca_name: str | None = None,
) -> list[Cell]:
    """Every string of the card in its cell, top to bottom; pure (no drawing).

    *ca_name* (the certificate authority of the head of office's signature) is given only
    for the signed card: it adds the line saying the card is signed electronically.
    """
    # the office's own regency (office_data's kode_wilayah) spells the address's names
    within = office.get("kode_wilayah", "")
    area = refdata.OfficeArea(within, ()) if within else None
    norm = family.normalise(data, area=area)
    members: list[dict[str, str]] = norm["anggota"]
    if len(members) > ROWS:
        raise ValueError(f"a KK holds at most {ROWS} members, got {len(members)}")
    head = family.head_of_family(norm) or {}
    kecamatan, desa = norm["kecamatan"], norm["desa_kelurahan"]
    rt_rw = f"{norm['rt']}/{norm['rw']}" if norm["rt"] or norm["rw"] else ""
    right = WIDTH - MARGIN_X
    cells: list[Cell] = []

    # title and number
    top = HEIGHT - 22
    cells.append(
        fitted_cell(
            "title",
            "KARTU KELUARGA",
            MARGIN_X,
            right,
            top - 20,
            top,
            font=fonts.BOLD,
            size=16,
            align="center",
        )
    )
    cells.append(
        fitted_cell(
            "no_kk",
            f"No. {norm['no_kk']}",
            MARGIN_X,
            right,
            top - 34,
            top - 20,
            font=fonts.BOLD,
            size=11,
            align="center",
        )
    )

    # address header: label, colon, value -- left and right columns
    header_top = top - 40
    line_h = 12.0
    left = [
        ("kepala_keluarga", "Nama Kepala Keluarga", head.get("nama_lengkap", "")),
        ("alamat", "Alamat", norm["alamat"]),
        ("rt_rw", "RT/RW", rt_rw),
        ("desa_kelurahan", "Desa/Kelurahan", desa),
    ]
    right_side = [
        ("kecamatan", "Kecamatan", kecamatan),
        ("kabupaten", "Kabupaten/Kota", office.get("kabupaten", "").upper()),
        ("kode_pos", "Kode Pos", norm["kode_pos"]),
        ("provinsi", "Provinsi", office.get("provinsi", "").upper()),
    ]
    for column, (lx, label_w, value_x1) in (
        (left, (MARGIN_X, 92.0, 470.0)),
        (right_side, (560.0, 66.0, right)),
    ):
        for i, (key, label, value) in enumerate(column):
            y1 = header_top - i * line_h
            y0 = y1 - line_h
            cells.append(fitted_cell(f"label.{key}", label, lx, lx + label_w, y0, y1, size=8))
            cells.append(fitted_cell(f"colon.{key}", ":", lx + label_w, lx + label_w + 8, y0,
                                     y1, size=8))
            cells.append(fitted_cell(key, value, lx + label_w + 8, value_x1, y0, y1, size=8))

    # the two tables
    table_top = header_top - 4 * line_h - 6
    t1, bottom = _table1(members, table_top)
    cells += t1
    t2, bottom = _table2(members, bottom - 6)
    cells += t2

    # footer: issue date, head of family (left), head of office (right)
    fx0, fx1 = 560.0, right
    y = bottom - 4
    issued_text = clock.short_date(issued) if issued else ""
    cells.append(
        fitted_cell("label.dikeluarkan", "Dikeluarkan Tanggal", fx0, fx0 + 80, y - 10, y, size=7.5)
    )
    cells.append(fitted_cell("colon.dikeluarkan", ":", fx0 + 80, fx0 + 88, y - 10, y, size=7.5))
    cells.append(fitted_cell("dikeluarkan", issued_text, fx0 + 88, fx1, y - 10, y, size=7.5))
    jab_top = y - 12
    cells.append(
        fitted_cell(
            "footer.jabatan_kepala",
            office.get("jabatan_kepala", "").upper(),
            fx0,
            fx1,
            jab_top - 17,
            jab_top,
            font=fonts.BOLD,
            size=7,
            align="center",
        )
    )
    name_top = jab_top - 17 - SIGN_SLOT - 2
    cells.append(
        fitted_cell(
            "footer.nama_kepala_dinas",
            office.get("kepala_dinas_nama", ""),
            fx0,
            fx1,
            name_top - 9,
            name_top,
            font=fonts.BOLD,
            size=7.5,
            align="center",
        )
    )
    nip = office.get("kepala_dinas_nip", "")
    cells.append(
        fitted_cell(
            "footer.nip_kepala_dinas",
            f"NIP. {nip}" if nip else "",
            fx0,
            fx1,
            name_top - 18,
            name_top - 9,
            size=7,
            align="center",
        )
    )
    kx0, kx1 = MARGIN_X + 12, 318.0
    cells.append(
        fitted_cell(
            "footer.kepala_keluarga",
            "KEPALA KELUARGA",
            kx0,
            kx1,
            jab_top - 10,
            jab_top,
            font=fonts.BOLD,
            size=7.5,
            align="center",
        )
    )
    cells.append(
        fitted_cell(
            "footer.nama_kepala_keluarga",
            head.get("nama_lengkap", ""),
            kx0,
            kx1,
            name_top - 14,
            name_top + 4,
            font=fonts.BOLD,
            size=7.5,
            align="center",
        )
    )
    if ca_name is not None:
        cells.append(
            fitted_cell(
                "footer.bsre",
                signed_line(ca_name),
                MARGIN_X,
                right,
                8,
                18,
                font=fonts.ITALIC,
                size=6.5,
                align="center",
            )
        )
    if paraf is not None:
        cells += _paraf_cells(paraf, 330.0, 500.0, jab_top - 4)
    return cells


SIGN_SLOT = 50.0  # between the head of office's jabatan and name: where they sign
PARAF_ROW_H = 10.0
DRAFT_QR_RIGHT = 556.0  # as the final card's seal: just left of the head of office's block
DRAFT_QR_BOTTOM = 2.5  # the quiet zone's lower edge, as the seal's


def _paraf_cells(paraf: Paraf, x0: float, x1: float, top: float) -> list[Cell]:
    rows = [
        ("paraf.judul", "Paraf Kepala Bidang", fonts.BOLD, 6.5),
        ("paraf.nama", " ".join(paraf.nama.split()), fonts.BOLD, 7.0),
        ("paraf.nip", f"NIP. {paraf.nip.strip()}", fonts.REGULAR, 6.5),
        ("paraf.waktu", _paraf_time(paraf.waktu), fonts.REGULAR, 6.5),
    ]
    h = PARAF_ROW_H
    bottom = top - h * len(rows) - 4
    cells = [Cell("paraf.kotak", "", x0, x1, bottom, top, (), border=True)]
    for i, (key, text, font, size) in enumerate(rows):
        y1 = top - 2 - i * h
        cells.append(
            fitted_cell(key, text, x0 + 2, x1 - 2, y1 - h, y1, font=font, size=size, align="center")
        )
    return cells


# --------------------------------------------------------------------------- drawing


def draft_qr_box(cells: Sequence[Cell], text: str) -> tuple[float, float, float]:
    """(x, y, size) of the draft's QR code, quiet zone included: where the final card's
    seal stands, below the place of the head of division's initial (drawn or not, so the
    code does not move once initialled); its size follows the code's version, modules of
    qr.MODULE_MM or as near as that room allows (never below qr.MIN_MODULE_MM)."""
    jab_top = next(c for c in cells if c.key == "label.dikeluarkan").y0 - 2
    room = jab_top - 4 - 4 * PARAF_ROW_H - 4 - 2 - DRAFT_QR_BOTTOM
    size = min(qr.side(text), room)
    if size < qr.side(text, qr.MIN_MODULE_MM):
        raise ValueError(f"the draft's QR text is too long to print readably: {text!r}")
    return DRAFT_QR_RIGHT - size, DRAFT_QR_BOTTOM, size


def _draw_watermark(c: Canvas, text: str) -> None:
    diagonal = (WIDTH**2 + HEIGHT**2) ** 0.5
    size = fonts.fit_size(text, fonts.BOLD, 170, diagonal * 0.6, minimum=20)
    c.saveState()
    c.setFillGray(0.86)
    c.setFont(fonts.BOLD, size)
    c.translate(WIDTH / 2, HEIGHT / 2)
    c.rotate(30)
    c.drawCentredString(0, -0.36 * size, text)
    c.restoreState()


def _draw(c: Canvas, cells: Sequence[Cell], qr_text: str | None, watermark: str | None) -> None:
    if watermark:
        _draw_watermark(c, watermark)
    c.setStrokeGray(0)
    c.setLineWidth(0.5)
    for cell in cells:
        if cell.border:
            c.rect(cell.x0, cell.y0, cell.x1 - cell.x0, cell.y1 - cell.y0, stroke=1, fill=0)
    c.setFillGray(0)
    for cell in cells:
        for line in cell.lines:
            c.setFont(line.font, line.size)
            c.drawString(line.x, line.y, line.text)
    if qr_text is not None:
        x, y, size = draft_qr_box(cells, qr_text)
        draw_qr(c, qr_text, x, y, size)


def qr_text(case_id: str, no_kk: str) -> str:
    """What the signature QR code says: ``KKWNA-2026-0001|6305041211260001``."""
    return f"{case_id}|{no_kk}"


def render_kk(
    data: Mapping[str, Any],
    out: Path,
    *,
    office: Mapping[str, str],
    case_id: str,
    issued: date | None,
    watermark: str | None = "KONSEP",
    paraf: Paraf | None = None,
    archival: bool = True,
) -> Path:
    """Draw the KK of *data* into *out* (PDF/A-2b when *archival*, else plain PDF)."""
    norm = family.normalise(data, area=None)  # the address is layout_kk's
    cells = layout_kk(norm, office=office, issued=issued, paraf=paraf)
    title = f"Kartu Keluarga No. {norm['no_kk']}"
    if watermark:
        title = f"{watermark.title()} {title}"
    buf = io.BytesIO()
    c = fonts.new_canvas(buf, PAGE, title)
    c.setSubject(case_id)
    _draw(c, cells, qr_text(case_id, norm["no_kk"]), watermark)
    c.showPage()
    c.save()
    out = Path(out)
    if archival:
        # every KK is drawn alike (text, rules, a vector QR): validated in full once
        kind = ("kk", watermark, paraf is not None, issued is not None)
        return save_pdfa(buf.getvalue(), out, title, subject=case_id, proven=kind)
    atomic_write_bytes(out, buf.getvalue())
    return out
