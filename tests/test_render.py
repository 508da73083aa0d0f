"""The document renderer: layouts, live desk forms, filed PDF/A copies, reading forms back."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pikepdf
import pypdf
import pypdfium2 as pdfium
import pytest

from pipeline import services
from pipeline.desks.forms import FormUnreadable, read_fields
from pipeline.domain import clock
from pipeline.render import documents, fonts
from pipeline.render.fonts import REGULAR, text_width
from pipeline.render.layout import (
    BUILTIN_LAYOUTS,
    LayoutError,
    MissingValueError,
    format_datetime,
    load_layout,
)
from pipeline.render.pdfa import validate
from pipeline.render.render import clean, fit_box, render
from tests.families import HEAD
from tests.qrread import read_standard_qr

CASE = "KKWNA-2026-0001"
WITA = ZoneInfo("Asia/Makassar")
OFFICE = {
    "pemerintah": "PEMERINTAH KABUPATEN TAPIN",
    "dinas": "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
    "alamat": "Jl. Datu Nuraya, Kawasan Rantau Baru, Kelurahan Rantau Kiwa, "
              "Kecamatan Tapin Utara, Rantau 71111",
    "kota": "Rantau",
    "kepala_dinas_nama": "Hj. RINA INDRIANI, ST",
    "kepala_dinas_nip": "198203112005012017",
}
OFFICER = {"petugas_nama": "SITI AMINAH, S.Kom", "petugas_nip": "199001152015032004"}
MEMBER = HEAD
MEMBER_KEYS = list(MEMBER)
LAYOUTS = ["checklist", "tanda_bukti", "surat_pengembalian", "verifikasi", "input_data",
           "review", "riwayat_kasus"]
DESK_FORMS = {"checklist": 2, "verifikasi": 3, "input_data": 4, "review": 5}
OWN_FIELDS = {
    "checklist": ["cek_formulir", "cek_kitap", "cek_paspor", "cek_hadir_sendiri"],
    "verifikasi": ["no_paspor", "paspor_berlaku_sampai", "no_kitap", "kitap_berlaku_sampai",
                   "data_valid", "bukan_data_ganda"],
    "input_data": ["no_kk", "alamat", "rt", "rw", "desa_kelurahan", "kecamatan", "kode_pos",
                   "email"],
    "review": [],
}
DIRS = [BUILTIN_LAYOUTS]


def sample(name: str, filed: bool = False) -> dict[str, Any]:
    """Realistic data for a layout, as the engine gives it."""
    d: dict[str, Any] = {
        "office": OFFICE, "kasus": CASE, "judul": "JOHN MICHAEL SMITH",
        "diterima": dt.datetime(2026, 11, 23, 9, 12, tzinfo=WITA),
        "tanggal": dt.date(2026, 11, 23), "di_luar_jam": False,
        "sop": {"nomor": "800/003-SOP/DUKCAPIL/2022", "tanggal": "1 Agustus 2022"},
        "layanan": documents.service_data(services.default())["layanan"],
    }
    f: dict[str, Any] = {}
    if name == "checklist":  # its lines: the service's requirements (`FrontOffice`)
        d["persyaratan"] = [{"field": r.key, "label": r.line}
                            for r in services.default().requirements]
        d["berkas"] = [{"nama": "formulir-f101.pdf", "halaman": 2},
                       {"nama": "kitap john smith.jpg", "halaman": 1}]
        f = {"cek_formulir": True, "cek_kitap": True, "cek_paspor": False,
             "cek_hadir_sendiri": True}
    elif name == "tanda_bukti":
        d.update(kode_pengambilan="7KQ4-M2XP", **OFFICER)
    elif name == "surat_pengembalian":
        d.update(nomor=f"{CASE}/03", langkah_nama="Langkah 3: verifikasi berkas",
                 alasan="KITAP yang dilampirkan sudah tidak berlaku sejak 01-10-2026.",
                 kekurangan=["KITAP yang masih berlaku dari kantor imigrasi",
                             "Fotokopi paspor halaman identitas"],
                 petugas_jabatan="Verifikator", **OFFICER)
    elif name == "verifikasi":
        d.update(diterima_front_office=[{"persyaratan": "KITAP dari kantor imigrasi",
                                         "ada": "ADA"}],
                 data_ganda=[{"nomor_register": "KKWNA-2026-0000", "nama": "JOHN M. SMITH",
                              "kesamaan": "Nomor paspor PA1234567", "status": "selesai"}],
                 peringatan="KITAP berakhir dalam 25 hari (17-12-2026).")
        f = {"no_paspor": "PA1234567", "paspor_berlaku_sampai": "14-03-2031",
             "no_kitap": "2C21JD0001-A", "kitap_berlaku_sampai": "17-12-2026",
             "data_valid": True, "bukan_data_ganda": False}
    elif name == "input_data":
        d["catatan_analis"] = "Tanggal lahir anggota ke-2 tidak sesuai dengan paspor."
        f = {"no_kk": "6305041211260001", "alamat": "JL. BRIGJEN H. HASAN BASRI NO. 12",
             "rt": "003", "rw": "001", "desa_kelurahan": "RANTAU KIWA",
             "kecamatan": "TAPIN UTARA", "kode_pos": "71111", "email": ""}
        f.update({f"a1_{k}": v for k, v in MEMBER.items()})
        f.update({f"a2_{k}": v for k, v in MEMBER.items()})
        f.update(a2_nama_lengkap="SARAH SMITH", a2_status_hubungan="ISTRI",
                 a2_jenis_kelamin="PEREMPUAN")
    elif name == "review":
        d.update(judul_review="LEMBAR KOREKSI KONSEP KARTU KELUARGA",
                 nama_dokumen="Lembar Koreksi Konsep Kartu Keluarga", no_kk="6305041211260001",
                 kepala_keluarga="JOHN MICHAEL SMITH", jumlah_anggota="3", putaran="1",
                 catatan_sebelumnya="")
    elif name == "riwayat_kasus":
        d.update(status="selesai",
                 riwayat=[{"waktu": "23-11-2026 09:12 WITA", "langkah": "1",
                           "keputusan": "diterima", "petugas": "-", "keterangan": ""}],
                 dokumen=[{"nama": "01 berkas permohonan.pdf", "sha256": "3f2a9c0b...",
                           "ukuran": "482113"}])
    if filed:
        f.update(keputusan="setuju", catatan="Berkas lengkap dan sesuai.", **OFFICER)
        d["petugas_jabatan"] = "Verifikator"
    d["fields"] = f
    return d


def draw(name: str, out: Path, mode: str = "form", **kw: Any) -> Path:
    data = kw.pop("data", None) or sample(name, filed=mode == "filed")
    return render(name, data, out, mode=mode, case_id=CASE,  # type: ignore[arg-type]
                  step=kw.pop("step", DESK_FORMS.get(name, 2)), layout_dirs=DIRS, **kw)


def form_fields(path: Path) -> dict[str, Any]:
    return pypdf.PdfReader(path).get_fields() or {}


def decode_pages(path: Path) -> list[list[str]]:
    """The standard QR codes zxing reads on each page, rendered as a viewer shows the form."""
    doc = pdfium.PdfDocument(path)
    doc.init_forms()
    try:
        return [read_standard_qr(doc[i].render(scale=2, may_draw_forms=True).to_pil())
                for i in range(len(doc))]
    finally:
        doc.close()


def unembedded_fonts(pdf: pikepdf.Pdf, only_pages: bool = False) -> list[str]:
    """Names of fonts without an embedded program (anywhere, or in page content only)."""
    fonts_: list[pikepdf.Dictionary] = []
    if only_pages:
        def walk(res: Any, depth: int = 0) -> None:
            if res is None or depth > 5:
                return
            for f in (res.get("/Font") or {}).values():
                fonts_.append(f)
            for x in (res.get("/XObject") or {}).values():
                walk(x.get("/Resources"), depth + 1)
        for page in pdf.pages:
            walk(page.obj.get("/Resources"))
    else:
        fonts_ = [o for o in pdf.objects
                  if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"]
    missing = []
    for font in fonts_:
        if font.get("/Subtype") == "/Type3":
            continue
        target = font["/DescendantFonts"][0] if font.get("/Subtype") == "/Type0" else font
        desc = target.get("/FontDescriptor")
        if desc is None or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            missing.append(str(font.get("/BaseFont")))
    return missing


# --------------------------------------------------------------------------- layouts


def test_every_builtin_layout_loads() -> None:
    for name in LAYOUTS:
        layout = load_layout(name, DIRS)
        assert layout.blocks
    names = load_layout("input_data", DIRS).field_names()
    members = [n for n in names if n[0] == "a" and n[1].isdigit()]
    assert len(members) == 170
    assert {f"a{n}_{k}" for n in range(1, 11) for k in MEMBER_KEYS} == set(members)
    assert load_layout("input_data", DIRS).pagesize[0] > load_layout("input_data", DIRS).pagesize[1]
    assert not load_layout("tanda_bukti", DIRS).decision


def test_office_layout_overrides_builtin(tmp_path: Path) -> None:
    own = tmp_path / "layouts"
    own.mkdir()
    text = (BUILTIN_LAYOUTS / "tanda_bukti.toml").read_text(encoding="utf-8")
    (own / "tanda_bukti.toml").write_text(
        text.replace("Tunjukkan tanda bukti ini", "BAWA TANDA BUKTI INI"), encoding="utf-8")
    out = render("tanda_bukti", sample("tanda_bukti"), tmp_path / "slip.pdf", mode="filed",
                 case_id=CASE, step=2, layout_dirs=[own])  # built-ins are searched last
    assert "BAWA TANDA BUKTI INI" in pypdf.PdfReader(out).pages[0].extract_text()


@pytest.mark.parametrize("toml, message", [
    ('[[blocks]]\ntype = "paragraph"\ntext = "x"\nwehn = "a"\n', "unknown key 'wehn'"),
    ('[[blocks]]\ntype = "chart"\n', "key 'type'"),
    ('[[blocks]]\ntype = "table"\nsource = "x"\n', "missing key 'columns'"),
    ('[[blocks]]\ntype = "paragraph"\ntext = "{unclosed"\n', "bad placeholder"),
    ('orientation = "sideways"\n[[blocks]]\ntype = "rule"\n', "orientation"),
    ('[[blocks]\n', "not valid TOML"),
])
def test_layout_errors_name_file_and_key(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "rusak.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(LayoutError) as info:
        load_layout("rusak", [tmp_path])
    assert message in str(info.value)
    assert "rusak.toml" in str(info.value)


def test_unknown_layout(tmp_path: Path) -> None:
    with pytest.raises(LayoutError, match="layout 'tidak_ada' not found"):
        render("tidak_ada", {}, tmp_path / "x.pdf", mode="form", case_id=CASE, step=2,
               layout_dirs=[tmp_path])


def test_missing_placeholder_names_layout_and_key(tmp_path: Path) -> None:
    data = sample("tanda_bukti")
    del data["kode_pengambilan"]
    with pytest.raises(MissingValueError) as info:
        draw("tanda_bukti", tmp_path / "slip.pdf", "filed", data=data)
    assert "tanda_bukti" in str(info.value)
    assert "{kode_pengambilan}" in str(info.value)
    assert info.value.key == "kode_pengambilan"
    assert not (tmp_path / "slip.pdf").exists()
    data = sample("tanda_bukti")
    data["office"] = {k: v for k, v in OFFICE.items() if k != "dinas"}
    with pytest.raises(MissingValueError, match=r"\{office\.dinas\}"):
        draw("tanda_bukti", tmp_path / "slip.pdf", "filed", data=data)


def test_indonesian_dates() -> None:
    assert clock.long_date(dt.date(2026, 11, 23)) == "23 November 2026"
    assert format_datetime(dt.datetime(2026, 8, 1, 14, 5, tzinfo=WITA)) == \
        "1 Agustus 2026 pukul 14.05 WITA"


# --------------------------------------------------------------------------- form mode


@pytest.mark.parametrize("name", list(DESK_FORMS))
def test_desk_form_has_all_fields_prefilled(tmp_path: Path, name: str) -> None:
    out = draw(name, tmp_path / f"{name}.pdf")
    fields = form_fields(out)
    for key in ("kasus", "langkah", "keputusan", "catatan", "petugas_nama", "petugas_nip",
                *OWN_FIELDS[name]):
        assert key in fields, key
    assert fields["kasus"]["/V"] == CASE
    assert fields["langkah"]["/V"] == str(DESK_FORMS[name])
    for key, value in sample(name)["fields"].items():
        got = fields[key].get("/V")
        if isinstance(value, bool):
            assert (got not in (None, "/Off")) == value, key
        else:
            assert got == value, key
    with pikepdf.open(out) as pdf:
        assert bool(pdf.Root.AcroForm.NeedAppearances)
        assert unembedded_fonts(pdf, only_pages=True) == []


def test_input_data_has_170_member_fields(tmp_path: Path) -> None:
    fields = form_fields(draw("input_data", tmp_path / "input.pdf"))
    for n in range(1, 11):
        for key in MEMBER_KEYS:
            assert f"a{n}_{key}" in fields
    assert fields["a1_nik"]["/V"] == MEMBER["nik"]


def test_qr_with_case_id_on_every_page_of_a_form(tmp_path: Path) -> None:
    pages = decode_pages(draw("input_data", tmp_path / "input.pdf"))
    assert len(pages) > 1
    for texts in pages:
        assert CASE in texts
    assert all(CASE in texts for texts in decode_pages(draw("checklist", tmp_path / "c.pdf")))


def fill(path: Path, values: dict[str, str], out: Path, incremental: bool = False) -> Path:
    writer = pypdf.PdfWriter(path, incremental=True) if incremental else \
        pypdf.PdfWriter(clone_from=path)
    writer.update_page_form_field_values(None, values, auto_regenerate=False)
    with open(out, "wb") as fh:
        writer.write(fh)
    return out


@pytest.mark.parametrize("incremental", [False, True])
def test_filled_form_reads_back_normalised(tmp_path: Path, incremental: bool) -> None:
    form = draw("checklist", tmp_path / "form.pdf",
                data={**sample("checklist"), "fields": {}})
    saved = fill(form, {"cek_formulir": "/Yes", "cek_kitap": "/Yes", "cek_paspor": "/Off",
                        "keputusan": "/setuju", "catatan": "  Lengkap.\r\nTerima kasih.  ",
                        "petugas_nama": " SITI AMINAH ", "petugas_nip": "199001152015032004"},
                 tmp_path / "saved.pdf", incremental)
    if incremental:
        assert saved.read_bytes().startswith(form.read_bytes())
    got = read_fields(saved)
    assert got["kasus"] == CASE and got["langkah"] == "2"
    assert got["cek_formulir"] == "ya" and got["cek_kitap"] == "ya"
    assert got["cek_paspor"] == "tidak" and got["cek_hadir_sendiri"] == "tidak"
    assert got["keputusan"] == "setuju"
    assert got["catatan"] == "Lengkap.\nTerima kasih."
    assert got["petugas_nama"] == "SITI AMINAH"
    assert got["petugas_nip"] == "199001152015032004"
    assert got["tidak_ada"] == "" and got.get("tidak_ada") == ""


def test_unfilled_form_reads_empty(tmp_path: Path) -> None:
    got = read_fields(draw("review", tmp_path / "r.pdf", data={**sample("review"),
                                                               "fields": {}}))
    assert got["keputusan"] == "" and got["catatan"] == "" and "sesuai_berkas" not in got
    assert got["langkah"] == "5"


def test_input_data_filled_reads_back(tmp_path: Path) -> None:
    form = draw("input_data", tmp_path / "input.pdf", data={**sample("input_data"),
                                                             "fields": {}})
    values = {f"a3_{k}": v for k, v in MEMBER.items()} | {"keputusan": "/kembalikan",
                                                         "no_kk": "6305041211260001"}
    got = read_fields(fill(form, values, tmp_path / "saved.pdf"))
    assert got["keputusan"] == "kembalikan"
    assert all(got[f"a3_{k}"] == v for k, v in MEMBER.items())
    assert got["a10_nama_ibu"] == ""


def test_radio_on_state_by_appearance_only(tmp_path: Path) -> None:
    """A writer that sets only the widgets' /AS (no /V) still reads as chosen."""
    form = draw("review", tmp_path / "r.pdf")
    with pikepdf.open(form, allow_overwriting_input=True) as pdf:
        for field in pdf.Root.AcroForm.Fields:
            if field.get("/T") == "keputusan":
                for kid in field.Kids:
                    on = [k for k in kid.AP.N if k != "/Off"][0]
                    kid.AS = pikepdf.Name(on if on == "/kembalikan" else "/Off")
        pdf.save(form)
    assert read_fields(form)["keputusan"] == "kembalikan"


def test_unicode_value_kept_in_form(tmp_path: Path) -> None:
    data = sample("input_data")
    data["fields"]["a1_nama_lengkap"] = "NGUYỄN THỊ MINH KHAI"
    out = draw("input_data", tmp_path / "input.pdf", data=data)
    assert read_fields(out)["a1_nama_lengkap"] == "NGUYỄN THỊ MINH KHAI"
    data["fields"].update(keputusan="setuju", **OFFICER)
    filed = draw("input_data", tmp_path / "filed.pdf", "filed", data=data)
    assert validate(filed).passed
    assert "NGUYEN THI MINH KHAI" in "".join(p.extract_text() for p in
                                             pypdf.PdfReader(filed).pages)


@pytest.mark.parametrize("content, message", [
    (b"hello, not a pdf", "bukan PDF"),
    (None, "tidak berisi isian"),
    (b"%PDF-1.7\n1 0 obj <<\n%%EOF", "rusak"),
])
def test_unreadable_forms(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "x.pdf"
    if content is None:
        buf = io.BytesIO()
        c = fonts.new_canvas(buf, (595, 842), "kosong")
        c.drawString(72, 700, "tanpa isian")
        c.showPage()
        c.save()
        content = buf.getvalue()
    path.write_bytes(content)
    with pytest.raises(FormUnreadable, match=message):
        read_fields(path)


# --------------------------------------------------------------------------- filed mode


@pytest.mark.parametrize("name", LAYOUTS)
def test_filed_copy_is_pdfa_with_values_as_text(tmp_path: Path, name: str) -> None:
    out = draw(name, tmp_path / f"{name}.pdf", "filed")
    assert validate(out).passed
    with pikepdf.open(out) as pdf:
        assert "/AcroForm" not in pdf.Root
        assert all("/Annots" not in page.obj for page in pdf.pages)
        assert unembedded_fonts(pdf) == []
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(out).pages)
    assert CASE in text
    data = sample(name, filed=True)
    for key, value in data["fields"].items() if name in DESK_FORMS else ():
        if isinstance(value, str) and value and key != "keputusan":
            assert value in text, key
    if name in DESK_FORMS:
        flat = " ".join(text.split())
        assert "Keputusan: Setuju / diteruskan" in flat
        assert "Setuju / diteruskan Dikembalikan" not in flat  # the chosen label only
    if name in DESK_FORMS or name in ("tanda_bukti", "surat_pengembalian"):
        assert OFFICER["petugas_nip"] in text and OFFICER["petugas_nama"] in text
    assert "None" not in text


def test_filed_wording(tmp_path: Path) -> None:
    def text(name: str, **changes: Any) -> str:
        data = {**sample(name, filed=True), **changes}
        out = draw(name, tmp_path / f"{name}.pdf", "filed", data=data)
        return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(out).pages)

    slip = text("tanda_bukti")
    for words in ("PEMERINTAH KABUPATEN TAPIN", "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
                  "TANDA BUKTI PENGAMBILAN DOKUMEN", "Kode pengambilan: 7KQ4-M2XP", "Gratis",
                  "Rantau, 23 November 2026", "22 menit", f"NIP. {OFFICER['petugas_nip']}",
                  "Tunjukkan tanda bukti ini saat pengambilan Kartu Keluarga"):
        assert words in slip, words
    assert "di luar jam" not in text("checklist")
    # the SOP the checklist cites is the service's (documents.base_data: pipeline.domain.sop)
    assert "(SOP 470/011-SOP/DUKCAPIL/2024)" in text(
        "checklist", sop={"nomor": "470/011-SOP/DUKCAPIL/2024", "tanggal": "4 Maret 2024"})
    assert "Diterima di luar jam layanan (08.00-15.00 WITA)" in text("checklist",
                                                                      di_luar_jam=True)
    letter = text("surat_pengembalian")
    for words in ("Nomor : 470/KKWNA-2026-0001/03/DISDUKCAPIL/2026", "Sifat : Biasa",
                  "Lampiran : 1 (satu) berkas", "Hal : Pengembalian berkas permohonan KK WNA",
                  "Rantau, 23 November 2026 Nomor", "Yth. Saudara/i JOHN MICHAEL SMITH"):
        assert words in letter, words
    assert "1. KITAP yang masih berlaku" in letter and "Kelengkapan yang perlu" in letter
    assert "Kelengkapan yang perlu" not in text("surat_pengembalian", kekurangan=[])
    verif = text("verifikasi", data_ganda=[], peringatan="")
    assert "Tidak ditemukan data yang sama di register." in verif
    assert "Perhatian" not in verif and "Diverifikasi oleh" in verif


def test_slip_qr_carries_the_collection_code(tmp_path: Path) -> None:
    out = draw("tanda_bukti", tmp_path / "slip.pdf", "filed")
    texts = decode_pages(out)[0]
    assert CASE in texts
    assert any("7KQ4-M2XP" in t for t in texts)


def test_long_values_stay_inside_the_page(tmp_path: Path) -> None:
    data = sample("input_data", filed=True)
    long = "WOLFESCHLEGELSTEINHAUSENBERGERDORFF " * 4
    data["fields"].update(a1_nama_lengkap=long, a1_tempat_lahir=long, alamat=long,
                          catatan="Sangat panjang. " * 60)
    data["catatan_analis"] = "Catatan panjang " * 40
    out = draw("input_data", tmp_path / "long.pdf", "filed", data=data)
    assert validate(out).passed
    doc = pdfium.PdfDocument(out)
    try:
        for page in doc:
            width = page.get_width()
            tp = page.get_textpage()
            for i in range(tp.count_chars()):
                left, _, right, _ = tp.get_charbox(i)
                assert left >= 10 and right <= width - 10
    finally:
        doc.close()


def test_fit_box_shrinks_then_wraps() -> None:
    size, lines = fit_box("JOHN MICHAEL SMITH", REGULAR, 9, 200, 15)
    assert size == 9 and lines == ["JOHN MICHAEL SMITH"]
    size, lines = fit_box("A VERY LONG NAME " * 8, REGULAR, 9, 120, 15)
    assert len(lines) * size * 1.15 <= 15 + 1e-6
    assert all(text_width(line, REGULAR, size) <= 120 for line in lines)
    assert clean("NGUYỄN\tA\x00", REGULAR) == "NGUYEN A "


# --------------------------------------------------------------------------- attach


def draft_kk(path: Path, pages: int = 2, field: bool = True) -> Path:
    """A stand-in for the draft KK: landscape pages with text (and a field of its own)."""
    buf = io.BytesIO()
    c = fonts.new_canvas(buf, (842, 595), "Konsep KK")
    for i in range(pages):
        c.setFont(fonts.BOLD, 16)
        c.drawString(72, 500, f"KARTU KELUARGA (KONSEP) halaman {i + 1}")
        if i == 0 and field:
            c.acroForm.textfield(name="kasus", value="LAIN", x=72, y=400, width=100,
                                 height=20, fontName="Helvetica")
        c.showPage()
    c.save()
    path.write_bytes(buf.getvalue())
    return path


def test_attach_keeps_a_working_form(tmp_path: Path) -> None:
    draft = draft_kk(tmp_path / "konsep.pdf")
    form = draw("review", tmp_path / "review.pdf", attach=draft)
    reader = pypdf.PdfReader(form)
    assert len(reader.pages) == 3
    assert "KARTU KELUARGA (KONSEP)" in reader.pages[1].extract_text()
    fields = form_fields(form)
    assert fields["kasus"]["/V"] == CASE  # the draft's own field did not take over
    assert "/Annots" not in reader.pages[1] and "/Annots" not in reader.pages[2]
    got = read_fields(fill(form, {"keputusan": "/setuju"}, tmp_path / "saved.pdf"))
    assert got["keputusan"] == "setuju"
    assert got["kasus"] == CASE and got["langkah"] == "5"
    assert CASE in decode_pages(form)[0]

    # the filed copy: the draft carries no live field (an unembedded Helvetica appearance
    # flattened into it could not be PDF/A)
    draft = draft_kk(tmp_path / "konsep-arsip.pdf", field=False)
    filed = draw("review", tmp_path / "filed.pdf", "filed", attach=draft)
    assert validate(filed).passed
    with pikepdf.open(filed) as pdf:
        assert len(pdf.pages) == 3 and "/AcroForm" not in pdf.Root
        assert all("/Annots" not in page.obj for page in pdf.pages)


EVERY_BLOCK = '''
document = "Contoh {kasus}"
size = "F4"
footer = "Contoh semua blok · {kasus}"
kop = { lines = ["{office.pemerintah}", "{office.dinas}", "BIDANG PENDAFTARAN PENDUDUK"] }

[[blocks]]
type = "title"
text = "contoh semua blok"
nomor = "Nomor: {kasus}"

[[blocks]]
type = "heading"
text = "A. BARIS"

[[blocks]]
type = "rows"
rows = [["Nama", "{judul}"], { label = "Tidak tampil", value = "x", unless = "judul" }]
source = "pasangan"

[[blocks]]
type = "inputs"
items = [
  { field = "uraian", label = "Uraian panjang", kind = "multiline", lines = 4 },
  { field = "tgl", label = "Tanggal", kind = "date" },
]

[[blocks]]
type = "bullets"
source = "daftar"
intro = "Daftar:"
list_style = "letter"

[[blocks]]
type = "bullets"
source = "kosong"
intro = "Daftar kosong:"
empty = "Tidak ada."

[[blocks]]
type = "rule"

[[blocks]]
type = "spacer"
height = 20

[[blocks]]
type = "qr"
text = "{judul}"
align = "left"
size = 70
caption = "QR nama"

[[blocks]]
type = "pagebreak"

[[blocks]]
type = "paragraph"
align = "right"
box = "warning"
text = "Halaman kedua."

[[blocks]]
type = "members"
count = 2
prefix = "b"
columns = 2
keys = [{ key = "nama", label = "Nama" }, { key = "lahir", label = "Lahir", kind = "date" }]

[[blocks]]
type = "decision"
title = "PUTUSAN"
setuju = "Diterima"
kembalikan = "Ditolak"

[[blocks]]
type = "signature"
place_date = "{office.kota}, {tanggal}"
parties = [
  { label = "Pemohon,", name = "{judul}" },
  { label = "Petugas,", role = "Front Office", name = "{petugas_nama}", nip = "{petugas_nip}" },
]
'''


@pytest.mark.parametrize("mode", ["form", "filed"])
def test_every_block_type(tmp_path: Path, mode: str) -> None:
    (tmp_path / "contoh.toml").write_text(EVERY_BLOCK, encoding="utf-8")
    data = {**sample("tanda_bukti"), "pasangan": {"Paspor": "PA1234567"},
            "daftar": ["satu", "dua"], "kosong": [],
            "fields": {"uraian": "Baris satu\nBaris dua", "tgl": "01-02-2026",
                       "b1_nama": "ANNA", "keputusan": "kembalikan",
                       "catatan": "Kurang lengkap.", **OFFICER}}
    out = render("contoh", data, tmp_path / "contoh.pdf", mode=mode,  # type: ignore[arg-type]
                 case_id=CASE, step=2, layout_dirs=[tmp_path])
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 2
    assert round(float(reader.pages[0].mediabox.height)) == 935  # F4
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for words in ("CONTOH SEMUA BLOK", "BIDANG PENDAFTARAN PENDUDUK", "Paspor : PA1234567",
                  "a. satu", "b. dua", "Tidak ada.", "QR nama", "Halaman kedua.",
                  "Contoh semua blok · KKWNA-2026-0001", "Halaman 2 dari 2", "Pemohon,",
                  "Front Office"):
        assert words in text, words
    assert "Tidak tampil" not in text
    assert "JOHN MICHAEL SMITH" in decode_pages(out)[0]
    if mode == "filed":
        assert validate(out).passed
        assert "Keputusan: Ditolak" in text and "Kurang lengkap." in text
        assert "ANNA" in text and "Baris dua" in text
        assert "ANGGOTA KELUARGA KE-2" not in text  # empty members are left out
    else:
        got = read_fields(out)
        assert got["uraian"] == "Baris satu\nBaris dua" and got["keputusan"] == "kembalikan"
        assert {"b1_nama", "b2_lahir", "tgl"} <= set(got)
