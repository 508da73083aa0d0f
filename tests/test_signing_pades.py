"""Step 8 signing through `sign_kk`: the level reached, offline validation now and after
the signer's certificate expired, the visible block as it renders, the metadata, and
every refusal before a signature is made."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.validation import ades, validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import policy_decl as certv_policy
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.registry import SimpleTrustManager

from pipeline.signing import keys, pades
from tests.signing_pki import BLOCK, FIELD_BOX, PASSPHRASE, make_draft, shared_pki, timestamper


def _sign(tmp_path: Path, *, tsa: bool, p12: Path | None = None) -> Path:
    pki = shared_pki()
    draft = tmp_path / "07 draf TTE KK.pdf"
    make_draft(draft)
    out = tmp_path / "08 kartu keluarga WNA.pdf"
    pades.sign_kk(draft, out, p12=p12 or pki.head_p12, passphrase=PASSPHRASE,
                  trust=pki.trust, timestamper=timestamper() if tsa else None, block=BLOCK,
                  expected_signer_sha256=pki.head_sha256)
    return out


@pytest.fixture(scope="module")
def signed_lta(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _sign(tmp_path_factory.mktemp("lta"), tsa=True)


def _offline_spec() -> PdfSignatureValidationSpec:
    """pyHanko's AdES validation with the test root only and no network at all."""
    return PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(list(shared_pki().trust.roots)),
            revinfo_policy=certv_policy.CertRevTrustPolicy(
                revocation_checking_policy=certv_policy.REQUIRE_REVINFO,
                freshness_req_type=certv_policy.FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION,
            ),
        ),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY),
    ))


def _reader(path: Path) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(path.read_bytes()))


def test_signed_kk_is_b_lta_and_validates_offline_now_and_after_expiry(signed_lta: Path) -> None:
    reader = _reader(signed_lta)
    sig = reader.embedded_regular_signatures[0]
    assert sig.field_name == pades.FIELD
    # a document timestamp follows the validation data
    assert [s.signed_revision > sig.signed_revision
            for s in reader.embedded_timestamp_signatures] == [True]
    now = asyncio.run(ades.ades_lta_validation(sig, _offline_spec()))
    assert now.ades_subindic == AdESPassed.OK
    expiry = shared_pki().head.cert.not_valid_after_utc
    later = expiry + dt.timedelta(days=400)  # the TSA certificate (10 years) outlives it
    future = asyncio.run(ades.simulate_future_ades_lta_validation(
        sig, _offline_spec(), future_validation_time=later))
    assert future.ades_subindic == AdESPassed.OK


def test_without_timestamp_authority_the_validation_data_is_embedded(tmp_path: Path) -> None:
    signed = _sign(tmp_path, tsa=False)
    reader = _reader(signed)
    sig = reader.embedded_regular_signatures[0]
    assert reader.embedded_timestamp_signatures == []
    dss = DocumentSecurityStore.read_dss(reader)
    assert dss.crls and dss.certs
    # trusted from the DSS alone: roots given, no CRL given, fetching off, revocation required
    vc = dss.as_validation_context({"trust_roots": list(shared_pki().trust.roots),
                                    "allow_fetching": False, "revocation_mode": "hard-fail"})
    status = validate_pdf_signature(sig, vc)
    assert status.bottom_line and status.intact and status.trusted


def test_producer_is_the_same_in_info_and_xmp_and_identity_is_kept(signed_lta: Path) -> None:
    with pikepdf.open(signed_lta) as pdf:
        info_producer = str(pdf.docinfo["/Producer"])
        with pdf.open_metadata() as meta:
            xmp_producer = meta.get("pdf:Producer")
            assert meta.get("pdfaid:part") == "2"
    assert info_producer == xmp_producer == pades.PRODUCER
    assert "kkwna" in info_producer
    assert pades.read_identity(signed_lta) == ("KKWNA-2026-0001", "6305041211260001")
    assert pades.read_holder(signed_lta) == "JOHN SMITH"


def test_visible_block_renders_inside_the_field(signed_lta: Path) -> None:
    pdf = pdfium.PdfDocument(signed_lta)
    pdf.init_forms()
    page = pdf[0]
    scale = 2
    image = page.render(scale=scale, may_draw_forms=True).to_pil().convert("L")
    height = image.height
    x0, y0, x1, y1 = FIELD_BOX
    box = image.crop((int(x0 * scale), int(height - y1 * scale),
                      int(x1 * scale), int(height - y0 * scale)))
    dark = sum(box.histogram()[:128])
    assert dark > 500, "the signature block was not drawn"
    # nothing of it spills outside the field: the band just below is blank
    below = image.crop((int(x0 * scale), int(height - (y0 - 2) * scale),
                        int(x1 * scale), int(height - (y0 - 30) * scale)))
    assert below.getextrema()[0] > 200
    # the block's text is the kkwna-drawn appearance (embedded Vera), read back as text
    appearance = pades.render_block(BLOCK, dt.datetime(2026, 11, 27, 14, 5, tzinfo=dt.UTC),
                                    x1 - x0, y1 - y0)
    doc = pdfium.PdfDocument(appearance)
    text = doc[0].get_textpage().get_text_range()
    assert "Ditandatangani secara elektronik oleh" in text
    assert "Hj. RINA INDRIANI, ST" in text
    assert "NIP 19820311 200501 2 017" in text
    assert "27-11-2026 22:05:00 WITA" in text


def test_sign_refuses_another_signer_than_the_configured_head(tmp_path: Path) -> None:
    with pytest.raises(keys.SigningError, match="bukan sertifikat Kepala Dinas"):
        _sign(tmp_path, tsa=False, p12=shared_pki().division_p12)
    assert not (tmp_path / "08 kartu keluarga WNA.pdf").exists()


@pytest.mark.parametrize(("which", "message"), [
    ("revoked_p12", "dicabut"),
    ("expired_p12", "tidak berlaku"),
    ("other_pki_head_p12", "akar terpercaya"),
])
def test_sign_refuses_a_certificate_that_does_not_validate(
        tmp_path: Path, which: str, message: str) -> None:
    pki = shared_pki()
    draft = tmp_path / "draft.pdf"
    make_draft(draft)
    with pytest.raises(keys.SigningError, match=message):
        pades.sign_kk(draft, tmp_path / "out.pdf", p12=getattr(pki, which),
                      passphrase=PASSPHRASE, trust=pki.trust, timestamper=None, block=BLOCK)
    assert not (tmp_path / "out.pdf").exists()


def test_sign_refuses_a_missing_or_filled_field(tmp_path: Path, signed_lta: Path) -> None:
    pki = shared_pki()
    with pytest.raises(keys.SigningError, match="sudah terisi"):
        pades.sign_kk(signed_lta, tmp_path / "again.pdf", p12=pki.head_p12,
                      passphrase=PASSPHRASE, trust=pki.trust, timestamper=None, block=BLOCK)
    with pytest.raises(keys.SigningError, match="tidak memiliki kolom tanda tangan LAIN"):
        make_draft(tmp_path / "d.pdf")
        pades.sign_kk(tmp_path / "d.pdf", tmp_path / "x.pdf", p12=pki.head_p12,
                      passphrase=PASSPHRASE, trust=pki.trust, timestamper=None, block=BLOCK,
                      field="LAIN")


def test_passphrase_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "sandi.txt"
    secret.write_bytes(b"rahasia-sekali\n")
    os.chmod(secret, 0o644)
    with pytest.raises(keys.SigningError) as err:
        keys.read_passphrase(secret)
    assert "dapat dibaca pengguna lain" in str(err.value)
    assert "rahasia-sekali" not in str(err.value)
    os.chmod(secret, 0o600)
    assert keys.read_passphrase(secret) == b"rahasia-sekali"


def test_wrong_passphrase_is_one_line_without_the_passphrase(tmp_path: Path) -> None:
    with pytest.raises(keys.SigningError) as err:
        keys.load_signer(shared_pki().head_p12, b"salah-total-999")
    assert "kata sandi salah" in str(err.value)
    assert "salah-total-999" not in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_identity_goes_into_a_draft_without_info_and_producers_agree(tmp_path: Path) -> None:
    pki = shared_pki()
    draft = tmp_path / "draft.pdf"
    make_draft(draft)
    with pikepdf.open(draft, allow_overwriting_input=True) as pdf:
        del pdf.trailer["/Info"]
        pdf.save(draft)
    out = tmp_path / "kk.pdf"
    pades.sign_kk(draft, out, p12=pki.head_p12, passphrase=PASSPHRASE, trust=pki.trust,
                  timestamper=None, block=BLOCK, case_id="KKWNA-2026-0007",
                  no_kk="6305041211260007", holder="JANE DOE")
    assert pades.read_identity(out) == ("KKWNA-2026-0007", "6305041211260007")
    assert pades.read_holder(out) == "JANE DOE"
    with pikepdf.open(out) as pdf, pdf.open_metadata() as meta:
        assert str(pdf.docinfo["/Producer"]) == meta.get("pdf:Producer") == pades.PRODUCER


@pytest.mark.parametrize("crl", ["stale", "none"])
def test_sign_refuses_without_current_revocation_data(tmp_path: Path, crl: str) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    pki = shared_pki()
    crls = []
    if crl == "stale":
        old = pki.ca.crl(at=dt.datetime.now(dt.UTC) - dt.timedelta(days=3), days=1)
        (tmp_path / "old.crl").write_bytes(old.public_bytes(Encoding.DER))
        crls = [tmp_path / "old.crl"]
    trust = keys.Trust.load([pki.root], crls)
    make_draft(tmp_path / "draft.pdf")
    with pytest.raises(keys.SigningError, match="data pencabutan"):
        pades.sign_kk(tmp_path / "draft.pdf", tmp_path / "out.pdf", p12=pki.head_p12,
                      passphrase=PASSPHRASE, trust=trust, timestamper=None, block=BLOCK)
