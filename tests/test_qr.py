"""QR codes everywhere are standard QR codes with a 4-module quiet zone, readable by a phone."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import segno
from PIL import Image

from pipeline.render import fonts, kk, qr
from tests.qrread import phone_view, read_standard_qr, render_page
from tests.test_kk import OFFICE, ONE
from tests.test_render import CASE, draw


@pytest.mark.parametrize("text", ["A", "KKWNA-2026-0001", "7KQ4-M2XP", "x" * 300])
def test_never_a_micro_qr(text: str) -> None:
    code = qr.make(text)
    assert not code.is_micro
    assert qr.modules(text) == code.symbol_size(border=0)[0] + 2 * 4


def _drawn(text: str, size: float = 100.0) -> Image.Image:
    buf = io.BytesIO()
    c = fonts.new_canvas(buf, (size, size))
    qr.draw_qr(c, text, 0, 0, size)
    c.showPage()
    c.save()
    doc = pdfium.PdfDocument(buf.getvalue())
    try:
        image: Image.Image = doc[0].render(scale=4).to_pil().convert("L")
        return image
    finally:
        doc.close()


def test_quiet_zone_is_four_modules() -> None:
    text = "KKWNA-2026-0001"
    image = _drawn(text)
    width = image.width
    module = width / qr.modules(text)
    row = int(5.5 * module)  # through the top finder patterns
    line = image.tobytes()[row * width : (row + 1) * width]
    dark = [x for x, value in enumerate(line) if value < 128]
    assert dark, "the finder pattern's top row is drawn"
    assert min(dark) == pytest.approx(4 * module, abs=1.5)
    assert max(dark) == pytest.approx(width - 4 * module, abs=1.5)
    assert read_standard_qr(image) == [text]


def test_a_micro_qr_is_not_read_as_standard() -> None:
    buf = io.BytesIO()
    segno.make("ABC", micro=True).save(buf, kind="png", scale=8)
    assert read_standard_qr(Image.open(buf).convert("L")) == []


@pytest.mark.parametrize(
    ("name", "mode", "expected"),
    [
        ("tanda_bukti", "filed", ["7KQ4-M2XP", CASE]),
        ("surat_pengembalian", "filed", [CASE]),
        ("checklist", "form", [CASE]),
        ("verifikasi", "form", [CASE]),
        ("input_data", "form", [CASE]),
    ],
)
def test_printed_forms_read_like_a_phone(
    tmp_path: Path, name: str, mode: str, expected: list[str]
) -> None:
    out = draw(name, tmp_path / f"{name}.pdf", mode)
    found = read_standard_qr(phone_view(out, dpi=100, blur=0.8))
    for text in expected:
        assert any(text in t for t in found), (name, text, found)


def test_draft_kk_reads_like_a_phone(tmp_path: Path) -> None:
    out = kk.render_kk(ONE, tmp_path / "konsep.pdf", office=OFFICE, case_id="KKWNA-2026-0001",
                       issued=None)
    assert read_standard_qr(phone_view(out, dpi=100, blur=0.8)) == [
        "KKWNA-2026-0001|6305041211260001"
    ]
    assert read_standard_qr(render_page(out, dpi=200)) == ["KKWNA-2026-0001|6305041211260001"]


def test_a_layout_qr_block_grows_to_modules_a_phone_reads(tmp_path: Path) -> None:
    from tests.qrphone import locate
    from tests.test_render import sample

    data = sample("tanda_bukti", filed=True)
    data["kode_pengambilan"] = "KODE-PENGAMBILAN-YANG-PANJANG-SEKALI-0123456789"
    out = draw("tanda_bukti", tmp_path / "slip.pdf", "filed", data=data)
    x0, _, x1, _ = locate(out, data["kode_pengambilan"])
    width = qr.make(data["kode_pengambilan"]).symbol_size(border=0)[0]
    assert (x1 - x0) / width >= qr.MODULE_MM * 0.98
