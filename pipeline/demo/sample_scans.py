"""Sample scans for `kkwna demo`: what the front office scans for an application, drawn.

A passport data page (with its machine-readable zone, check digits computed as ICAO 9303
does), a KITAP card, a birth certificate (the evidence of a change), all JPEG at a
scanner's resolution, and the F-1.01 application form as a PDF. Every one is marked
CONTOH / DEMO across its face, so a printout can never pass for a real document.

Pure drawing: the person and the family come in as the family-data dicts of
`pipeline.domain.family` (DD-MM-YYYY dates), the validity dates as `date`s.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import reportlab
from PIL import Image, ImageDraw, ImageFont

from pipeline.domain.family import parse_date
from pipeline.render import fonts
from pipeline.render.pdfa import save_pdfa

WATERMARK = "CONTOH / DEMO"
NOT_REAL = "CONTOH - BUKAN DOKUMEN ASLI"
RED = (200, 30, 40)
INK = (25, 30, 45)
GREY = (95, 100, 110)
MONTHS_EN = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
# the nationalities the sample family may have -> ICAO state code and passport wording
STATES: Mapping[str, tuple[str, str]] = {
    "AUSTRALIA": ("AUS", "AUSTRALIAN"),
    "AMERIKA SERIKAT": ("USA", "UNITED STATES OF AMERICA"),
    "INGGRIS": ("GBR", "BRITISH CITIZEN"),
    "BELANDA": ("NLD", "NETHERLANDS"),
    "JEPANG": ("JPN", "JAPAN"),
}


@dataclass(frozen=True)
class Validity:
    """The dates printed on the sample passport and KITAP (the verifier types the same)."""

    passport_issued: date
    passport_expires: date
    kitap_issued: date
    kitap_expires: date


# --------------------------------------------------------------------------- fonts


def _font_file(name: str) -> str:
    return os.path.join(os.path.dirname(reportlab.__file__), "fonts", name)


@cache
def _font(size: int, bold: bool = False, mono: bool = False) -> ImageFont.FreeTypeFont:
    """reportlab's own fonts (they travel with the package): Vera, and Courier Bold for
    the machine-readable zone (any monospaced face reads as an MRZ)."""
    if mono:
        try:
            return ImageFont.truetype(_font_file("cob_____.pfb"), size)
        except OSError:  # a FreeType without Type 1 support: Vera still draws the letters
            pass
    return ImageFont.truetype(_font_file("VeraBd.ttf" if bold else "Vera.ttf"), size)


# --------------------------------------------------------------------------- MRZ


def _mrz_value(ch: str) -> int:
    if ch.isdigit():
        return int(ch)
    if "A" <= ch <= "Z":
        return ord(ch) - ord("A") + 10
    return 0  # the filler '<'


def check_digit(text: str) -> str:
    """ICAO 9303 check digit: weights 7, 3, 1 repeating, modulo 10."""
    return str(sum(_mrz_value(ch) * (7, 3, 1)[i % 3] for i, ch in enumerate(text)) % 10)


def _mrz_name(text: str) -> str:
    return "".join(ch if "A" <= ch <= "Z" else "<" for ch in text.upper())


def _yymmdd(d: date) -> str:
    return f"{d.year % 100:02d}{d.month:02d}{d.day:02d}"


def mrz_lines(person: Mapping[str, str], expires: date) -> tuple[str, str]:
    """The two 44-character lines of a passport (TD3) for *person*."""
    state = STATES.get(person["kewarganegaraan"], (person["kewarganegaraan"][:3], ""))[0]
    surname, given = split_name(person["nama_lengkap"])
    line1 = f"P<{state}{_mrz_name(surname)}<<{_mrz_name(given)}"
    line1 = (line1 + "<" * 44)[:44]
    number = (person["no_paspor"] + "<" * 9)[:9]
    birth = parse_date(person["tanggal_lahir"])
    birth_text = _yymmdd(birth) if birth else "<<<<<<"
    sex = {"LAKI-LAKI": "M", "PEREMPUAN": "F"}.get(person["jenis_kelamin"], "<")
    personal = "<" * 14
    parts = [number + check_digit(number), state, birth_text + check_digit(birth_text), sex,
             _yymmdd(expires) + check_digit(_yymmdd(expires)), personal + check_digit(personal)]
    composite = parts[0] + parts[2] + parts[4] + parts[5]
    line2 = "".join(parts) + check_digit(composite)
    return line1, line2


def split_name(full: str) -> tuple[str, str]:
    """(surname, given names): a Western name's last word is the surname."""
    words = full.split()
    return (words[-1], " ".join(words[:-1])) if len(words) > 1 else (full, "")


def _passport_date(d: date | None) -> str:
    return f"{d.day:02d} {MONTHS_EN[d.month - 1]} {d.year}" if d else ""


# --------------------------------------------------------------------------- drawing helpers


def _guilloche(draw: ImageDraw.ImageDraw, size: tuple[int, int], colour: tuple[int, int, int],
               step: int) -> None:
    """Fine wavy lines like the security print of an identity document."""
    w, h = size
    for k in range(0, h + step, step):
        points = [(x, k + 9 * math.sin(x / 37 + k / 23)) for x in range(0, w + 8, 8)]
        draw.line(points, fill=colour, width=1)


def _watermark(img: Image.Image, text: str = WATERMARK) -> Image.Image:
    """*img* with *text* across it diagonally, red and half transparent."""
    w, h = img.size
    size = max(24, int(min(w, h) * 0.16))
    font = _font(size, bold=True)
    box = font.getbbox(text)
    layer = Image.new("RGBA", (int(box[2]) + 40, int(box[3]) + 40), (0, 0, 0, 0))
    ImageDraw.Draw(layer).text((20, 20), text, font=font, fill=(*RED, 110))
    angle = math.degrees(math.atan2(h, w))
    layer = layer.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    out = img.convert("RGBA")
    out.alpha_composite(layer, ((w - layer.width) // 2, (h - layer.height) // 2))
    return out.convert("RGB")


def _photo(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int]) -> None:
    """A grey portrait placeholder: head and shoulders."""
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=(214, 218, 224), outline=GREY, width=2)
    cx, w, h = (x0 + x1) // 2, x1 - x0, y1 - y0
    draw.ellipse((cx - w * 0.22, y0 + h * 0.16, cx + w * 0.22, y0 + h * 0.52), fill=(150, 156, 166))
    draw.pieslice((x0 + w * 0.08, y0 + h * 0.56, x1 - w * 0.08, y1 + h * 0.36), 180, 360,
                  fill=(150, 156, 166))


def _field(draw: ImageDraw.ImageDraw, xy: tuple[int, int], label: str, value: str,
           unit: int) -> None:
    x, y = xy
    draw.text((x, y), label, font=_font(int(unit * 0.55)), fill=GREY)
    draw.text((x, y + int(unit * 0.72)), value, font=_font(unit, bold=True), fill=INK)


def _save_jpeg(img: Image.Image, path: Path, dpi: int, comment: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85, dpi=(dpi, dpi), comment=comment.encode("ascii"))
    path.write_bytes(buf.getvalue())
    return path


# --------------------------------------------------------------------------- the documents


def passport_page(path: Path, person: Mapping[str, str], validity: Validity) -> Path:
    """The data page of *person*'s passport, 125 x 88 mm at 200 dpi, as a JPEG."""
    dpi = 200
    size = (984, 693)
    img = Image.new("RGB", size, (236, 241, 232))
    draw = ImageDraw.Draw(img)
    _guilloche(draw, size, (205, 222, 210), 22)
    state, wording = STATES.get(person["kewarganegaraan"],
                                (person["kewarganegaraan"][:3], person["kewarganegaraan"]))
    draw.rectangle((0, 0, size[0], 70), fill=(30, 70, 60))
    draw.text((28, 16), person["kewarganegaraan"], font=_font(34, bold=True), fill="white")
    draw.text((560, 22), "PASSPORT  /  PASPOR", font=_font(26, bold=True), fill="white")
    _photo(draw, (36, 110, 276, 420))
    surname, given = split_name(person["nama_lengkap"])
    birth = parse_date(person["tanggal_lahir"])
    sex = {"LAKI-LAKI": "M", "PEREMPUAN": "F"}.get(person["jenis_kelamin"], "")
    unit = 27
    left, right = 310, 700
    rows: list[tuple[tuple[int, int], str, str]] = [
        ((left, 95), "Type / Jenis", "P"),
        ((470, 95), "Code / Kode", state),
        ((right, 95), "Passport No. / No. Paspor", person["no_paspor"]),
        ((left, 165), "Surname / Nama keluarga", surname),
        ((left, 235), "Given names / Nama", given),
        ((left, 305), "Nationality / Kewarganegaraan", wording),
        ((left, 375), "Date of birth / Tanggal lahir", _passport_date(birth)),
        ((right, 375), "Sex / Jenis kelamin", sex),
        ((left, 445), "Place of birth / Tempat lahir", person["tempat_lahir"]),
        ((left, 515), "Date of issue / Tanggal dikeluarkan",
         _passport_date(validity.passport_issued)),
        ((right, 515), "Date of expiry / Berlaku s.d.", _passport_date(validity.passport_expires)),
    ]
    for xy, label, value in rows:
        _field(draw, xy, label, value, unit)
    draw.text((36, 432), NOT_REAL, font=_font(12, bold=True), fill=RED)
    draw.rectangle((0, 590, size[0], size[1]), fill=(246, 248, 244))
    mono = _font(31, mono=True)
    for i, line in enumerate(mrz_lines(person, validity.passport_expires)):
        draw.text((26, 600 + i * 42), line, font=mono, fill=(10, 10, 10))
    return _save_jpeg(_watermark(img), path, dpi, f"kkwna demo passport {person['no_paspor']}")


def kitap_card(path: Path, person: Mapping[str, str], address: str, validity: Validity) -> Path:
    """*person*'s KITAP card (ID-1, 85.6 x 54 mm) at 300 dpi, as a JPEG."""
    dpi = 300
    size = (1011, 638)
    img = Image.new("RGB", size, (226, 236, 248))
    draw = ImageDraw.Draw(img)
    _guilloche(draw, size, (200, 216, 236), 18)
    draw.rectangle((0, 0, size[0], 118), fill=(22, 54, 112))
    draw.text((30, 14), "REPUBLIK INDONESIA", font=_font(30, bold=True), fill="white")
    draw.text((30, 54), "KARTU IZIN TINGGAL TETAP (KITAP)", font=_font(26, bold=True),
              fill="white")
    draw.text((30, 88), "PERMANENT STAY PERMIT", font=_font(19), fill=(210, 222, 245))
    _photo(draw, (758, 150, 978, 430))
    birth = parse_date(person["tanggal_lahir"])
    unit = 25
    rows: list[tuple[tuple[int, int], str, str]] = [
        ((30, 135), "No. Register", person["no_kitap"]),
        ((30, 198), "Nama / Name", person["nama_lengkap"]),
        ((30, 261), "Kewarganegaraan / Nationality", person["kewarganegaraan"]),
        ((30, 324), "Tempat, tgl. lahir / Place, date of birth",
         f"{person['tempat_lahir']}, {birth:%d-%m-%Y}" if birth else person["tempat_lahir"]),
        ((470, 324), "Jenis kelamin / Sex", person["jenis_kelamin"]),
        ((30, 387), "No. Paspor / Passport No.", person["no_paspor"]),
        ((30, 450), "Alamat / Address", address),
        ((30, 513), "Dikeluarkan / Issued", f"{validity.kitap_issued:%d-%m-%Y}"),
        ((470, 513), "Berlaku s.d. / Valid until", f"{validity.kitap_expires:%d-%m-%Y}"),
    ]
    for xy, label, value in rows:
        _field(draw, xy, label, value, unit)
    draw.text((30, 590), "DIREKTORAT JENDERAL IMIGRASI  -  " + NOT_REAL, font=_font(17, bold=True),
              fill=RED)
    return _save_jpeg(_watermark(img), path, dpi, f"kkwna demo KITAP {person['no_kitap']}")



def birth_certificate(path: Path, child: Mapping[str, str], registry: str, number: str) -> Path:
    """The extract of *child*'s birth certificate (Kutipan Akta Kelahiran), A5 landscape at
    150 dpi, as a JPEG: the evidence of a change "a child born" (Perubahan Data KK WNA).
    *registry*: the civil registry that issued it ("KABUPATEN TAPIN")."""
    dpi = 150
    size = (1240, 874)
    img = Image.new("RGB", size, (248, 244, 230))
    draw = ImageDraw.Draw(img)
    _guilloche(draw, size, (232, 224, 200), 26)
    draw.rectangle((20, 20, size[0] - 20, size[1] - 20), outline=(120, 96, 40), width=4)
    draw.text((size[0] // 2, 60), "REPUBLIK INDONESIA", font=_font(30, bold=True), fill=INK,
              anchor="mm")
    draw.text((size[0] // 2, 110), "KUTIPAN AKTA KELAHIRAN", font=_font(40, bold=True),
              fill=INK, anchor="mm")
    draw.text((size[0] // 2, 160), f"No. {number}", font=_font(26), fill=INK, anchor="mm")
    birth = parse_date(child["tanggal_lahir"])
    said = [("Berdasarkan Akta Kelahiran Nomor", number),
            ("Di", child["tempat_lahir"]),
            ("Pada tanggal", f"{birth:%d-%m-%Y}" if birth else child["tanggal_lahir"]),
            ("Telah lahir", child["nama_lengkap"]),
            ("Jenis kelamin", child["jenis_kelamin"]),
            ("Kewarganegaraan", child["kewarganegaraan"]),
            ("Anak dari ayah", child["nama_ayah"]),
            ("dan ibu", child["nama_ibu"])]
    for i, (label, value) in enumerate(said):
        y = 230 + i * 62
        draw.text((90, y), label, font=_font(24), fill=GREY)
        draw.text((520, y), value, font=_font(27, bold=True), fill=INK)
    draw.text((90, size[1] - 90), f"PEJABAT PENCATATAN SIPIL {registry}  -  {NOT_REAL}",
              font=_font(18, bold=True), fill=RED)
    return _save_jpeg(_watermark(img), path, dpi, f"kkwna demo akta kelahiran {number}")


# F-1.01 member table: (header, family key, width in points)
_COLUMNS: Sequence[tuple[str, str, float]] = (
    ("Nama lengkap", "nama_lengkap", 118),
    ("JK", "jenis_kelamin", 26),
    ("Tempat, tgl. lahir", "lahir", 100),
    ("Hubungan", "status_hubungan", 70),
    ("Warga negara", "kewarganegaraan", 70),
    ("No. paspor", "no_paspor", 56),
    ("No. KITAP", "no_kitap", 66),
)


def _cell(member: Mapping[str, str], key: str) -> str:
    if key == "lahir":
        return f"{member['tempat_lahir']}, {member['tanggal_lahir']}"
    if key == "jenis_kelamin":
        return {"LAKI-LAKI": "L", "PEREMPUAN": "P"}.get(member[key], member[key])
    return member[key]


def application_form(path: Path, family: Mapping[str, Any], office: Mapping[str, str],
                     signed_on: date) -> Path:
    """The filled-in F-1.01 (Formulir Biodata Keluarga) the applicant hands in, as a
    PDF/A-2b file."""
    from reportlab.lib.pagesizes import A4

    width, height = A4
    buf = io.BytesIO()
    c = fonts.new_canvas(buf, A4, "CONTOH Formulir F-1.01")
    members: list[Mapping[str, str]] = list(family["anggota"])
    head = members[0]
    # the watermark first, so the form's text stays on top of it
    c.saveState()
    c.setFillColorRGB(0.97, 0.80, 0.80)
    c.setFont(fonts.BOLD, 74)
    c.translate(width / 2, height / 2)
    c.rotate(52)
    c.drawCentredString(0, -20, WATERMARK)
    c.restoreState()

    c.setFont(fonts.BOLD, 10)
    c.drawRightString(width - 40, height - 40, "F-1.01")
    c.setFillColorRGB(0.78, 0.12, 0.16)
    c.drawString(40, height - 40, NOT_REAL)
    c.setFillColorRGB(0, 0, 0)
    c.setFont(fonts.BOLD, 13)
    c.drawCentredString(width / 2, height - 72, "FORMULIR BIODATA KELUARGA")
    c.setFont(fonts.REGULAR, 9)
    c.drawCentredString(width / 2, height - 86, "Permohonan Kartu Keluarga Warga Negara Asing")

    y = height - 120
    region = [("Provinsi", office["provinsi"]), ("Kabupaten/Kota", office["kabupaten"]),
              ("Kecamatan", family["kecamatan"]), ("Desa/Kelurahan", family["desa_kelurahan"])]
    header = [("Kepala keluarga", head["nama_lengkap"]), ("Alamat", family["alamat"]),
              ("RT / RW", f"{family['rt']} / {family['rw']}"), ("Kode pos", family["kode_pos"])]
    c.setFont(fonts.BOLD, 9)
    c.drawString(40, y, "DATA WILAYAH")
    c.drawString(300, y, "DATA KELUARGA")
    for i, ((l1, v1), (l2, v2)) in enumerate(zip(region, header, strict=True)):
        row = y - 16 - 15 * i
        c.setFont(fonts.REGULAR, 8.5)
        c.drawString(40, row, l1)
        c.drawString(300, row, l2)
        c.setFont(fonts.BOLD, 8.5)
        c.drawString(120, row, f": {v1}")
        c.setFont(fonts.BOLD, fonts.fit_size(f": {v2}", fonts.BOLD, 8.5, 160))
        c.drawString(390, row, f": {v2}")

    y -= 100
    c.setFont(fonts.BOLD, 9)
    c.drawString(40, y, "ANGGOTA KELUARGA")
    y -= 8
    row_h = 20.0
    x0 = 40.0
    widths = [18.0] + [w for _, _, w in _COLUMNS]
    total = sum(widths)
    c.setLineWidth(0.6)
    c.setFillColorRGB(0.90, 0.92, 0.95)
    c.rect(x0, y - row_h, total, row_h, stroke=1, fill=1)
    c.setFillColorRGB(0, 0, 0)
    titles = ["No"] + [t for t, _, _ in _COLUMNS]
    x = x0
    for title, w in zip(titles, widths, strict=True):
        c.setFont(fonts.BOLD, fonts.fit_size(title, fonts.BOLD, 7.5, w - 4))
        c.drawString(x + 2, y - 13, title)
        x += w
    for n, member in enumerate(members, start=1):
        top = y - row_h * (n + 1)
        c.rect(x0, top, total, row_h, stroke=1, fill=0)
        values = [str(n)] + [_cell(member, key) for _, key, _ in _COLUMNS]
        x = x0
        for value, w in zip(values, widths, strict=True):
            c.setFont(fonts.REGULAR, fonts.fit_size(value, fonts.REGULAR, 7.5, w - 4))
            c.drawString(x + 2, top + 7, value)
            x += w
    x = x0
    for w in widths[:-1]:
        x += w
        c.line(x, y, x, y - row_h * (len(members) + 1))

    y -= row_h * (len(members) + 1) + 40
    c.setFont(fonts.REGULAR, 9)
    c.drawString(40, y, "Dengan ini saya menyatakan bahwa data di atas benar dan sesuai "
                        "dengan dokumen aslinya.")
    c.drawString(360, y - 36, f"{office['kota']}, {signed_on:%d-%m-%Y}")
    c.drawString(360, y - 50, "Pemohon,")
    # a hand-drawn looking signature
    c.setStrokeColorRGB(0.1, 0.15, 0.45)
    c.setLineWidth(1.2)
    path_obj = c.beginPath()
    path_obj.moveTo(365, y - 90)
    for i in range(1, 40):
        t = i / 39
        path_obj.lineTo(365 + 110 * t, y - 90 + 12 * math.sin(t * 9) * (1 - t / 2))
    c.drawPath(path_obj, stroke=1, fill=0)
    c.setFont(fonts.BOLD, 9)
    c.drawString(360, y - 108, head["nama_lengkap"])
    c.showPage()
    c.save()
    # as an office scanner's "PDF/A" setting saves it, so the original, filed byte for
    # byte in the case, is archival too
    return save_pdfa(buf.getvalue(), path, "CONTOH Formulir F-1.01 Biodata Keluarga")
