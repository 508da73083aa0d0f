"""The final Family Card (SOP step 7): official layout, seal QR, signer's block, the
signed line, one empty signature field; PDF/A-2b before anything signs it, and signable."""

from __future__ import annotations

import datetime as dt
import random
import string
from pathlib import Path

import pikepdf
import pikepdf.pdfa
import pypdfium2 as pdfium
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import ImageStat
from pypdf import PdfReader

from pipeline.render import kk, kk_final
from tests.qrread import phone_view, read_standard_qr, render_page
from tests.test_kk import OFFICE, TEN, drawn_strings

SIGNER = kk_final.Signer(
    "KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL KABUPATEN TAPIN",
    "Hj. RINA INDRIANI, ST",
    "19820311 200501 2 017",
)
_rnd = random.Random(2026)
_B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
SEALS = {  # a Base45 seal of the first format's length, and any 350 ASCII characters
    "base45": "KKWNA1:" + "".join(_rnd.choice(_B45) for _ in range(293)),
    "ascii": "".join(_rnd.choice(string.ascii_letters + string.digits + "+/=:-_")
                     for _ in range(350)),
}


def _final(out: Path, seal: str = SEALS["base45"], ca: str = kk.BSRE) -> Path:
    return kk_final.render_final_kk(TEN, out, office=OFFICE, case_id="KKWNA-2026-0002",
                                    issued=dt.date(2026, 11, 12), seal_text=seal,
                                    signer=SIGNER, ca_name=ca)


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _final(tmp_path_factory.mktemp("final") / "07 draf TTE KK.pdf")


def test_pdfa_2b_but_for_the_field_the_validator_cannot_judge(card: Path) -> None:
    report = pikepdf.pdfa.validate_written(card, "2b")
    assert not report.violations
    found = [(f.rule, f.kind) for f in report.findings]
    assert found == [("pikepdf:schema-Catalog", "unsupported")], "only the form is not judged"
    with pikepdf.open(card) as pdf:
        meta = pdf.open_metadata(set_pikepdf_as_editor=False)
        assert meta["pdf:Producer"] == str(pdf.docinfo["/Producer"]), "XMP and Info agree"
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        del pdf.Root["/AcroForm"]  # the same file without the field passes outright
        del pdf.pages[0].obj["/Annots"]
        assert pikepdf.pdfa.check(pdf, "2b").passed
    assert not list(card.parent.glob(".tmp-*")), "no temporary file left behind"


def test_exactly_one_empty_signature_field_over_the_blank_rectangle(card: Path) -> None:
    with pikepdf.open(card) as pdf:
        form = pdf.Root.AcroForm
        assert "/NeedAppearances" not in form and "/XFA" not in form
        (field,) = list(form.Fields)
        assert str(field.T) == kk_final.SIGNATURE_FIELD == "TTE_KEPALA_DINAS"
        assert str(field.FT) == "/Sig" and "/V" not in field
        (widget,) = list(pdf.pages[0].Annots)
        assert widget.objgen == field.objgen
        assert [float(v) for v in widget.Rect] == pytest.approx(list(kk_final.signature_rect()))
        assert int(widget.F) & 4 and not int(widget.F) & (1 | 2 | 32), "printed, not hidden"
        assert isinstance(widget.AP.N, pikepdf.Stream) and widget.AP.N.read_bytes() == b""
        assert "/A" not in widget and "/AA" not in widget
    fields = PdfReader(card).get_fields() or {}
    assert list(fields) == ["TTE_KEPALA_DINAS"]


def test_the_signature_rectangle_is_blank_and_inside_the_heads_block(card: Path) -> None:
    x0, y0, x1, y1 = kk_final.signature_rect()
    assert x1 - x0 > 200 and y1 - y0 > 45, "room for name, NIP, role and time"
    dpi = 100
    image = render_page(card, dpi=dpi)
    height = image.height
    k = dpi / 72
    area = image.crop((int(x0 * k), int(height - y1 * k), int(x1 * k), int(height - y0 * k)))
    assert ImageStat.Stat(area).extrema[0][0] > 245, "nothing drawn where the signature goes"
    strings = drawn_strings(card)
    jabatan = [d for d in strings if d.text.startswith("KEPALA DINAS")]
    name = [d for d in strings if d.text == SIGNER.nama]
    assert jabatan and name
    assert min(d.y for d in jabatan) > y1 > y0 > name[0].y, "between the role and the name"
    sx0, sy0, sx1, sy1 = kk_final.seal_rect()
    assert sx1 < x0, "the seal stands beside the block, not in it"


def test_the_final_card_says_what_only_a_signed_card_says(card: Path) -> None:
    text = PdfReader(card).pages[0].extract_text()
    squashed = "".join(text.split())
    for fragment in ("KARTU KELUARGA", "No. 6305041211260001", "12-11-2026", SIGNER.nama,
                     f"NIP. {SIGNER.nip}", "KEPALA KELUARGA"):
        assert fragment in text, fragment
    assert "".join(SIGNER.jabatan.split()) in squashed
    assert "".join(kk.signed_line("Balai Besar Sertifikasi Elektronik (BSrE)").split()) in squashed
    assert "KONSEP" not in text and "Paraf" not in text
    assert not [d for d in drawn_strings(card) if d.rotated], "no watermark"
    other = _final(card.parent / "ca.pdf", ca="Test CA kkwna")
    assert "Test CA kkwna" in PdfReader(other).pages[0].extract_text()


@pytest.mark.parametrize("kind", ["base45", "ascii"])
@pytest.mark.parametrize("angle", [2.0, -3.0])
def test_the_seal_reads_like_a_phone_from_print(tmp_path: Path, kind: str, angle: float) -> None:
    out = _final(tmp_path / "kk.pdf", SEALS[kind])
    assert read_standard_qr(phone_view(out, dpi=150, blur=1.0, angle=angle)) == [SEALS[kind]]


@pytest.mark.parametrize("seal", ["", "x" * 1200, "segel \u00e9"])
def test_a_seal_that_cannot_be_printed_readably_is_refused(tmp_path: Path, seal: str) -> None:
    with pytest.raises(ValueError, match="seal text"):
        _final(tmp_path / "kk.pdf", seal)
    assert not list(tmp_path.iterdir())


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Hj. RINA INDRIANI, ST (uji)")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                       critical=True)
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "key.pem", folder / "cert.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def test_pyhanko_signs_the_field_and_the_result_opens(card: Path, tmp_path: Path) -> None:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    key_file, cert_file = _self_signed(tmp_path)
    signer = signers.SimpleSigner.load(str(key_file), str(cert_file))  # type: ignore[no-untyped-call]
    assert signer is not None
    signed = tmp_path / "08 kartu keluarga WNA.pdf"
    with card.open("rb") as src, signed.open("wb") as dst:
        meta = signers.PdfSignatureMetadata(field_name=kk_final.SIGNATURE_FIELD)
        signers.sign_pdf(IncrementalPdfFileWriter(src), meta, signer=signer, output=dst)

    with signed.open("rb") as fh:
        reader = PdfFileReader(fh)
        (sig,) = reader.embedded_signatures
        assert sig.field_name == "TTE_KEPALA_DINAS"
        root = load_cert_from_pemder(str(cert_file))  # type: ignore[no-untyped-call]
        context = ValidationContext(trust_roots=[root])
        status = validate_pdf_signature(sig, context)
        assert status.intact and status.valid and status.trusted
        assert status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    assert signed.read_bytes().startswith(card.read_bytes()), "an incremental update"
    with pikepdf.open(signed) as pdf:
        assert len(pdf.pages) == 1 and len(pdf.Root.AcroForm.Fields) == 1
    doc = pdfium.PdfDocument(str(signed))
    try:
        image = doc[0].render(scale=1).to_pil().convert("L")
    finally:
        doc.close()
    assert ImageStat.Stat(image).extrema[0][0] < 50, "the card renders"
