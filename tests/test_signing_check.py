"""Step 8, signed elsewhere: a desk-08 PDF signed in another application (pyHanko called
directly here) is accepted only when every check passes, and each refusal names, in
Indonesian, the check that failed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from pipeline.signing import pades
from pipeline.signing.check import check_signed_draft
from pipeline.signing.inspect import MESSAGES
from pipeline.signing.verify import verify_pdf
from tests.signing_pki import make_draft, paint_after, shared_pki, sign_elsewhere, timestamper


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("draft") / "07 draf TTE KK.pdf"
    return path, make_draft(path)


def _check(path: Path, draft_sha256: str) -> list[str]:
    pki = shared_pki()
    return check_signed_draft(path, draft_sha256=draft_sha256, trust=pki.trust,
                              head_of_office_sha256=pki.head_sha256)


def test_signed_by_the_head_of_office_is_accepted_and_gets_validation_data_and_timestamp(
        tmp_path: Path, draft: tuple[Path, str]) -> None:
    path, sha = draft
    signed = tmp_path / "signed.pdf"
    sign_elsewhere(path, signed, shared_pki().head_p12)
    assert _check(signed, sha) == []
    final = tmp_path / "08 kartu keluarga WNA.pdf"
    pades.add_validation_data(signed, final, trust=shared_pki().trust, timestamper=timestamper())
    assert _check(final, sha) == []  # validation data and a timestamp may follow
    verdict = verify_pdf(final, shared_pki().trust, shared_pki().head_sha256)
    assert verdict.ok, verdict.reason
    # no signature timestamp from the other application: B-LT, the document timestamp shown
    assert verdict.details["level"] == "PAdES B-LT"
    assert verdict.details["cap_waktu"].endswith("WITA")
    reader = PdfFileReader(io.BytesIO(final.read_bytes()))
    assert len(reader.embedded_timestamp_signatures) == 1


def test_validation_data_without_timestamp_authority_gives_b_lt(
        tmp_path: Path, draft: tuple[Path, str]) -> None:
    path, sha = draft
    signed = tmp_path / "signed.pdf"
    sign_elsewhere(path, signed, shared_pki().head_p12)
    pades.add_validation_data(signed, signed, trust=shared_pki().trust, timestamper=None)
    assert _check(signed, sha) == []
    verdict = verify_pdf(signed, shared_pki().trust, shared_pki().head_sha256)
    assert verdict.ok and verdict.details["level"] == "PAdES B-LT"


@pytest.mark.parametrize(("p12", "problem"), [
    ("division_p12", "unknown_signer"),
    ("other_pki_head_p12", "untrusted_root"),
    ("expired_p12", "expired"),
    ("revoked_p12", "revoked"),
    ("no_nonrep_p12", "key_usage"),
])
def test_each_wrong_certificate_is_refused_naming_the_check(
        tmp_path: Path, draft: tuple[Path, str], p12: str, problem: str) -> None:
    path, sha = draft
    signed = tmp_path / "signed.pdf"
    sign_elsewhere(path, signed, getattr(shared_pki(), p12))
    problems = _check(signed, sha)
    assert problems and problems[0] == MESSAGES[problem]


def test_the_same_person_under_another_root_is_not_the_head_of_office(
        tmp_path: Path, draft: tuple[Path, str]) -> None:
    """Same name and NIP in the subject, another key: the fingerprint decides."""
    path, sha = draft
    signed = tmp_path / "signed.pdf"
    sign_elsewhere(path, signed, shared_pki().other_pki_head_p12)
    assert MESSAGES["unknown_signer"] in _check(signed, sha)


def test_a_different_draft_is_refused(tmp_path: Path, draft: tuple[Path, str]) -> None:
    path, sha = draft
    other = tmp_path / "other draft.pdf"
    make_draft(other, text="KARTU KELUARGA No. 6305041211269999")
    signed = tmp_path / "signed.pdf"
    sign_elsewhere(other, signed, shared_pki().head_p12)
    assert _check(signed, sha) == [MESSAGES["not_draft"]]


def test_page_painted_over_after_signing_is_refused(
        tmp_path: Path, draft: tuple[Path, str]) -> None:
    path, sha = draft
    signed = tmp_path / "signed.pdf"
    sign_elsewhere(path, signed, shared_pki().head_p12)
    painted = tmp_path / "painted.pdf"
    paint_after(signed, painted)
    assert _check(painted, sha) == [MESSAGES["added_after"]]


def test_page_painted_over_in_the_signing_revision_is_refused(
        tmp_path: Path, draft: tuple[Path, str]) -> None:
    path, sha = draft
    signed = tmp_path / "signed.pdf"
    sign_elsewhere(path, signed, shared_pki().head_p12, paint=True)
    assert _check(signed, sha) == [MESSAGES["changed_with_signature"]]


def test_a_signature_that_does_not_cover_the_file_is_refused(
        tmp_path: Path, draft: tuple[Path, str]) -> None:
    path, sha = draft
    signed = tmp_path / "signed.pdf"
    sign_elsewhere(path, signed, shared_pki().head_p12)
    signed.write_bytes(signed.read_bytes() + b"\n9 0 obj\n(tambahan)\nendobj\n")
    assert _check(signed, sha)[0] == MESSAGES["not_whole_file"]


def test_an_unsigned_or_unreadable_file_is_refused(
        tmp_path: Path, draft: tuple[Path, str]) -> None:
    path, sha = draft
    assert _check(path, sha) == [MESSAGES["unsigned"]]
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"bukan pdf")
    assert _check(junk, sha) == [MESSAGES["unreadable"]]


def test_validation_data_keeps_info_and_xmp_producer_equal(
        tmp_path: Path, draft: tuple[Path, str]) -> None:
    import pikepdf

    path, _ = draft
    signed = tmp_path / "signed.pdf"
    sign_elsewhere(path, signed, shared_pki().head_p12)
    pades.add_validation_data(signed, signed, trust=shared_pki().trust, timestamper=timestamper())
    with pikepdf.open(signed) as pdf, pdf.open_metadata() as meta:
        assert str(pdf.docinfo["/Producer"]) == meta.get("pdf:Producer")
