"""What the renderer draws on a page: linear wrapping and capped free text, the radio
group and button font of a desk form, footers on attached pages, the letterhead's
contact line and emblem, the official-letter head, and the compact return note."""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
import tomllib
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw
from reportlab.pdfbase import pdfmetrics

from pipeline.desks.forms import read_fields
from pipeline.office import config
from pipeline.render import fonts
from pipeline.render.fonts import REGULAR, text_width
from pipeline.render.layout import FREE_TEXT_LIMIT, LayoutError, capped, load_layout
from pipeline.render.pdfa import validate
from pipeline.render.render import wrap
from tests import office
from tests.test_render import CASE, OFFICE, draft_kk, draw, sample

MB = 1_000_000
HAS_POPPLER = shutil.which("pdftoppm") is not None


def page_texts(path: Path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(path).pages]


class Measured:
    """Counts the characters reportlab is asked to measure: the wrapping's work."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.chars = 0
        real = pdfmetrics.stringWidth

        def counting(text: str, font: str, size: float, *a: Any, **k: Any) -> float:
            self.calls += 1
            self.chars += len(text)
            return float(real(text, font, size, *a, **k))

        monkeypatch.setattr(pdfmetrics, "stringWidth", counting)


# --------------------------------------------------------------------------- wrapping


def test_wrap_measures_each_character_about_once(monkeypatch: pytest.MonkeyPatch) -> None:
    measured = Measured(monkeypatch)
    word = "W" * MB
    started = time.perf_counter()
    lines = wrap(word, REGULAR, 9, 200)
    assert time.perf_counter() - started < 5  # was minutes: a loop cutting one char at a time
    assert "".join(lines) == word
    assert all(text_width(line, REGULAR, 9) <= 200 for line in lines)
    assert measured.chars <= 2 * MB + 100  # the word once, then its characters once each
    note = "kata panjang " * (MB // 13)
    measured.calls = measured.chars = 0
    lines = wrap(note + "\nbaris baru", REGULAR, 9, 300)
    assert lines[-1] == "baris baru" and " ".join(lines[:-1]) == note.strip()
    assert measured.chars <= 2 * len(note)


def test_wrap_keeps_its_behaviour() -> None:
    assert wrap("a\n\nb  c", REGULAR, 9, 100) == ["a", "", "b c"]
    lines = wrap("JOHN SMITH WOLFESCHLEGELSTEINHAUSENBERGERDORFF x", REGULAR, 9, 100)
    assert lines[0] == "JOHN SMITH" and lines[-1].endswith(" x")
    assert "".join(lines[1:])[:-2] == "WOLFESCHLEGELSTEINHAUSENBERGERDORFF"
    assert wrap("WWW", REGULAR, 9, 1) == ["W", "W", "W"]  # at least one character a line


def test_capped_says_it_was_cut() -> None:
    assert capped("pendek") == "pendek"
    text = capped("x, " * 600_000)
    assert len(text) < FREE_TEXT_LIMIT + 60
    assert text.endswith("… [dipotong; teks aslinya 1.800.000 karakter]")


@pytest.mark.parametrize("mode", ["form", "filed"])
def test_megabyte_note_and_word_render_quickly(tmp_path: Path, mode: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    word, note = "W" * MB, "Catatan yang sangat panjang. " * (MB // 29)
    data = sample("input_data", filed=mode == "filed")
    data["catatan_analis"] = note
    data["fields"].update(catatan=note, a1_nama_lengkap=word, alamat=word)
    measured = Measured(monkeypatch)
    started = time.perf_counter()
    out = draw("input_data", tmp_path / "besar.pdf", mode, data=data)
    assert time.perf_counter() - started < 10  # about 0.3 s; the bound allows a busy machine
    assert measured.chars < 2 * MB  # the drawing measured capped text, not the megabytes
    letter = sample("surat_pengembalian", filed=True)
    letter["alasan"] = word
    started = time.perf_counter()
    draw("surat_pengembalian", tmp_path / "surat.pdf", "filed", data=letter)
    assert time.perf_counter() - started < 10
    assert "[dipotong; teks aslinya 1.000.000 karakter]" in " ".join(
        page_texts(tmp_path / "surat.pdf"))
    if mode == "form":  # the form keeps every character the desk typed
        got = read_fields(out)
        assert got["catatan"] == note.strip() and got["a1_nama_lengkap"] == word
    else:
        assert validate(out).passed
        text = " ".join(page_texts(out))
        assert "[dipotong; teks aslinya 999.977 karakter]" in text  # the remark, stripped
        assert text.count("Catatan yang sangat panjang.") < 200


# --------------------------------------------------------------------------- forms


def _radio(form: Path) -> tuple[int, list[dict[str, Any]]]:
    """The decision field's flags, and of each widget: rect, on-states, /MK keys, the
    content of its "on" appearance, /DA."""
    with pikepdf.open(form) as pdf:
        field = next(f for f in pdf.Root.AcroForm.Fields if f.get("/T") == "keputusan")
        kids = []
        for kid in field.Kids:
            on = [str(k) for k in kid.AP.N if k != "/Off"]
            kids.append({"rect": [float(v) for v in kid.Rect], "on": on,
                         "mk": set(kid.get("/MK", {}).keys()),
                         "content": kid.AP.N[on[0]].read_bytes().decode(),
                         "da": str(kid.get("/DA", ""))})
        return int(field.Ff), kids


def test_decision_is_a_round_radio_group(tmp_path: Path) -> None:
    form = draw("review", tmp_path / "r.pdf", data={**sample("review"), "fields": {}})
    flags, kids = _radio(form)
    assert flags & (1 << 15) and flags & (1 << 14)  # a radio group, no toggling to off
    assert [kid["on"] for kid in kids] == [["/setuju"], ["/kembalikan"]]
    for kid in kids:
        assert not {"/BG", "/BC"} & kid["mk"]  # nothing a viewer could rebuild as a square
        assert " c " in kid["content"] and " re" not in kid["content"]  # circles only
        assert kid["da"].startswith("/ZaDb")
    with pikepdf.open(form) as pdf:
        zadb = pdf.Root.AcroForm.DR.Font.ZaDb
        assert zadb.BaseFont == "/ZapfDingbats" and zadb.Subtype == "/Type1"
    saved = office.fill(form, {"keputusan": "setuju"}, tmp_path / "saved.pdf")
    got = read_fields(saved)
    assert got["keputusan"] == "setuju"
    again = office.fill(saved, {"keputusan": "kembalikan"}, tmp_path / "again.pdf")
    assert read_fields(again)["keputusan"] == "kembalikan"


def _poppler(path: Path, out: Path, dpi: int = 150) -> tuple[list[Image.Image], str]:
    run = subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(out)],
                         capture_output=True, text=True, check=True, timeout=60)
    pngs = sorted(out.parent.glob(out.name + "*.png"))
    return [Image.open(p).convert("L") for p in pngs], run.stderr


@pytest.mark.skipif(not HAS_POPPLER, reason="pdftoppm (poppler-utils) is not installed")
def test_poppler_draws_the_form_without_font_warnings(tmp_path: Path) -> None:
    form = draw("checklist", tmp_path / "r.pdf", data={**sample("checklist"), "fields": {}})
    saved = office.fill(form, {"keputusan": "setuju", "cek_kitap": True},
                        tmp_path / "saved.pdf")
    for path in (form, draw("checklist", tmp_path / "c.pdf"), saved):
        _, stderr = _poppler(path, tmp_path / path.stem, 40)
        assert "Unknown font tag" not in stderr, stderr
    # the radio buttons as poppler rebuilds them: round (the corner of the square they
    # sit in is blank paper), and the chosen one has its dot
    images, _ = _poppler(saved, tmp_path / "big", 300)
    _, kids = _radio(saved)
    scale = 300 / 72
    height = images[0].height
    for kid, chosen in zip(kids, (True, False), strict=True):
        x0, y0, x1, y1 = (v * scale for v in kid["rect"])
        corner = images[0].getpixel((int(x0) + 1, int(height - y1) + 1))
        rim = min(images[0].getpixel((int(x0) + d, int(height - (y0 + y1) / 2)))
                  for d in range(0, 6))
        centre = images[0].getpixel((int((x0 + x1) / 2), int(height - (y0 + y1) / 2)))
        assert corner > 230 and rim < 180
        assert (centre < 80) == chosen


# --------------------------------------------------------------------------- attach


def test_attached_pages_are_counted_and_get_a_footer(tmp_path: Path) -> None:
    draft = draft_kk(tmp_path / "konsep.pdf", pages=2, field=False)
    for mode in ("form", "filed"):
        out = draw("review", tmp_path / f"{mode}.pdf", mode, attach=draft)
        texts = page_texts(out)
        assert len(texts) == 3
        for n, text in enumerate(texts, 1):
            assert f"Halaman {n} dari 3" in text, (mode, n)
        assert f"{CASE} · lampiran" in texts[1] and "KARTU KELUARGA (KONSEP)" in texts[1]
        if mode == "filed":
            assert validate(out).passed


def _covered_draft(path: Path) -> Path:
    """A draft page printed right down to its lower edge: no room for a footer."""
    c = fonts.new_canvas(str(path), (842, 595), "Konsep KK")
    c.drawString(72, 500, "KARTU KELUARGA (KONSEP)")
    c.rect(0, 0, 842, 40, stroke=0, fill=1)
    c.showPage()
    c.save()
    return path


def test_attached_footer_never_covers_the_card(tmp_path: Path) -> None:
    out = draw("review", tmp_path / "r.pdf", attach=_covered_draft(tmp_path / "penuh.pdf"))
    texts = page_texts(out)
    assert "Halaman 1 dari 2" in texts[0]
    assert "lampiran" not in texts[1] and "Halaman 2" not in texts[1]


def test_footer_on_a_real_draft_sits_on_blank_paper(tmp_path: Path) -> None:
    from pipeline.render import kk
    from tests.test_kk import OFFICE as KK_OFFICE
    from tests.test_kk import TEN

    draft = kk.render_kk(TEN, tmp_path / "konsep.pdf", office=KK_OFFICE, case_id=CASE,
                         issued=None)
    plain = pdfium.PdfDocument(draft)[0].render(scale=1, grayscale=True).to_pil().convert("L")
    out = draw("review", tmp_path / "r.pdf", "filed", attach=draft)
    assert "Halaman 2 dari 2" in page_texts(out)[1]
    doc = pdfium.PdfDocument(out)
    text = doc[1].get_textpage()
    found = text.search("Halaman 2 dari 2").get_next()
    assert found is not None
    start, count = found
    height = doc[1].get_height()
    for i in range(start, start + count):  # where the footer is, the card was blank
        left, bottom, right, top = text.get_charbox(i)
        box = plain.crop((int(left), int(height - top), int(right) + 1, int(height - bottom) + 1))
        assert box.getextrema()[0] >= 245


# --------------------------------------------------------------------------- letterhead


def emblem(path: Path, alpha: bool = True) -> Path:
    img = Image.new("RGBA" if alpha else "RGB", (240, 300), (0, 0, 0, 0) if alpha else "white")
    draw_ = ImageDraw.Draw(img)
    draw_.polygon([(120, 8), (232, 80), (210, 290), (30, 290), (8, 80)], fill=(20, 110, 60),
                  outline=(200, 160, 20), width=6)
    draw_.ellipse((80, 110, 160, 190), fill=(230, 190, 30))
    img.save(path)
    return path


CONTACT = {"telepon": "(0517) 31234", "email": "disdukcapil@tapinkab.go.id",
           "website": "disdukcapil.tapinkab.go.id"}


def _images(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        xobjects = pdf.pages[0].Resources.get("/XObject", {})
        return sum(1 for x in xobjects.values() if x.get("/Subtype") == "/Image")


def test_letterhead_with_contact_and_emblem(tmp_path: Path) -> None:
    data = sample("surat_pengembalian", filed=True)
    data["office"] = {**OFFICE, **CONTACT, "lambang": str(emblem(tmp_path / "lambang.png"))}
    out = draw("surat_pengembalian", tmp_path / "surat.pdf", "filed", data=data)
    assert validate(out).passed  # an emblem with transparency is fine for PDF/A-2b
    text = page_texts(out)[0]
    for words in ("Telepon (0517) 31234", "Pos-el disdukcapil@tapinkab.go.id",
                  "Laman disdukcapil.tapinkab.go.id"):
        assert words in text, words
    assert _images(out) == 1
    plain = draw("surat_pengembalian", tmp_path / "polos.pdf", "filed")
    assert _images(plain) == 0 and "Telepon" not in page_texts(plain)[0]
    # the emblem is drawn at the left of the letterhead, clear of the QR code
    doc = pdfium.PdfDocument(out)
    images = [obj for obj in doc[0].get_objects() if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
    assert len(images) == 1
    left, _, right, top = images[0].get_bounds()
    assert left < 100 and right < doc[0].get_width() / 3 and top > doc[0].get_height() - 120


@pytest.mark.parametrize("problem", ["missing", "garbage"])
def test_unreadable_emblem_is_left_out_with_a_warning(tmp_path: Path, problem: str,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "lambang.png"
    if problem == "garbage":
        path.write_bytes(b"\x89PNG\r\n\x1a\nbukan gambar")
    data = sample("checklist")
    data["office"] = {**OFFICE, "lambang": str(path)}
    with caplog.at_level(logging.WARNING, logger="pipeline.render.letterhead"):
        out = draw("checklist", tmp_path / "c.pdf", data=data)
    assert _images(out) == 0
    assert "tanpa lambang" in caplog.text and "lambang.png" in caplog.text


def test_config_contact_keys(tmp_path: Path) -> None:
    text = config.DEFAULT.replace(
        'telepon = ""', 'telepon = "(0517) 31234"').replace(
        'email = ""', 'email = "disdukcapil@tapinkab.go.id"').replace(
        'website = ""', 'website = "disdukcapil.tapinkab.go.id"').replace(
        'lambang = ""', 'lambang = "lambang-tapin.png"')
    (tmp_path / config.FILENAME).write_text(text, encoding="utf-8")
    cfg = config.load(tmp_path)
    data = cfg.office_data()
    assert data["telepon"] == "(0517) 31234" and data["email"] == "disdukcapil@tapinkab.go.id"
    assert data["website"] == "disdukcapil.tapinkab.go.id"
    assert data["lambang"] == str(tmp_path / "lambang-tapin.png")
    default = config.parse(tomllib.loads(config.DEFAULT)).office_data()
    assert default["telepon"] == default["lambang"] == ""
    # the emblem the config names is drawn once the office puts the file there
    emblem(tmp_path / "lambang-tapin.png", alpha=False)
    out = draw("tanda_bukti", tmp_path / "slip.pdf", "filed",
               data={**sample("tanda_bukti"), "office": {**OFFICE, **data}})
    assert _images(out) == 1 and "Laman disdukcapil.tapinkab.go.id" in page_texts(out)[0]


@pytest.mark.parametrize("line, message", [
    ('email = "bukan-alamat"', r"\[office\] email: bukan alamat e-mail"),
    ('lambang = "lambang.gif"', r"\[office\] lambang: harus gambar .png atau .jpg"),
    ("telepon = 31234", r"\[office\] telepon: harus teks"),
])
def test_config_contact_errors(line: str, message: str) -> None:
    key = line.split(" =")[0]
    text = config.DEFAULT.replace(f'{key} = ""', line)
    with pytest.raises(config.ConfigError, match=message):
        config.parse(tomllib.loads(text))


# --------------------------------------------------------------------------- return note


def test_long_return_note_keeps_member_one_on_page_one(tmp_path: Path) -> None:
    data = sample("input_data")
    data["office"] = {**OFFICE, **CONTACT}  # the tallest letterhead
    data["catatan_analis"] = ("Dikembalikan oleh DEMO MUHAMMAD YUSUF (Analis) pada putaran 1: "
                              + "Tanggal lahir anggota ke-2 tidak sesuai dengan paspor. " * 60)
    out = draw("input_data", tmp_path / "input.pdf", data=data)
    without = draw("input_data", tmp_path / "tanpa.pdf",
                   data={**data, "catatan_analis": ""})
    first = page_texts(out)[0]
    assert "ANGGOTA KELUARGA KE-1" in first and "(17) Nama ibu" in first
    assert len(page_texts(out)) == len(page_texts(without))
    assert "Dikembalikan oleh DEMO MUHAMMAD YUSUF" in first and "…" in first
    assert first.count("tidak sesuai dengan paspor") < 10  # cut to a few lines
    # the box stands at the right of the register number, not across the page
    doc = pdfium.PdfDocument(out)
    page = doc[0]
    tp = page.get_textpage()
    found = tp.search("Dikembalikan oleh").get_next()
    assert found is not None
    left, _, _, top = tp.get_charbox(found[0])
    reg = tp.search("Nomor register").get_next()
    assert reg is not None
    _, _, _, reg_top = tp.get_charbox(reg[0])
    assert left > page.get_width() * 0.4 and abs(top - reg_top) < 12


def test_paragraph_keys_checked(tmp_path: Path) -> None:
    for block, message in (('width = 1.5', "key 'width'"), ('max_lines = 0', "max_lines"),
                           ('beside = "ya"', "key 'beside' must be bool")):
        (tmp_path / "p.toml").write_text(
            f'[[blocks]]\ntype = "paragraph"\ntext = "x"\n{block}\n', encoding="utf-8")
        with pytest.raises(LayoutError, match=message):
            load_layout("p", [tmp_path])
