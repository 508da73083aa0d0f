"""`01 berkas permohonan.pdf` as a printed bundle: every scan on an A4 page, scaled down
to fit (never enlarged), centred and upright; a landscape scan on an A4 landscape page.
The originals stay byte for byte in the case's scans/ (issue 19)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import scanfactory as make
from PIL import Image, ImageChops, ImageStat

from pipeline.intake import scan_a4, scans
from pipeline.render.pdfa import validate
from pipeline.store.register import Register
from tests.office import run_once

A4 = (595.28, 841.89)
Box = tuple[float, float, float, float]


def pages(path: Path) -> list[tuple[float, float, list[Box]]]:
    """Each page's size and the boxes its images are drawn in (points)."""
    doc = pdfium.PdfDocument(path)
    out = []
    for page in doc:
        w, h = page.get_size()
        boxes = [o.get_bounds() for o in page.get_objects(max_depth=0)  # in page space
                 if o.type in (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM)]
        out.append((w, h, boxes))
    return out


def assert_printed_view(w: float, h: float, boxes: list[Box]) -> Box:
    assert abs(min(w, h) - A4[0]) <= 1 and abs(max(w, h) - A4[1]) <= 1, (w, h)
    (box,) = boxes
    x0, y0, x1, y1 = box
    assert x0 >= -0.01 and y0 >= -0.01 and x1 <= w + 0.01 and y1 <= h + 0.01, "fits"
    assert abs((x0 + x1) / 2 - w / 2) <= 1 and abs((y0 + y1) / 2 - h / 2) <= 1, "centred"
    return box


def _render(path: Path, index: int, box: Box | None = None) -> Image.Image:
    """Page *index* as a viewer shows it (at 1 px per point), cut to *box* if given."""
    page = pdfium.PdfDocument(path)[index]
    image = page.render(scale=1).to_pil().convert("L")
    if box is None:
        return image
    x0, y0, x1, y1 = box
    height = page.get_height()
    return image.crop((round(x0), round(height - y1), round(x1), round(height - y0)))


def _looks_like(a: Image.Image, b: Image.Image) -> bool:
    small_a, small_b = a.resize((40, 40)), b.resize((40, 40))
    return ImageStat.Stat(ImageChops.difference(small_a, small_b)).mean[0] < 20


def _rotated_pdf(path: Path) -> Path:
    """A scanner's landscape page stored portrait with /Rotate 90."""
    make.scanner_pdf(path, pages=1, size=(850, 1100), dpi=100)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.pages[0].obj.Rotate = 90
        pdf.save(path)
    return path


def test_every_scan_is_on_an_a4_page_centred_fitted_upright(tmp_path: Path) -> None:
    files = [
        make.jpeg(tmp_path / "1 paspor.jpg", (1700, 2400), dpi=(200, 200)),  # a bit over A4
        make.png(tmp_path / "2 kitap.png", (800, 500), dpi=(200, 200)),  # a card: real size
        make.jpeg(tmp_path / "3 foto.jpg", (4000, 3000), dpi=None),  # a phone photo, wide
        make.jpeg(tmp_path / "4 miring.jpg", (1600, 1200), orientation=6),  # stands upright
        make.scanner_pdf(tmp_path / "5 surat.pdf", pages=1, size=(850, 1100), dpi=100),
        _rotated_pdf(tmp_path / "6 lebar.pdf"),
        make.scanner_pdf(tmp_path / "7 a4.pdf", pages=1, size=(1654, 2339), dpi=200),
    ]
    out = tmp_path / "01 berkas permohonan.pdf"
    scans.bundle(files, out, title="Berkas permohonan")
    assert validate(out).passed
    found = pages(out)
    assert len(found) == 7
    boxes = [assert_printed_view(*p) for p in found]
    portrait = [p[0] < p[1] for p in found]
    assert portrait == [True, False, False, True, True, False, True]
    x0, y0, x1, y1 = boxes[1]
    assert abs((x1 - x0) - 288) < 0.5 and abs((y1 - y0) - 180) < 0.5, "not enlarged"
    x0, y0, x1, y1 = boxes[2]  # 4:3, 1440 x 1080 pt: down to the printable height
    assert abs((y1 - y0) - (found[2][1] - 2 * scan_a4.MARGIN)) < 0.5
    assert abs((x1 - x0) / (y1 - y0) - 4 / 3) < 0.01
    x0, y0, x1, y1 = boxes[4]  # US Letter, scaled down to A4's width
    assert abs((y1 - y0) / (x1 - x0) - 792 / 612) < 0.01 and x1 - x0 < 595
    assert _looks_like(_render(out, 5, boxes[5]), _render(files[5], 0)), "turned as shown"
    # the JPEGs are placed as they are, not re-encoded
    data = out.read_bytes()
    for f in (files[0], files[2], files[3]):
        assert f.read_bytes() in data, f.name


def test_the_originals_stay_byte_for_byte_in_the_case(office) -> None:
    entry = office.inbox / "JOHN SMITH"
    entry.mkdir()
    files = [make.jpeg(entry / "1 paspor.jpg", (1600, 1200), orientation=6),
             make.png(entry / "2 kitap.png", (2400, 1500))]
    digests = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    run_once(office)
    reg = Register(office.register_path)
    (case,) = reg.cases()
    folder = office.root / case.folder
    for name, digest in digests.items():
        assert hashlib.sha256((folder / "scans" / name).read_bytes()).hexdigest() == digest
        row = next(d for d in reg.documents(case.id) if d["name"] == f"scans/{name}")
        assert row["sha256"] == digest
    for p in pages(folder / "01 berkas permohonan.pdf"):
        assert_printed_view(*p)
    reg.close()
