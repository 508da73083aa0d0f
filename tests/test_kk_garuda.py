"""The final KK as the 2020 national format prints it: the Garuda Pancasila emblem at the
top left (an image the office names in kkwna.toml, `[office] lambang_garuda`), or a
marked empty place and a line in `kkwna status` without one; a DEMO head marked DEMO."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pikepdf
import pikepdf.pdfa
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image, ImageDraw

from pipeline.office import config
from pipeline.render import kk, kk_final
from pipeline.signing.pki import DemoCA, Person, pem
from pipeline.signing.signatories import Signatory
from pipeline.steps.tte import card_signer
from tests.test_kk import OFFICE, TEN
from tests.test_kk_final import SEALS, SIGNER
from tests.test_tte_flow import _kkwna

PLACE = "tempat lambang Garuda Pancasila"


def garuda(path: Path, alpha: bool = True) -> Path:
    """A stand-in for the office's emblem file: a gold shape on a transparent ground."""
    img = Image.new("RGBA" if alpha else "RGB", (400, 420), (0, 0, 0, 0) if alpha else "white")
    d = ImageDraw.Draw(img)
    d.polygon([(200, 10), (390, 150), (320, 410), (80, 410), (10, 150)], fill=(190, 150, 30))
    d.ellipse((150, 160, 250, 260), fill=(20, 20, 20))
    img.save(path)
    return path


def final(out: Path, emblem: Path | None, signer: kk_final.Signer = SIGNER) -> Path:
    office = {**OFFICE, "lambang_garuda": str(emblem) if emblem else ""}
    return kk_final.render_final_kk(TEN, out, office=office, case_id="KKWNA-2026-0002",
                                    issued=dt.date(2026, 11, 12), seal_text=SEALS["base45"],
                                    signer=signer, ca_name=kk.BSRE)


def images(path: Path) -> list[tuple[float, float, float, float]]:
    page = pdfium.PdfDocument(path)[0]
    return [obj.get_bounds() for obj in page.get_objects(max_depth=3)
            if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE]


def page_text(path: Path) -> str:
    return pdfium.PdfDocument(path)[0].get_textpage().get_text_range()


def title_box(path: Path) -> tuple[float, float, float, float]:
    tp = pdfium.PdfDocument(path)[0].get_textpage()
    start, count = tp.search("KARTU KELUARGA", match_case=True).get_next()
    boxes = [tp.get_charbox(i) for i in range(start, start + count)]
    return boxes[0][0], min(b[1] for b in boxes), boxes[-1][2], max(b[3] for b in boxes)


def assert_pdfa(path: Path) -> None:
    report = pikepdf.pdfa.validate_written(path, "2b")
    assert not report.violations, report.violations


@pytest.mark.parametrize("alpha", [True, False])
def test_the_emblem_stands_at_the_top_left_embedded_without_transparency(
        tmp_path: Path, alpha: bool) -> None:
    card = final(tmp_path / "kk.pdf", garuda(tmp_path / "garuda.png", alpha))
    (x0, y0, x1, y1), = images(card)
    width, height = kk.PAGE
    assert x0 >= kk.MARGIN_X - 1 and x1 < width / 4, "at the left"
    assert y1 <= height - 4 and y0 > height - 80, "at the top"
    assert x1 - x0 >= 40 and y1 - y0 >= 40, "large enough to see"
    assert x1 < title_box(card)[0], "clear of the title"
    assert PLACE not in page_text(card)
    assert_pdfa(card)
    with pikepdf.open(card) as pdf:
        for image in pdf.pages[0].get_images().values():
            assert "/SMask" not in image and "/Mask" not in image, "flattened on the paper"
        group = pdf.pages[0].obj.get("/Group")
        assert group is None or group.get("/S") != "/Transparency"


def test_without_an_emblem_its_place_is_marked(tmp_path: Path) -> None:
    for emblem in (None, tmp_path / "hilang.png"):  # not set, or the file not there
        card = final(tmp_path / "kk.pdf", emblem)
        assert images(card) == []
        tp = pdfium.PdfDocument(card)[0].get_textpage()
        found = tp.search(PLACE.split()[0], match_case=True).get_next()
        assert found is not None and PLACE.replace(" ", "") in page_text(card).replace(
            " ", "").replace("\r\n", "").replace("\n", "")
        left, _, right, top = tp.get_charbox(found[0])
        assert left < kk.PAGE[0] / 4 and top > kk.PAGE[1] - 80
        assert right < title_box(card)[0]
        assert_pdfa(card)


def test_the_config_names_the_garuda_file(tmp_path: Path) -> None:
    text = config.DEFAULT.replace('lambang_garuda = ""', 'lambang_garuda = "garuda.png"')
    assert text != config.DEFAULT, "the template offers the key"
    (tmp_path / config.FILENAME).write_text(text, encoding="utf-8")
    cfg = config.load(tmp_path)
    assert cfg.office_data()["lambang_garuda"] == str(tmp_path / "garuda.png")
    assert config.parse(tomllib.loads(config.DEFAULT)).office_data()["lambang_garuda"] == ""
    bad = config.DEFAULT.replace('lambang_garuda = ""', 'lambang_garuda = "garuda.gif"')
    with pytest.raises(config.ConfigError, match=r"\[office\] lambang_garuda: harus gambar"):
        config.parse(tomllib.loads(bad))


def test_status_says_the_emblem_is_missing_and_what_to_do(office) -> None:
    shown = _kkwna(office, "status")
    assert shown.exit_code == 0, shown.output
    assert "lambang Garuda" in shown.output and "office.lambang_garuda" in shown.output
    toml = office.root / config.FILENAME
    toml.write_text(toml.read_text().replace('lambang_garuda = ""',
                                             'lambang_garuda = "garuda.png"'))
    shown = _kkwna(office, "status")
    assert "tidak ditemukan" in shown.output and "garuda.png" in shown.output
    garuda(office.root / "garuda.png")
    shown = _kkwna(office, "status")
    assert shown.exit_code == 0 and "lambang Garuda" not in shown.output, shown.output


def test_a_demo_head_is_marked_demo_on_the_card(tmp_path: Path) -> None:
    cfg = config.parse(tomllib.loads(config.DEFAULT))
    head = cfg.head_of_office()
    ca = DemoCA("DEMO Root CA Disdukcapil", organisation="DEMO Disdukcapil")
    cert = tmp_path / "demo-kepala-dinas.pem"
    cert.write_bytes(pem(ca.issue_signer(Person(head.nama, head.nip)).cert))
    who = Signatory(nama=head.nama, nip=head.nip, jabatan=head.jabatan, cert=cert)
    signer = card_signer(cfg, who)
    assert signer.nama == f"DEMO {head.nama}"
    card = final(tmp_path / "kk.pdf", None, signer)
    assert f"DEMO {head.nama}" in page_text(card)
    real = Signatory(nama=head.nama, nip=head.nip, jabatan=head.jabatan, cert=None)
    assert card_signer(cfg, real).nama == head.nama
