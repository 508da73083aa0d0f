"""Desk forms with labels left of their fields: every hint is readable in full (below its
field, not under it) and no label wraps into the hint or the field (issue 19)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdf
import pypdfium2 as pdfium
import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from pipeline.render.fonts import REGULAR
from pipeline.render.layout import BUILTIN_LAYOUTS, load_layout
from pipeline.render.render import clean, render
from tests.test_render import CASE, DIRS, sample

Box = tuple[float, float, float, float]  # left, bottom, right, top in points


def _penyerahan() -> dict[str, Any]:
    d = sample("tanda_bukti")
    d.update(no_kk="6305041211260001", jumlah_anggota="3",
             fields={"kode_pengambilan": "", "penerima_nama": ""})
    return d


FORMS = {"penyerahan": (_penyerahan, 11), "checklist": (lambda: sample("checklist"), 2)}


def _left_items(name: str) -> list[dict[str, Any]]:
    """The layout's inputs drawn with their label at the left (one column)."""
    out = []
    for b in load_layout(name, [BUILTIN_LAYOUTS]).blocks:
        if b["type"] == "inputs" and b.get("labels", "left" if int(b.get("columns", 1)) == 1
                                            else "above") == "left":
            out += b["items"]
    return out


def _widgets(path: Path) -> dict[str, Box]:
    out = {}
    for annot in pypdf.PdfReader(path).pages[0].get("/Annots") or []:
        a = annot.get_object()
        if a.get("/Subtype") == "/Widget":
            name = a.get("/T") or a["/Parent"].get_object().get("/T")
            r = [float(v) for v in a["/Rect"]]
            out[str(name)] = (min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]),
                              max(r[1], r[3]))
    return out


def _text_boxes(page: pdfium.PdfPage, text: str) -> list[Box]:
    """The box of each character of the first occurrence of *text* on *page*."""
    tp = page.get_textpage()
    found = tp.search(text, match_case=True).get_next()
    assert found is not None, f"{text!r} is not on the page (cut or wrapped?)"
    start, count = found
    return [tp.get_charbox(i, loose=True) for i in range(start, start + count)
            if tp.get_text_range(i, 1).strip()]


def _hull(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes))


def _meets(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("name", sorted(FORMS))
def test_hints_and_labels_are_clear_of_every_field(tmp_path: Path, name: str) -> None:
    make, step = FORMS[name]
    pdf = render(name, make(), tmp_path / "f.pdf", mode="form", case_id=CASE, step=step,
                 layout_dirs=DIRS)
    widgets = _widgets(pdf)
    page = pdfium.PdfDocument(pdf)[0]
    width, height = page.get_size()
    items = [it for it in _left_items(name) if "hint" in it]
    assert items
    for it in items:
        field = widgets[it["field"]]
        chars = _text_boxes(page, clean(it["hint"], REGULAR))
        hint = _hull(chars)
        assert min(hint[0], hint[1]) >= 0 and hint[2] <= width and hint[3] <= height
        for fname, box in widgets.items():
            assert not any(_meets(c, box) for c in chars), (it["field"], "hint under", fname)
        label = _text_boxes(page, clean(it["label"], REGULAR))
        assert max(c[1] for c in label) - min(c[1] for c in label) < 1, "label wraps"
        assert _hull(label)[2] < field[0], "label runs into its field"
        assert stringWidth(clean(it["label"], REGULAR), REGULAR, 9) < field[0] - label[0][0]
        assert not _meets(_hull(label), hint)
