"""A desk step draws no more than it needs: the case-id QR encoded once, one drawing pass
when the page count is known, a filed layout validated as PDF/A once per process (with a
structural check on every write), the placed form not parsed back. Every document kind
is still proven PDF/A here, with the full validator."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any

import pikepdf
import pikepdf.pdfa
import pytest
import segno
from reportlab.pdfgen.canvas import Canvas

from pipeline.desks import forms
from pipeline.render import pdfa, qr, render
from pipeline.render.layout import BUILTIN_LAYOUTS
from tests.test_render import CASE, LAYOUTS, draw, sample
from tests.test_render_pages import page_texts


def test_the_case_qr_is_encoded_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: Counter[str] = Counter()
    real = segno.make

    def counting(text: str, **kw: Any) -> segno.QRCode:
        made[text] += 1
        return real(text, **kw)

    monkeypatch.setattr(segno, "make", counting)
    getattr(qr.make, "cache_clear", lambda: None)()  # a cache from earlier tests
    data = sample("input_data", filed=True)
    data["fields"].update({f"a{n}_nama_lengkap": f"ANGGOTA {n}" for n in range(1, 11)})
    for mode in ("form", "filed"):
        draw("input_data", tmp_path / f"{mode}.pdf", mode, data=data)
    assert len(page_texts(tmp_path / "form.pdf")) > 1  # a QR on each of several pages
    assert made[CASE] == 1, made


def test_one_drawing_pass_when_the_page_count_is_known(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    passes: list[int] = []
    real = render._draw

    def counting(*args: Any) -> Any:
        got = real(*args)
        passes.append(got[1])
        return got

    monkeypatch.setattr(render, "_draw", counting)
    draw("checklist", tmp_path / "a.pdf")
    passes.clear()
    draw("checklist", tmp_path / "b.pdf")
    assert len(passes) == 1
    # the same layout grown to more pages than last time: drawn again, numbered right
    data = sample("checklist")
    data["berkas"] = [{"nama": f"lampiran-{i}.pdf", "halaman": 1} for i in range(90)]
    passes.clear()
    out = draw("checklist", tmp_path / "c.pdf", data=data)
    texts = page_texts(out)
    assert len(texts) > 1 and len(passes) == 2
    for n, text in enumerate(texts, 1):
        assert f"Halaman {n} dari {len(texts)}" in text
    # ... and back to one page: "dari 1", not the count of the drawing before
    passes.clear()
    assert "Halaman 1 dari 1" in page_texts(draw("checklist", tmp_path / "d.pdf"))[0]


def _drawing(path: Path) -> list[bytes]:
    with pikepdf.open(path) as pdf:
        return [page.Contents.read_bytes() for page in pdf.pages]


def test_a_pass_with_the_known_count_draws_what_two_passes_draw(tmp_path: Path) -> None:
    getattr(render, "_PAGES", {}).clear()
    first = draw("input_data", tmp_path / "first.pdf")  # the count unknown: two passes
    again = draw("input_data", tmp_path / "again.pdf")  # known: one pass
    assert len(_drawing(first)) > 1 and _drawing(first) == _drawing(again)


def test_a_filed_layout_is_validated_once(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    validated: list[object] = []
    real = pikepdf.pdfa.validate_written

    def counting(path: Any, *args: Any, **kw: Any) -> Any:
        validated.append(path)
        return real(path, *args, **kw)

    monkeypatch.setattr(pikepdf.pdfa, "validate_written", counting)
    monkeypatch.setattr(pikepdf.pdfa._api, "validate_written", counting)  # pdfa.save's own
    getattr(pdfa, "PROVEN", set()).clear()
    for n in range(3):
        out = draw("verifikasi", tmp_path / f"v{n}.pdf", "filed")
        assert real(out, pdfa.FLAVOUR).passed  # every copy is PDF/A all the same
    assert len(validated) == 1


def _unembedded(title: str) -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf)
    c.setFont("Helvetica", 12)  # a standard-14 font: never embedded, not PDF/A
    c.drawString(72, 720, title)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_a_proven_kind_still_gets_the_structural_check(tmp_path: Path) -> None:
    pdfa.PROVEN.clear()
    pdfa.PROVEN.add("kind")
    with pytest.raises(pdfa.ArchiveFormatError, match="font"):
        pdfa.save_pdfa(_unembedded("x"), tmp_path / "x.pdf", "x", proven="kind")
    assert not (tmp_path / "x.pdf").exists()
    # unproven, the full validator refuses it too
    with pytest.raises(pdfa.ArchiveFormatError):
        pdfa.save_pdfa(_unembedded("y"), tmp_path / "y.pdf", "y", proven="other")
    assert "other" not in pdfa.PROVEN


def test_the_tests_cover_every_builtin_layout() -> None:
    # filed here (LAYOUTS, full validator) or through the flow (tests/office.assert_archival)
    through_flow = {"penyerahan", "tanda_terima",
                    # Perubahan Data KK WNA's: tests/test_perubahan_data_flow.py
                    "checklist_perubahan", "verifikasi_perubahan", "input_perubahan",
                    "review_perubahan"}
    assert {p.stem for p in BUILTIN_LAYOUTS.glob("*.toml")} == set(LAYOUTS) | through_flow


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_filed_layout_passes_the_full_validator(tmp_path: Path, name: str) -> None:
    pdfa.PROVEN.clear()
    out = draw(name, tmp_path / f"{name}.pdf", "filed")
    draw(name, tmp_path / f"{name}-2.pdf", "filed")  # the second: structural check only
    for path in (out, tmp_path / f"{name}-2.pdf"):
        assert pdfa.validate(path).passed, name


def test_a_step_parses_no_form_it_drew_itself(office_at: Any,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.office import fill, run_once
    from tests.stages import approve, form_values
    home = office_at(2)
    approve(home, 2)  # step 2's form was placed by another process: read to be removed
    parsed: list[int] = []
    real = forms.parse_fields
    monkeypatch.setattr(forms, "parse_fields", lambda data: parsed.append(1) or real(data))
    approve(home, 3)  # places step 4's form, removes step 3's: both drawn here
    assert parsed == []
    form = next((home.desks / "04-adm-siak").glob("*.pdf"))
    assert forms.read_fields(form)["langkah"] == "4" and len(parsed) == 1
    # saved by a reader: read once (what it decides), not again to be removed
    parsed.clear()
    fill(form, form_values(4))
    run_once(home)
    assert not list((home.desks / "04-adm-siak").glob("*.pdf"))
    assert parsed == [1]


def test_a_filed_copy_names_kkwna_as_its_producer(tmp_path: Path) -> None:
    # what lets a filed copy carrying it be attached and still count as a proven kind
    out = draw("checklist", tmp_path / "c.pdf", "filed")
    with pikepdf.open(out) as pdf:
        assert str(pdf.docinfo["/Producer"]) == pdfa.PRODUCER
        assert pdf.open_metadata()["pdf:Producer"] == pdfa.PRODUCER
        assert pdf.open_metadata()["dc:title"] == f"Lembar Checklist Persyaratan {CASE}"


def test_a_saved_form_is_read_without_pypdf(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # pypdf's pure-Python parsing of the 170-field data-entry form took 160 ms of step 4;
    # qpdf (pikepdf) reads it in a tenth of that
    import pypdf

    from tests.office import fill
    from tests.stages import form_values
    form = fill(draw("input_data", tmp_path / "in.pdf"), form_values(4))

    def refused(*args: Any, **kw: Any) -> None:
        raise AssertionError("pypdf used")

    monkeypatch.setattr(pypdf, "PdfReader", refused)
    monkeypatch.setattr(forms, "PdfReader", refused, raising=False)
    got = forms.read_fields(form)
    assert got["a1_nama_lengkap"] == form_values(4)["a1_nama_lengkap"]
    assert got["keputusan"] == "setuju" and got["kasus"] == CASE


def test_a_large_archival_file_is_never_held_whole_in_memory(tmp_path: Path) -> None:
    """A scan bundle can be hundreds of megabytes: save_pdfa writes it to its temporary
    file and validates it there (an in-memory copy made `watch` peak at 311 MB on a
    198 MB scan). Python-side allocations stay far below the file's size."""
    import os
    import tracemalloc

    pdf = pikepdf.new()
    side = 1500  # 1500 x 1500 RGB, incompressible: 6.75 MB of image data
    image = pikepdf.Stream(pdf, os.urandom(side * side * 3))
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height, image.BitsPerComponent = side, side, 8
    image.ColorSpace = pikepdf.Name.DeviceRGB
    page = pdf.add_blank_page(page_size=(595, 842))
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.Contents = pikepdf.Stream(pdf, b"q 500 0 0 500 40 300 cm /Im0 Do Q")
    out = tmp_path / "bundle.pdf"
    tracemalloc.start()
    try:
        pdfa.save_pdfa(pdf, out, "uji")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.stat().st_size > side * side * 3
    assert pdfa.validate(out).passed
    assert peak < side * side  # well under the file's 6.75 MB
    assert [p.name for p in tmp_path.iterdir()] == ["bundle.pdf"]  # no temporary left
