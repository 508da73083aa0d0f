"""Judging untrusted scans and bundling them into one archival PDF (pipeline.intake.scans)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
import scanfactory as make
from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat

from pipeline.intake import scan_images, scans
from pipeline.intake.scans import Limits, ScanRejected
from pipeline.render.pdfa import validate

# ---------------------------------------------------------------- helpers


def page_images(pdf: pikepdf.Pdf, index: int) -> list[pikepdf.Object]:
    return list(pdf.pages[index].get_images().values())


def page_size(pdf: pikepdf.Pdf, index: int) -> tuple[float, float]:
    box = [float(v) for v in pdf.pages[index].mediabox]
    return round(box[2] - box[0], 2), round(box[3] - box[1], 2)


def drawn_size(path: Path, index: int) -> tuple[float, float]:
    """The size the scan is drawn at on its (A4) page: its image's or form's box."""
    from tests.test_scan_a4 import pages

    w, h, boxes = pages(path)[index]
    (box,) = boxes
    assert abs(min(w, h) - 595.28) <= 1 and abs(max(w, h) - 841.89) <= 1, "an A4 page"
    return round(box[2] - box[0], 2), round(box[3] - box[1], 2)


def pixels_of(image: pikepdf.Object) -> Image.Image:
    return pikepdf.PdfImage(image).as_pil_image()


def all_dictionary_text(path: Path) -> str:
    """Every object of the file, unparsed (dictionaries of streams, not their data)."""
    parts = []
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            target = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
            parts.append(target.unparse(resolved=True).decode("latin-1"))
        parts.append(pdf.trailer.unparse(resolved=True).decode("latin-1"))
    return "\n".join(parts)


def rejected(path: Path, limits: Limits | None = None) -> ScanRejected:
    with pytest.raises(ScanRejected) as info:
        scans.check(path, limits or Limits())
    return info.value


# ---------------------------------------------------------------- sniff


@pytest.mark.parametrize(
    ("name", "maker", "kind"),
    [
        ("a.jpg", lambda p: make.jpeg(p), "jpeg"),
        ("a.png", lambda p: make.png(p), "png"),
        ("a.tif", lambda p: make.tiff(p, [make.picture((50, 40))]), "tiff"),
        ("big.tif", lambda p: make.tiff(p, [make.picture((50, 40))], big=True), "tiff"),
        ("a.pdf", lambda p: make.scanner_pdf(p, 1, (100, 130)), "pdf"),
        ("photo.png", lambda p: make.jpeg(p), "jpeg"),  # the content decides, not the name
        ("scan", lambda p: make.png(p), "png"),
        ("letter.pdf", lambda p: p.write_text("Dear sir, this is plain text\n"), None),
        ("letter.pdf.docx", lambda p: make.docx(p), None),
        ("random.tif", lambda p: make.garbage(p), None),
    ],
)
def test_sniff_by_content(tmp_path: Path, name: str, maker: Callable, kind: str | None) -> None:
    path = tmp_path / name
    maker(path)
    assert scans.sniff(path) == kind


def test_sniff_of_a_folder_is_none(tmp_path: Path) -> None:
    assert scans.sniff(tmp_path) is None


# ---------------------------------------------------------------- check: accepted


@pytest.mark.parametrize(
    ("maker", "kind"),
    [
        (lambda p: make.jpeg(p, orientation=6), "jpeg"),
        (lambda p: make.jpeg(p, mode="CMYK"), "jpeg"),
        (lambda p: make.jpeg(p, progressive=True), "jpeg"),
        (lambda p: make.png(p, mode="RGBA"), "png"),
        (lambda p: make.png16(p), "png"),
        (lambda p: make.tiff(p, [make.picture((60, 80), m) for m in ("1", "L", "RGB")]), "tiff"),
        (lambda p: make.scanner_pdf(p, 3, (100, 130)), "pdf"),
        (lambda p: make.hostile_pdf(p), "pdf"),
        (lambda p: make.text_pdf(p), "pdf"),  # unembedded font: goes in as a picture
        (lambda p: make.encrypted_pdf(p, user=""), "pdf"),  # owner password only: opens
    ],
)
def test_check_accepts(tmp_path: Path, maker: Callable, kind: str) -> None:
    path = tmp_path / "scan"
    maker(path)
    assert scans.check(path) == kind


# ---------------------------------------------------------------- check: rejected


def _symlink(p: Path) -> None:
    os.symlink(make.jpeg(p.with_name("real.jpg")), p)


def _fifo(p: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(p)


def _truncated(maker: Callable[[Path], Path], fraction: float = 0.5) -> Callable[[Path], Path]:
    def build(p: Path) -> Path:
        return make.truncated(maker(p.with_name("whole")), p, fraction)

    return build


def _many_pages(p: Path) -> Path:
    return make.scanner_pdf(p, pages=3, size=(60, 80))


def _tiff_second_frame_big(p: Path) -> Path:
    return make.tiff(p, [make.picture((20, 20)), make.picture((200, 200))])


REJECTIONS: list[tuple[str, Callable[[Path], object], Limits, str, str]] = [
    ("symlink", _symlink, Limits(), "symlink", "link"),
    ("folder", lambda p: p.mkdir(), Limits(), "not-a-file", "not an ordinary file"),
    ("fifo", _fifo, Limits(), "not-a-file", "not an ordinary file"),
    ("empty", lambda p: p.write_bytes(b""), Limits(), "empty", "empty (0 bytes)"),
    ("oversized", lambda p: make.jpeg(p), Limits(max_bytes=1000), "too-large", "too large"),
    (
        "text renamed .pdf",
        lambda p: p.write_text("hello\n" * 50),
        Limits(),
        "unsupported-type",
        "not supported",
    ),
    ("docx", make.docx, Limits(), "unsupported-type", "not supported"),
    ("truncated jpeg", _truncated(make.jpeg), Limits(), "corrupt", "damaged"),
    ("truncated png", _truncated(make.png), Limits(), "corrupt", "damaged"),
    (
        "png bad checksum",
        lambda p: make.flipped_byte(make.png(p.with_name("w.png")), p, 0.6),
        Limits(),
        "corrupt",
        "damaged",
    ),
    (
        "truncated tiff",
        _truncated(lambda p: make.tiff(p, [make.picture((300, 300))]), 0.6),
        Limits(),
        "corrupt",
        "damaged",
    ),
    (
        "truncated pdf",
        _truncated(lambda p: make.scanner_pdf(p, 2, (300, 400))),
        Limits(),
        "corrupt",
        "damaged",
    ),
    (
        "pdf header then noise",
        lambda p: make.garbage(p, b"%PDF-1.7\n"),
        Limits(),
        "corrupt",
        "damaged",
    ),
    (
        "password pdf",
        lambda p: make.encrypted_pdf(p, user="rahasia"),
        Limits(),
        "encrypted",
        "locked with a password",
    ),
    ("pdf too many pages", _many_pages, Limits(max_pages=2), "too-many-pages", "(3, limit 2)"),
    (
        "tiff too many frames",
        lambda p: make.tiff(p, [make.picture((20, 20))] * 3),
        Limits(max_pages=2),
        "too-many-pages",
        "(3, limit 2)",
    ),
    (
        "png bomb 20000x20000",
        make.png_bomb,
        Limits(),
        "too-many-pixels",
        "400 megapixels, limit 120",
    ),
    (
        "image over a small pixel limit",
        lambda p: make.png(p, (100, 100)),
        Limits(max_pixels=1000),
        "too-many-pixels",
        "0.01 megapixels",
    ),
    (
        "tiff frame 2 over the limit",
        _tiff_second_frame_big,
        Limits(max_pixels=1000),
        "too-many-pixels",
        "megapixels",
    ),
]


@pytest.mark.parametrize(
    ("maker", "limits", "code", "words"),
    [r[1:] for r in REJECTIONS],
    ids=[r[0] for r in REJECTIONS],
)
def test_check_rejects(
    tmp_path: Path, maker: Callable, limits: Limits, code: str, words: str
) -> None:
    path = tmp_path / "scan.pdf"
    maker(path)
    exc = rejected(path, limits)
    assert exc.code == code
    assert words in exc.reason_en
    assert str(exc) == exc.reason_en
    assert exc.reason_id and exc.reason_id != exc.reason_en
    for internal in ("pikepdf", "PIL", "Pillow", "qpdf", "Error", "Traceback", "/"):
        assert internal not in exc.reason_en.replace("PDF/A", "")


def test_content_bomb_is_refused_without_decoding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scans, "CONTENT_BUDGET", 1 << 20)
    path = make.content_bomb_pdf(tmp_path / "bomb.pdf", 8 << 20)
    assert rejected(path).code == "corrupt"


def test_every_reason_reads_in_both_languages() -> None:
    for key, (text_id, text_en) in scans._MESSAGES.items():
        assert text_id.strip() and text_en.strip() and text_id != text_en, key
    assert scans._MESSAGES["empty"][0] == "File kosong (0 byte)."
    assert set(scans.CODES) >= {"symlink", "empty", "corrupt", "not-archivable"}


def test_indonesian_numbers_use_a_decimal_comma(tmp_path: Path) -> None:
    exc = rejected(make.png(tmp_path / "a.png", (100, 100)), Limits(max_pixels=1500))
    assert "0,01 megapiksel" in exc.reason_id and "0.01 megapixels" in exc.reason_en


# ---------------------------------------------------------------- bundle


def test_bundle_of_mixed_scans(tmp_path: Path) -> None:
    rotated = make.jpeg(tmp_path / "1 paspor.jpg", (1700, 2200), orientation=6)
    tiff = make.tiff(
        tmp_path / "2 kitap.tif",
        [make.picture((850, 1100), "1"), make.picture((850, 1100), "L"), make.picture((850, 1100))],
        dpi=(100, 100),
    )
    rgba = make.png(tmp_path / "3 foto.png", (400, 300), mode="RGBA")
    cmyk = make.jpeg(tmp_path / "4 cmyk.jpg", (400, 300), mode="CMYK")
    gray16 = make.png16(tmp_path / "5 abu.png", value=40000)
    pdf_in = make.scanner_pdf(tmp_path / "6 formulir.pdf", pages=2, size=(850, 1100), dpi=100)
    files = [rotated, tiff, rgba, cmyk, gray16, pdf_in]
    for f in files:
        scans.check(f)
    out = tmp_path / "case" / "01 berkas permohonan.pdf"

    report = scans.bundle(files, out, title="Berkas permohonan")
    assert report == scans.BundleReport(pages=9, rasterised=[])
    assert report.history_note() == ""

    assert validate(out).passed
    assert not list(out.parent.glob(".*")), "no temporary files left behind"
    data = out.read_bytes()
    assert rotated.read_bytes() in data, "the JPEG is embedded as it is"
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 9
        assert pdf.docinfo["/Title"] == "Berkas permohonan"
        # 1700x2200 px at 200 dpi is 612x792 pt; EXIF 6 turns it on its side, and it is
        # scaled down onto A4 landscape's printable area (567 pt tall)
        assert drawn_size(out, 0) == pytest.approx((792 * 566.93 / 612, 566.93), abs=0.05)
        (jpeg_xobj,) = page_images(pdf, 0)
        assert jpeg_xobj.Filter == pikepdf.Name.DCTDecode
        assert (jpeg_xobj.Width, jpeg_xobj.Height) == (1700, 2200)
        # the TIFF: three pages at 100 dpi, 1-bit and gray stay gray
        assert [drawn_size(out, i) for i in (1, 2, 3)] == [
            pytest.approx((566.93, 792 * 566.93 / 612), abs=0.05)] * 3
        kinds = [
            (str(x.ColorSpace), int(x.BitsPerComponent))
            for i in (1, 2, 3)
            for x in page_images(pdf, i)
        ]
        assert kinds == [("/DeviceGray", 1), ("/DeviceGray", 8), ("/DeviceRGB", 8)]
        # RGBA flattened onto white, CMYK converted, 16-bit gray scaled (not clipped)
        (rgba_x,) = page_images(pdf, 4)
        assert str(rgba_x.ColorSpace) == "/DeviceRGB" and "/SMask" not in rgba_x
        assert 45 <= pixels_of(rgba_x).getpixel((2, 2))[0] <= 65  # black at alpha 200 on white
        assert drawn_size(out, 4) == (144, 108)  # small: its real size, centred on A4
        (cmyk_x,) = page_images(pdf, 5)
        assert str(cmyk_x.ColorSpace) == "/DeviceRGB"
        (gray_x,) = page_images(pdf, 6)
        assert (str(gray_x.ColorSpace), int(gray_x.BitsPerComponent)) == ("/DeviceGray", 8)
        assert pixels_of(gray_x).getpixel((5, 5)) == 40000 * 255 // 65535
        # the PDF's pages follow, its JPEG untouched
        assert [drawn_size(out, i) for i in (7, 8)] == [
            pytest.approx((566.93, 792 * 566.93 / 612), abs=0.05)] * 2
        assert all(x.Filter == pikepdf.Name.DCTDecode for i in (7, 8) for x in page_images(pdf, i))
    assert "/DeviceCMYK" not in all_dictionary_text(out)


def test_hostile_pdf_comes_out_clean(tmp_path: Path) -> None:
    hostile = make.hostile_pdf(tmp_path / "surat.pdf")
    before = all_dictionary_text(hostile)
    for word in ("/JavaScript", "/Launch", "/EmbeddedFiles", "/OpenAction", "/AcroForm"):
        assert word in before
    assert scans.check(hostile) == "pdf"
    out = tmp_path / "out.pdf"

    assert scans.bundle([hostile], out, title="Surat").pages == 1

    assert validate(out).passed
    after = all_dictionary_text(out)
    for word in (
        "/JavaScript",
        "/JS",
        "/Launch",
        "/EmbeddedFile",
        "/EF",
        "/FileAttachment",
        "/OpenAction",
        "/AA",
        "/AcroForm",
        "/Widget",
        "calc.exe",
        "invoice.exe",
        "/Outlines",
    ):
        assert word not in after, word
    with pikepdf.open(out) as pdf:
        content = pdf.pages[0].Contents.read_bytes()
        assert b"re" in content and b" l" in content, "the drawing itself is kept"
        link = [a for a in pdf.pages[0].get("/Annots", []) if a.Subtype == pikepdf.Name.Link]
        assert all("/A" not in a for a in link)


def test_other_pdf_writers_pass(tmp_path: Path) -> None:
    """reportlab sets an unembedded Helvetica on image-only pages: it must not block intake;
    a PDF locked only against changes (owner password) opens and goes in unlocked."""
    drawn = make.reportlab_scan_pdf(tmp_path / "scan.pdf")
    locked = make.encrypted_pdf(tmp_path / "locked.pdf", user="")
    out = tmp_path / "out.pdf"
    report = scans.bundle([drawn, locked], out, title="Scan")
    assert report.pages == 3 and report.rasterised == []
    assert validate(out).passed
    with pikepdf.open(out) as pdf:
        assert not pdf.is_encrypted


def test_pdf_2_header_is_taken(tmp_path: Path) -> None:
    src = make.scanner_pdf(tmp_path / "v2.pdf", 1, (300, 400))
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        pdf.save(force_version="2.0")
    out = tmp_path / "out.pdf"
    assert scans.bundle([src], out, title="x").pages == 1
    assert validate(out).passed


def _render_gray(path: Path, index: int, dpi: float = 100) -> Image.Image:
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(str(path))
    try:
        image: Image.Image = doc[index].render(scale=dpi / 72).to_pil()
        return image.convert("L")
    finally:
        doc.close()


def _ink(image: Image.Image) -> Image.Image:
    """Dark pixels white on black, so that ImageStat measures how much is drawn."""
    return ImageOps.invert(image).point(lambda v: 255 if v > 96 else 0)


def _soft(image: Image.Image) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(1.5))


def test_word_processor_pdf_is_taken_with_its_text_pages_as_pictures(tmp_path: Path) -> None:
    form = make.word_processor_pdf(tmp_path / "formulir.pdf")
    original = form.read_bytes()
    photo = make.jpeg(tmp_path / "paspor.jpg")
    out = tmp_path / "case" / "01 berkas permohonan.pdf"

    report = scans.bundle([photo, form], out, title="Berkas permohonan")

    assert report.pages == 4
    assert report.rasterised == [("formulir.pdf", [1, 3])], "only the pages with text"
    assert report.dpi == 300
    assert report.history_note() == (
        "Halaman 1 dan 3 berkas formulir.pdf memakai huruf yang tidak tertanam, sehingga di "
        "berkas permohonan disimpan sebagai gambar 300 dpi; berkas aslinya disimpan utuh "
        "tanpa perubahan."
    )
    assert form.read_bytes() == original, "the original is left as it was"
    assert validate(out).passed
    assert not list(out.parent.glob(".*")), "no temporary files left behind"
    with pikepdf.open(out) as pdf:
        assert [page_size(pdf, i) for i in (1, 2, 3)] == [(595, 842)] * 3, "A4 kept"
        for index in (1, 3):  # the text pages: one 300 dpi picture each, no font at all
            (picture,) = page_images(pdf, index)
            assert abs(int(picture.Width) - 2480) <= 1 and abs(int(picture.Height) - 3508) <= 1
            assert "/Font" not in pdf.pages[index].Resources
        (scan,) = page_images(pdf, 2)  # the picture page is copied as it was
        assert "/DCTDecode" in str(scan.Filter) and int(scan.Width) == 425
    for source_index, bundle_index in ((0, 1), (2, 3)):
        before = _ink(_render_gray(form, source_index))
        after = _ink(_render_gray(out, bundle_index))
        drawn = ImageStat.Stat(after).mean[0]
        assert drawn > 0.2, "the page is not blank"
        # edges differ a little (the picture is resampled); a shifted or rescaled text
        # would differ by about as much as is drawn
        moved = ImageStat.Stat(ImageChops.difference(_soft(before), _soft(after))).mean[0]
        assert moved < 0.25 * drawn, "the text is where it was, at the same size"


def test_searchable_scan_with_an_unembedded_ocr_font_is_taken(tmp_path: Path) -> None:
    scan = make.searchable_scan_pdf(tmp_path / "kitap.pdf")
    out = tmp_path / "out.pdf"
    report = scans.bundle([scan], out, title="x")
    assert report == scans.BundleReport(pages=1, rasterised=[("kitap.pdf", [1])])
    assert validate(out).passed
    assert _looks_like(_render(out), _render(scan))


def test_page_runs_in_the_history_note() -> None:
    report = scans.BundleReport(9, [("a.pdf", [1, 2, 3, 5]), ("b.pdf", [2])], 150)
    assert report.history_note().startswith(
        "Halaman 1-3 dan 5 berkas a.pdf dan halaman 2 berkas b.pdf memakai huruf"
    )
    assert "gambar 150 dpi" in report.history_note()


def test_a_page_not_archival_even_as_a_picture_is_rejected_by_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the A4 view would take in the banner (scaled down to a strip): without it, its
    # 15000-point page can be no PDF/A page even as a picture
    monkeypatch.setattr(scans.scan_a4, "to_a4", lambda pdf: 0)
    good = make.jpeg(tmp_path / "paspor.jpg")
    wide = make.oversized_page_pdf(tmp_path / "spanduk.pdf")
    out = tmp_path / "out" / "bundle.pdf"
    with pytest.raises(ScanRejected) as info:
        scans.bundle([good, wide], out, title="x")
    assert info.value.code == "not-archivable"
    assert "spanduk.pdf" in info.value.reason_en
    assert "spanduk.pdf" in info.value.reason_id
    assert info.value.path == wide
    assert not out.exists() and not list(out.parent.iterdir())


def test_bundle_rejects_a_bad_file_and_names_it(tmp_path: Path) -> None:
    good = make.png(tmp_path / "a.png")
    empty = tmp_path / "b.jpg"
    empty.write_bytes(b"")
    out = tmp_path / "out.pdf"
    with pytest.raises(ScanRejected) as info:
        scans.bundle([good, empty], out, title="x")
    assert info.value.code == "empty" and info.value.path == empty
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.jpg"]


def test_bundle_needs_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        scans.bundle([], tmp_path / "x.pdf", title="x")


# ---------------------------------------------------------------- images in detail


def _render(path: Path, index: int = 0) -> Image.Image:
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(str(path))
    try:
        return doc[index].render(scale=1).to_pil().convert("L")
    finally:
        doc.close()


def _looks_like(rendered: Image.Image, expected: Image.Image) -> bool:
    a = rendered.resize((40, 40))
    b = expected.convert("L").resize((40, 40))
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0] < 20


ORIENTED = [("jpeg", o) for o in range(1, 9)] + [("png", 6), ("png", 5), ("tiff", 8)]


@pytest.mark.parametrize(("kind", "orientation"), ORIENTED)
def test_pages_are_upright(tmp_path: Path, kind: str, orientation: int) -> None:
    size = (160, 100)
    if kind == "jpeg":
        src = make.jpeg(tmp_path / "a.jpg", size, orientation=orientation)
    elif kind == "png":
        src = make.png(tmp_path / "a.png", size, orientation=orientation)
    else:
        src = make.tiff(tmp_path / "a.tif", [make.picture(size)], orientation=orientation)
    out = tmp_path / "out.pdf"
    scans.bundle([src], out, title="x")
    with Image.open(src) as im:
        if kind == "tiff":  # Pillow's exif_transpose reads the EXIF view of the tag
            im.getexif()[0x0112] = orientation
        upright = ImageOps.exif_transpose(im)
    from tests.test_scan_a4 import _render as render_box
    from tests.test_scan_a4 import pages

    (box,) = pages(out)[0][2]
    rendered = render_box(out, 0, box)  # the scan on its A4 page
    assert (rendered.width > rendered.height) == (upright.width > upright.height)
    assert _looks_like(rendered, upright)


@pytest.mark.parametrize(
    ("dpi", "expected"),
    [
        ((300, 300), (144.0, 72.0)),
        ((144, 72), (300.0, 300.0)),
        (None, (216.0, 108.0)),  # no resolution: 200 dpi
        ((10, 10), (216.0, 108.0)),  # absurd: 200 dpi
        ((5000, 5000), (216.0, 108.0)),
    ],
)
def test_page_size_follows_resolution(tmp_path: Path, dpi: tuple | None, expected: tuple) -> None:
    src = make.png(tmp_path / "a.png", (600, 300), dpi=dpi)
    out = tmp_path / "out.pdf"
    scans.bundle([src], out, title="x")
    # PNG keeps its resolution in dots per metre; the scan is drawn at its real size
    assert drawn_size(out, 0) == pytest.approx(expected, abs=0.05)


@pytest.mark.parametrize(
    ("fmt", "mode", "space", "bits"),
    [
        ("PNG", "P", "/DeviceRGB", 8),
        ("PNG", "LA", "/DeviceGray", 8),
        ("TIFF", "PA", "/DeviceRGB", 8),
        ("TIFF", "CMYK", "/DeviceRGB", 8),
        ("TIFF", "YCbCr", "/DeviceRGB", 8),
        ("TIFF", "LAB", "/DeviceRGB", 8),
        ("TIFF", "I", "/DeviceGray", 8),
        ("TIFF", "I;16B", "/DeviceGray", 8),
        ("TIFF", "F", "/DeviceGray", 8),
        ("TIFF", "1", "/DeviceGray", 1),
    ],
)
def test_any_colour_model_becomes_gray_or_rgb(
    tmp_path: Path, fmt: str, mode: str, space: str, bits: int
) -> None:
    src = tmp_path / f"a.{fmt.lower()}"
    make.picture((90, 60), "RGBA" if mode in ("LA", "PA") else "RGB").convert(mode).save(src, fmt)
    out = tmp_path / "out.pdf"
    scans.bundle([src], out, title="x")
    assert validate(out).passed
    with pikepdf.open(out) as pdf:
        (image,) = page_images(pdf, 0)
        assert (str(image.ColorSpace), int(image.BitsPerComponent)) == (space, bits)
        assert image.Filter == pikepdf.Name.FlateDecode
        if mode not in ("I", "F", "LAB"):  # dark corner block survives the conversion
            assert pixels_of(image).convert("L").getpixel((2, 2)) < 60


def test_jpeg_passthrough_only_where_lossless_is_not_needed(tmp_path: Path) -> None:
    """Baseline gray/RGB JPEGs go in as they are; progressive and CMYK are decoded."""
    trailing = make.jpeg(tmp_path / "a.jpg", trailing=b"\x00" * 100 + b"extra bytes")
    gray = make.jpeg(tmp_path / "b.jpg", mode="L")
    progressive = make.jpeg(tmp_path / "c.jpg", progressive=True)
    out = tmp_path / "out.pdf"
    scans.bundle([trailing, gray, progressive], out, title="x")
    with pikepdf.open(out) as pdf:
        filters = [page_images(pdf, i)[0].Filter for i in range(3)]
        assert filters == [pikepdf.Name.DCTDecode] * 2 + [pikepdf.Name.FlateDecode]
        kept = page_images(pdf, 0)[0].read_raw_bytes()
        assert kept == trailing.read_bytes()[: -len(b"\x00" * 100 + b"extra bytes")]
        assert page_images(pdf, 1)[0].ColorSpace == pikepdf.Name.DeviceGray


def test_phone_mpo_keeps_only_its_first_picture(tmp_path: Path) -> None:
    first, second = make.picture((300, 200)), make.picture((150, 100), "L")
    mpo = tmp_path / "foto.jpg"
    first.save(mpo, "MPO", save_all=True, append_images=[second], dpi=(200, 200))
    assert scans.check(mpo) == "jpeg"
    out = tmp_path / "out.pdf"
    assert scans.bundle([mpo], out, title="x").pages == 1
    with pikepdf.open(out) as pdf:
        (image,) = page_images(pdf, 0)
        assert image.Filter == pikepdf.Name.DCTDecode and (image.Width, image.Height) == (300, 200)
        assert image.read_raw_bytes().endswith(b"\xff\xd9")
        assert len(image.read_raw_bytes()) < mpo.stat().st_size


def test_jpeg_layout_finds_the_end_of_the_first_picture(tmp_path: Path) -> None:
    one = make.jpeg(tmp_path / "a.jpg").read_bytes()
    two = make.jpeg(tmp_path / "b.jpg", (50, 50)).read_bytes()
    both = tmp_path / "both.jpg"
    both.write_bytes(one + two)
    with open(both, "rb") as fh:
        assert scan_images.jpeg_layout(fh) == (0xC0, len(one))


def test_tiny_and_huge_pages_stay_within_pdfa_limits(tmp_path: Path) -> None:
    tiny = make.png(tmp_path / "tiny.png", (2, 2), dpi=(1200, 1200))
    long = make.png(tmp_path / "long.png", (40000, 10), mode="1", dpi=(50, 50))
    out = tmp_path / "out.pdf"
    scans.bundle([tiny, long], out, title="x")
    assert validate(out).passed
    with pikepdf.open(out) as pdf:
        assert min(page_size(pdf, 0)) >= 3
        assert max(page_size(pdf, 1)) <= 14400 and min(page_size(pdf, 1)) >= 3


def test_an_impossibly_thin_image_is_refused(tmp_path: Path) -> None:
    thin = make.png(tmp_path / "thin.png", (60000, 10), mode="1")
    exc = rejected(thin)
    assert exc.code == "odd-shape" and "60000 x 10 pixels" in exc.reason_en


def test_a_large_page_is_pictured_at_a_lower_resolution_within_the_pixel_bound(
    tmp_path: Path,
) -> None:
    from reportlab.pdfgen import canvas

    poster = tmp_path / "denah.pdf"  # an A1 plan typed in Helvetica: 70 million pixels at 300 dpi
    c = canvas.Canvas(str(poster), pagesize=(1684, 2384))
    c.setFont("Helvetica", 40)
    c.drawString(100, 2200, "Denah lokasi rumah")
    c.showPage()
    c.save()
    out = tmp_path / "out.pdf"
    report = scans.bundle([poster], out, title="x")
    assert report.rasterised == [("denah.pdf", [1])]
    assert 150 < report.dpi < 300
    assert f"gambar {report.dpi:.0f} dpi" in report.history_note()
    with pikepdf.open(out) as pdf:
        (picture,) = page_images(pdf, 0)
        assert int(picture.Width) * int(picture.Height) <= 25_000_000
    w, h = drawn_size(out, 0)  # the A1 plan scaled down onto A4
    assert w == pytest.approx(595.28 - 2 * 14.17, abs=0.05) and w / h == pytest.approx(
        1684 / 2384, abs=0.001)
    assert validate(out).passed
