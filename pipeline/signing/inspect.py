"""Read a signed PDF's signature and judge it, with no network: the shared part of
`check_signed_draft` (step 8, signed elsewhere) and `verify_pdf`.

Every judgement is one Indonesian line; `Finding.key` names the check for tests and
callers that want to branch on it.
"""

from __future__ import annotations

import io
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    validate_pdf_signature,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko_certvalidator import ValidationContext

from pipeline.signing.keys import Trust, fingerprint
from pipeline.signing.revisions import AFTER_SIGNATURE

MESSAGES = {
    "unreadable": "berkas bukan PDF yang dapat dibaca",
    "unsigned": "dokumen belum ditandatangani",
    "many_signatures": "dokumen memuat lebih dari satu tanda tangan",
    "bytes_changed": "isi berkas berubah setelah ditandatangani (tanda tangan rusak)",
    "bad_signature": "tanda tangan tidak sah secara kriptografis",
    "not_whole_file": "tanda tangan tidak mencakup seluruh berkas",
    "added_after": "ada isi yang ditambahkan setelah ditandatangani",
    "untrusted_root": "sertifikat penanda tangan tidak berantai ke akar terpercaya",
    "revoked": "sertifikat penanda tangan telah dicabut",
    "expired": "sertifikat penanda tangan tidak berlaku saat menandatangani (kedaluwarsa)",
    "no_revocation_data": "data pencabutan (CRL) sertifikat penanda tangan tidak tersedia",
    "untrusted": "sertifikat penanda tangan tidak dapat divalidasi",
    "key_usage": "penggunaan kunci sertifikat tidak mengizinkan nirsangkal (non-repudiation)",
    "unknown_signer": "penanda tangan bukan Kepala Dinas (atau Plt.) yang terdaftar di "
                      "kkwna.toml",
    "not_draft": "revisi sebelum tanda tangan bukan draf yang ditempatkan kkwna",
    "changed_with_signature": "tanda tangan disertai perubahan isi dokumen",
}


@dataclass
class Inspection:
    """What was found about the one signature of a PDF."""

    problems: list[str] = field(default_factory=list)  # keys of MESSAGES, in check order
    reader: PdfFileReader | None = None
    signature: EmbeddedPdfSignature | None = None
    status: PdfSignatureStatus | None = None
    signer_sha256: str = ""
    signer_name: str = ""
    signing_time: datetime | None = None
    timestamp_time: datetime | None = None  # the signature timestamp's
    document_timestamp_time: datetime | None = None  # the last document timestamp's
    level: str = ""

    def messages(self) -> list[str]:
        return [MESSAGES[k] for k in self.problems]


def _validation_context(reader: PdfFileReader, trust: Trust, moment: datetime | None) \
        -> ValidationContext:
    kwargs: dict[str, Any] = {
        "trust_roots": list(trust.roots), "other_certs": list(trust.intermediates),
        "crls": list(trust.crls), "allow_fetching": False, "revocation_mode": "hard-fail",
    }
    if moment is not None:
        # judge the certificate at the time it signed; revocation data gathered later
        # (e.g. the CRL embedded a moment after signing) still speaks about that time
        kwargs.update(moment=moment, retroactive_revinfo=True)
    try:
        return DocumentSecurityStore.read_dss(reader).as_validation_context(kwargs)
    except NoDSSFoundError:
        return ValidationContext(**kwargs)


def _trust_problem(status: PdfSignatureStatus) -> str:
    indic = status.trust_problem_indic
    if status.revocation_details is not None or indic in (
            AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE):
        return "revoked"
    if indic in (AdESIndeterminate.OUT_OF_BOUNDS_NO_POE, AdESIndeterminate.EXPIRED,
                 AdESIndeterminate.NOT_YET_VALID, AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED):
        return "expired"
    if indic == AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND:
        return "untrusted_root"
    if indic in (AdESIndeterminate.TRY_LATER, AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE):
        return "no_revocation_data"
    return "untrusted"


def trailing_is_clean(data: bytes) -> bool:
    """Does the file end with its last revision (nothing but white space after %%EOF)?
    Bytes appended without a revision are covered by no signature."""
    end = data.rfind(b"%%EOF")
    return end >= 0 and not data[end + 5:].strip()


def document_timestamp_time(reader: PdfFileReader) -> datetime | None:
    """The time of the last document timestamp, if any (its TSTInfo genTime)."""
    stamps = reader.embedded_timestamp_signatures
    if not stamps:
        return None
    try:
        tst = stamps[-1].signed_data["encap_content_info"]["content"].parsed
        when: datetime = tst["gen_time"].native
        return when
    except (KeyError, ValueError, AttributeError):
        return None


def _validate(reader: PdfFileReader, sig: EmbeddedPdfSignature, trust: Trust,
              moment: datetime | None) -> PdfSignatureStatus:
    return validate_pdf_signature(
        sig, _validation_context(reader, trust, moment),
        ts_validation_context=_validation_context(reader, trust, None),
        diff_policy=AFTER_SIGNATURE)


def claimed_timestamp_time(sig: EmbeddedPdfSignature) -> datetime | None:
    """The genTime the signature's timestamp token states, read, not validated; None
    when it has none (or none that can be read)."""
    try:
        for attr in sig.signer_info["unsigned_attrs"] or ():
            if attr["type"].native == "signature_time_stamp_token":
                tst = attr["values"][0]["content"]["encap_content_info"]["content"].parsed
                when: datetime = tst["gen_time"].native
                return when
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        pass
    return None


def _at_signing(reader: PdfFileReader, sig: EmbeddedPdfSignature, trust: Trust,
                reported: datetime | None) -> PdfSignatureStatus:
    """The status judged at the signature timestamp's time when it has one, else at the
    time the signer reports. One validation, at the time its token states, where there
    used to be two (at the reported time, to learn the validated time, then again): the
    validation checks that token, and whenever it does not confirm the time it was
    judged at, the judgement is made again as before."""
    claimed = claimed_timestamp_time(sig)
    status = _validate(reader, sig, trust, claimed or reported)
    validated = status.timestamp_validity
    if validated is None:
        return status if claimed is None else _validate(reader, sig, trust, reported)
    if validated.timestamp != claimed:
        status = _validate(reader, sig, trust, validated.timestamp)
    return status


def signature_level(reader: PdfFileReader, sig: EmbeddedPdfSignature,
                    status: PdfSignatureStatus) -> str:
    """PAdES level by what the file holds: B-B, B-T (a signature timestamp), B-LT (the
    chain and revocation data in the DSS), B-LTA (B-LT and a document timestamp after).

    Two choices where ETSI is stricter: a file with the validation data but no signature
    timestamp (signed without a timestamp authority, or in another application) is
    called B-LT, as the SOP brief names it; it is B-LTA only with a signature timestamp
    (pyHanko's AdES validator needs one), so a document timestamp added after a
    signature made elsewhere leaves it B-LT (`verify` still shows that timestamp)."""
    timestamped = status.timestamp_validity is not None
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        has_ltv = bool(dss.crls or dss.ocsps) and bool(dss.certs)
    except NoDSSFoundError:
        has_ltv = False
    if not has_ltv:
        return "PAdES B-T" if timestamped else "PAdES B-B"
    archived = any(s.signed_revision > sig.signed_revision
                   for s in reader.embedded_timestamp_signatures)
    return "PAdES B-LTA" if timestamped and archived else "PAdES B-LT"


def inspect_signature(path: Path, trust: Trust, *,
                      expected_signer_sha256: str | Collection[str] | None = None,
                      judge_now: bool = False) -> Inspection:
    """Check the one regular signature of *path*: integrity, coverage, what came after it,
    trust, key usage and (when given) the signer's fingerprint.

    The certificate is judged at the signing time (the signature timestamp's when there
    is one, else the time the signer reports) or, with *judge_now*, now: a file that has
    just arrived on a desk must be valid now.
    """
    found = Inspection()
    try:
        data = Path(path).read_bytes()
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = reader.embedded_regular_signatures
    except (PdfReadError, OSError, ValueError):
        found.problems.append("unreadable")
        return found
    found.reader = reader
    if not sigs:
        found.problems.append("unsigned")
        return found
    if len(sigs) > 1:
        found.problems.append("many_signatures")
        return found
    sig = sigs[0]
    found.signature = sig
    cert = sig.signer_cert
    found.signer_sha256 = fingerprint(cert)
    found.signer_name = str(cert.subject.native.get("common_name", ""))
    found.signing_time = sig.self_reported_timestamp
    try:
        status = _validate(reader, sig, trust, None) if judge_now \
            else _at_signing(reader, sig, trust, found.signing_time)
    except Exception:  # pyHanko raises on malformed signature containers
        found.problems.append("bad_signature")
        return found
    found.status = status
    if status.timestamp_validity is not None:
        found.timestamp_time = status.timestamp_validity.timestamp
    found.document_timestamp_time = document_timestamp_time(reader)
    if not status.intact:
        found.problems.append("bytes_changed")
        return found
    if not status.valid:
        found.problems.append("bad_signature")
        return found
    if status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE,
                               SignatureCoverageLevel.ENTIRE_REVISION) \
            or not trailing_is_clean(data):
        found.problems.append("not_whole_file")
        return found
    level = status.modification_level
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE and (
            level is None or level > ModificationLevel.LTA_UPDATES):
        found.problems.append("added_after")
    usage = cert.key_usage_value.native if cert.key_usage_value is not None else set()
    if "non_repudiation" not in usage:
        # pyHanko then reports the path as untrusted too; the key usage is the reason
        found.problems.append("key_usage")
    elif not status.trusted:
        found.problems.append(_trust_problem(status))
    expected = {expected_signer_sha256} if isinstance(expected_signer_sha256, str) \
        else set(expected_signer_sha256 or ())
    if expected and found.signer_sha256 not in {e.lower() for e in expected}:
        found.problems.append("unknown_signer")
    found.level = signature_level(reader, sig, status)
    return found
