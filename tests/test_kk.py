"""The Family Card drawing: every value in its cell, PDF/A, fonts, QR, watermark, paraf."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pypdf import PdfReader

from pipeline.domain import family
from pipeline.render import fonts, kk, kk_cells
from pipeline.render.pdfa import validate
from tests.families import ADDRESS, HEAD, TAPIN
from tests.qrread import read_standard_qr, render_page

OFFICE = {
    "kabupaten": "TAPIN",
    "provinsi": "KALIMANTAN SELATAN",
    "kepala_dinas_nama": "Hj. RINA INDRIANI, ST",
    "kepala_dinas_nip": "19820311 200501 2 017",
    "jabatan_kepala": "KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL KABUPATEN TAPIN",
}
ONE: dict[str, Any] = {
    **ADDRESS,
    "anggota": [HEAD],
}
LONG_NAME = "MUHAMMAD ALEXANDER CHRISTOPHER VAN DER BERGHE-WILLIAMSON"
LONG_PLACE = "SAN FRANCISCO CALIFORNIA UNITED STATES"


def _ten() -> dict[str, Any]:
    data = copy.deepcopy(ONE)
    data["alamat"] = "KOMPLEKS PERUMAHAN GRIYA RANTAU PERMAI BLOK C-12 JL. JENDERAL SUDIRMAN"
    data["desa_kelurahan"] = "BANUA HANYAR HULU"
    data["anggota"][0]["nama_lengkap"] = LONG_NAME
    for i in range(2, 11):
        data["anggota"].append(
            dict(
                HEAD,
                nama_lengkap=f"{LONG_NAME} {'JR' if i % 2 else 'III'}",
                nik=f"63050455038000{i:02d}",
                jenis_kelamin="PEREMPUAN",
                tempat_lahir=LONG_PLACE,
                pendidikan="AKADEMI/DIPLOMA III/S. MUDA",
                jenis_pekerjaan="ANGGOTA DPRD KABUPATEN/KOTA",
                golongan_darah="TIDAK TAHU",
                status_perkawinan="CERAI HIDUP TIDAK TERCATAT",
                tanggal_perkawinan="",
                status_hubungan="FAMILI LAIN",
                kewarganegaraan="UNITED KINGDOM OF GREAT BRITAIN",
                no_paspor=f"P{i:08d}",
                no_kitap=f"2C21JD{i:04d}-ABCDEFGHI",
                nama_ayah=LONG_NAME,
                nama_ibu="MARIA-CHRISTINA ALEXANDRA VON HOHENZOLLERN-SIGMARINGEN DE LA CRUZ",
            )
        )
    return data


TEN = _ten()
PARAF = kk.Paraf(
    "Drs. AHMAD FAUZI, M.Si",
    "19750101 200003 1 001",
    datetime(2026, 11, 12, 2, 15, tzinfo=UTC),  # 10:15 WITA
)
EPS = 0.01


@dataclass(frozen=True)
class Drawn:
    """A string as pypdf's visitor saw it."""

    text: str
    x: float
    y: float
    font: str
    size: float
    rotated: bool

    @property
    def width(self) -> float:
        return fonts.text_width(self.text, self.font, self.size)


def _font_name(font_dict: Any) -> str:
    base = str(font_dict.get("/BaseFont", "")) if font_dict else ""
    if "Bold" in base:
        return fonts.BOLD
    if "Oblique" in base or "Italic" in base:
        return fonts.ITALIC
    return fonts.REGULAR


def drawn_strings(path: Path) -> list[Drawn]:
    found: list[Drawn] = []

    def visit(text: str, cm: list[float], tm: list[float], font_dict: Any, size: float) -> None:
        text = text.strip("\n")
        if not text.strip():
            return
        rotated = abs(cm[1]) > 1e-6 or abs(tm[1]) > 1e-6
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[0] * cm[0]) if not rotated else 1.0
        found.append(Drawn(text, x, y, _font_name(font_dict), size * scale, rotated))

    PdfReader(path).pages[0].extract_text(visitor_text=visit)
    return found


def _inside(d: Drawn, cell: kk_cells.Cell) -> bool:
    return (
        cell.x0 - EPS <= d.x
        and d.x + d.width <= cell.x1 + EPS
        and cell.y0 - EPS <= d.y - kk_cells.DESCENT * d.size
        and d.y + kk_cells.ASCENT * d.size <= cell.y1 + EPS
    )


def _squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("kk")
    one = kk.render_kk(
        ONE, folder / "04 konsep KK.pdf", office=OFFICE, case_id="KKWNA-2026-0001", issued=None
    )
    ten = kk.render_kk(
        TEN,
        folder / "06 konsep KK diparaf.pdf",
        office=OFFICE,
        case_id="KKWNA-2026-0002",
        issued=date(2026, 11, 12),
        watermark=None,
        paraf=PARAF,
    )
    return {"one": one, "ten": ten}


CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "one": (ONE, {"issued": None, "paraf": None}),
    "ten": (TEN, {"issued": date(2026, 11, 12), "paraf": PARAF}),
}


def _layout(name: str) -> list[kk_cells.Cell]:
    data, kwargs = CASES[name]
    return kk.layout_kk(data, office=OFFICE, **kwargs)


# --------------------------------------------------------------------------- data used


def test_the_test_families_are_valid() -> None:
    assert family.validate(ONE, today=date(2026, 12, 1), area=TAPIN) == []
    assert family.validate(TEN, today=date(2026, 12, 1), area=TAPIN) == []


# --------------------------------------------------------------------------- geometry


@pytest.mark.parametrize("name", ["one", "ten"])
def test_every_drawn_string_lies_in_its_cell(cards: dict[str, Path], name: str) -> None:
    cells = [c for c in _layout(name) if c.text]
    strings = drawn_strings(cards[name])
    unplaced = []
    for d in strings:
        if d.rotated:
            assert d.text == "KONSEP"
            continue
        homes = [c for c in cells if _inside(d, c) and any(ln.text == d.text for ln in c.lines)]
        if not homes:
            unplaced.append(d)
    assert unplaced == []
    # and nothing of the layout is missing from the page
    drawn = {(d.text, round(d.x, 2), round(d.y, 2)) for d in strings}
    for cell in cells:
        for line in cell.lines:
            assert (line.text, round(line.x, 2), round(line.y, 2)) in drawn, line


@pytest.mark.parametrize("name", ["one", "ten"])
def test_every_value_appears_in_its_cell(cards: dict[str, Path], name: str) -> None:
    data, _ = CASES[name]
    norm = family.normalise(data, area=TAPIN)
    cells = {c.key: c for c in _layout(name)}
    strings = [d for d in drawn_strings(cards[name]) if not d.rotated]

    def text_in(key: str) -> str:
        cell = cells[key]
        parts = sorted((d for d in strings if _inside(d, cell)), key=lambda d: (-d.y, d.x))
        return " ".join(d.text for d in parts)

    expected: dict[str, str] = {
        "no_kk": f"No. {norm['no_kk']}",
        "kepala_keluarga": norm["anggota"][0]["nama_lengkap"],
        "alamat": norm["alamat"],
        "rt_rw": f"{norm['rt']}/{norm['rw']}",
        "desa_kelurahan": norm["desa_kelurahan"],
        "kecamatan": "TAPIN UTARA",
        "kabupaten": "TAPIN",
        "kode_pos": "71111",
        "provinsi": "KALIMANTAN SELATAN",
        "footer.nama_kepala_keluarga": norm["anggota"][0]["nama_lengkap"],
        "footer.nama_kepala_dinas": OFFICE["kepala_dinas_nama"],
        "footer.nip_kepala_dinas": f"NIP. {OFFICE['kepala_dinas_nip']}",
        "footer.jabatan_kepala": OFFICE["jabatan_kepala"],
    }
    for row, member in enumerate(norm["anggota"], start=1):
        expected[f"a{row}.no"] = str(row)
        for key in family.MEMBER_KEYS:
            expected[f"a{row}.{key}"] = member[key]
    for row in range(len(norm["anggota"]) + 1, 11):  # the printed form's empty rows
        for key in ("no", *family.MEMBER_KEYS):
            expected[f"a{row}.{key}"] = ""
    for key, value in expected.items():
        assert _squash(text_in(key)) == _squash(value), key
        assert _squash(cells[key].text) == _squash(value), key


@pytest.mark.parametrize("name", ["one", "ten"])
def test_layout_lines_fit_their_cells(name: str) -> None:
    for cell in _layout(name):
        for line in cell.lines:
            d = Drawn(line.text, line.x, line.y, line.font, line.size, False)
            assert _inside(d, cell), (cell.key, line)
            assert line.size >= kk_cells.MIN_SIZE, (cell.key, line)
        assert len(cell.lines) <= 2, cell.key


def test_long_values_wrap_to_two_lines() -> None:
    cells = {c.key: c for c in _layout("ten")}
    assert [ln.text for ln in cells["a2.tempat_lahir"].lines] == [
        "SAN FRANCISCO",
        "CALIFORNIA UNITED STATES",
    ]
    assert len(cells["a2.nama_lengkap"].lines) == 2
    assert len(cells["a1.nama_lengkap"].lines) == 2
    assert [ln.text for ln in cells["a1.nik"].lines] == ["6305041503800001"]


def test_tables_have_ten_rows_and_the_official_columns() -> None:
    cells = {c.key: c for c in _layout("one")}
    for row in range(1, 11):
        for key in ("no", *family.MEMBER_KEYS):
            assert cells[f"a{row}.{key}"].border
    assert cells["a2.no"].text == ""
    headers = {k: c.text for k, c in cells.items() if ".head." in k or ".group." in k}
    assert headers["t1.head.nama_lengkap"] == "Nama Lengkap"
    assert headers["t2.group.no_paspor"] == "Dokumen Imigrasi"
    assert headers["t2.group.nama_ayah"] == "Nama Orang Tua"
    assert headers["t2.head.no_kitap"] == "No. KITAS/KITAP"
    numbers = [
        cells[f"t{1 if i <= 9 else 2}.num.{key}"].text
        for i, key in enumerate(family.MEMBER_KEYS, start=1)
    ]
    assert numbers == [f"({i})" for i in range(1, 18)]
    # table 1 left of and above table 2; columns share the page width
    assert cells["a10.nama_lengkap"].y0 > cells["t2.group.no_paspor"].y1
    assert cells["a1.golongan_darah"].x1 == pytest.approx(kk.WIDTH - kk.MARGIN_X)
    assert cells["a1.nama_ibu"].x1 == pytest.approx(kk.WIDTH - kk.MARGIN_X)


@pytest.mark.parametrize(
    "text",
    [
        "X" * 200,
        "SUPERCALIFRAGILISTICEXPIALIDOCIOUSANDEVENLONGERWITHOUTANYSPACE",
        "A / B - C " * 30,
        "W",
    ],
)
def test_fit_text_always_fits(text: str) -> None:
    width, height = 100.0, 12.4
    size, lines = kk_cells.fit_text(text, fonts.REGULAR, 7, width, height)
    joined = _squash("".join(lines))
    if len(text) < 100:
        assert joined == _squash(text)
    else:  # absurdly long: cut short with an ellipsis rather than drawn too small to read
        assert joined.endswith(kk_cells.ELLIPSIS)
        assert _squash(text).startswith(joined[:-1])
        assert size >= kk_cells.FLOOR_SIZE
    assert all(fonts.text_width(line, fonts.REGULAR, size) <= width + EPS for line in lines)
    spread = kk_cells.ASCENT + kk_cells.DESCENT + (len(lines) - 1) * kk_cells.LEADING
    assert size * spread <= height + EPS


def test_longest_accepted_values_still_print_at_least_at_min_size() -> None:
    data = copy.deepcopy(TEN)
    member = data["anggota"][1]
    for key, limit in family.MAX_LENGTH.items():
        filler = "ABDURRAHMAN WIRASAPUTRA HADIKUSUMO " * 5
        text = filler[:limit].strip()
        if key in member:
            member[key] = text
        elif key != "email":
            data[key] = text
    for cell in kk.layout_kk(data, office=OFFICE):
        for line in cell.lines:
            assert line.size >= kk_cells.MIN_SIZE, (cell.key, line)


# --------------------------------------------------------------------------- the file


@pytest.mark.parametrize("name", ["one", "ten"])
def test_filed_card_is_pdfa_landscape_a4_with_embedded_fonts(
    cards: dict[str, Path], name: str
) -> None:
    assert validate(cards[name]).passed
    with pikepdf.open(cards[name]) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        box = [float(v) for v in page.mediabox]
        assert box == pytest.approx([0, 0, 841.89, 595.28], abs=0.01)
        assert int(page.obj.get("/Rotate", 0)) == 0
        font_dicts = list(page.Resources.Font.values())
        assert font_dicts
        for font in font_dicts:
            for f in [font, *font.get("/DescendantFonts", [])]:
                if f.get("/Subtype") in ("/Type0",):
                    continue
                descriptor = f.FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        assert "KKWNA-2026-000" in str(pdf.docinfo.get("/Subject"))


def test_plain_pdf_when_not_archival(tmp_path: Path) -> None:
    out = kk.render_kk(
        ONE,
        tmp_path / "draft.pdf",
        office=OFFICE,
        case_id="KKWNA-2026-0009",
        issued=None,
        archival=False,
    )
    assert out.read_bytes().startswith(b"%PDF")
    assert not list(tmp_path.glob(".tmp-*"))
    with pikepdf.open(out) as pdf:
        for font in pdf.pages[0].Resources.Font.values():
            assert "/FontFile2" in font.FontDescriptor
    assert "KARTU KELUARGA" in PdfReader(out).pages[0].extract_text()


@pytest.mark.parametrize(
    ("name", "case_id"), [("one", "KKWNA-2026-0001"), ("ten", "KKWNA-2026-0002")]
)
def test_qr_code_decodes_to_case_id_and_number(
    cards: dict[str, Path], name: str, case_id: str
) -> None:
    texts = read_standard_qr(render_page(cards[name], dpi=216))
    assert texts == [f"{case_id}|6305041211260001"]


def test_watermark_when_asked_and_not_otherwise(cards: dict[str, Path]) -> None:
    marks = [d for d in drawn_strings(cards["one"]) if d.rotated]
    assert [d.text for d in marks] == ["KONSEP"]
    assert marks[0].size > 100
    assert "KONSEP" not in PdfReader(cards["ten"]).pages[0].extract_text()
    metadata = PdfReader(cards["one"]).metadata
    assert metadata is not None
    assert "Konsep" in str(metadata.title)


def test_paraf_box_when_given(cards: dict[str, Path]) -> None:
    text_ten = PdfReader(cards["ten"]).pages[0].extract_text()
    assert "Paraf Kepala Bidang" in text_ten
    assert "Drs. AHMAD FAUZI, M.Si" in text_ten
    assert "NIP. 19750101 200003 1 001" in text_ten
    assert "12-11-2026 10:15 WITA" in text_ten
    text_one = PdfReader(cards["one"]).pages[0].extract_text()
    assert "Paraf" not in text_one
    box = {c.key: c for c in _layout("ten")}["paraf.kotak"]
    assert box.border


def test_footer_texts(cards: dict[str, Path]) -> None:
    text_ten = PdfReader(cards["ten"]).pages[0].extract_text()
    for fragment in (
        "KARTU KELUARGA",
        "Dikeluarkan Tanggal",
        "12-11-2026",
        "KEPALA KELUARGA",
        "NIP. 19820311 200501 2 017",
        "Hj. RINA INDRIANI, ST",
    ):
        assert fragment in text_ten
    cells = {c.key: c for c in _layout("one")}
    assert cells["dikeluarkan"].text == ""
    assert cells["label.dikeluarkan"].text == "Dikeluarkan Tanggal"


def test_paraf_time_in_wita() -> None:
    naive = kk.Paraf("A", "1", datetime(2026, 1, 2, 3, 4))
    aware = kk.Paraf("A", "1", datetime(2026, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=7))))
    assert kk._paraf_time(naive.waktu) == "02-01-2026 03:04 WITA"
    assert kk._paraf_time(aware.waktu) == "02-01-2026 04:04 WITA"


def test_more_than_ten_members_is_refused(tmp_path: Path) -> None:
    data = copy.deepcopy(TEN)
    data["anggota"].append(dict(HEAD, nik="6305041503800011"))
    with pytest.raises(ValueError, match="at most 10"):
        kk.render_kk(data, tmp_path / "x.pdf", office=OFFICE, case_id="K", issued=None)
    assert not (tmp_path / "x.pdf").exists()


def test_draft_without_head_or_number_still_renders(tmp_path: Path) -> None:
    data = {"anggota": [dict(HEAD, status_hubungan="ANAK")]}
    out = kk.render_kk(
        data,
        tmp_path / "x.pdf",
        office=OFFICE,
        case_id="KKWNA-2026-0003",
        issued=None,
        archival=False,
    )
    assert "JOHN MICHAEL SMITH" in PdfReader(out).pages[0].extract_text()


@pytest.mark.parametrize("name", ["one", "ten"])
def test_a_draft_never_claims_an_electronic_signature(cards: dict[str, Path], name: str) -> None:
    text = _squash(PdfReader(cards[name]).pages[0].extract_text())
    assert _squash("ditandatangani secara elektronik") not in text
    assert "BSrE" not in text and "sertifikat" not in text
    assert "footer.bsre" not in {c.key for c in _layout(name)}


def test_the_signed_line_names_the_ca() -> None:
    cells = {c.key: c for c in kk.layout_kk(ONE, office=OFFICE, ca_name=kk.BSRE)}
    assert cells["footer.bsre"].text == (
        "Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat elektronik "
        "yang diterbitkan oleh Balai Besar Sertifikasi Elektronik (BSrE)"
    )
