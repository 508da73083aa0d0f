"""Step 8, signed elsewhere: is the desk-08 PDF that came back an acceptable signature?

The head of office may sign the draft in any PDF application and save it back onto the
desk. It is accepted only when every check passes (in this order): the signature is
intact and covers the whole file; nothing but validation data or a document timestamp
came after it; the certificate chains to a configured trust root, was valid and not
revoked; its key usage allows non-repudiation; the signer is the configured head of
office (by certificate fingerprint, never by name); the revision before the signature is
byte for byte the draft kkwna placed; and the signing revision itself changed nothing
but the signature field.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel
from pyhanko.sign.diff_analysis.constants import ACROFORM_EXEMPT_STRICT_COMPARISON
from pyhanko.sign.diff_analysis.form_rules_api import FormUpdatingRule
from pyhanko.sign.diff_analysis.policies import StandardDiffPolicy
from pyhanko.sign.diff_analysis.policy_api import SuspiciousModification

from pipeline.signing.inspect import MESSAGES, inspect_signature
from pipeline.signing.keys import Trust

_EOF = re.compile(rb"%%EOF(\r\n|\r|\n)?")

# pyHanko's standard policy, judging the signing revision against the draft: a signer
# fills the signature field and sets /SigFlags to 3 ("signatures exist, append only"),
# which the standard policy (meant for revisions after a signature) does not expect.
def _signing_revision_policy() -> StandardDiffPolicy:
    form_rule = DEFAULT_DIFF_POLICY.form_rule
    assert form_rule is not None
    return StandardDiffPolicy(
        global_rules=DEFAULT_DIFF_POLICY.global_rules,
        form_rule=FormUpdatingRule(
            field_rules=form_rule.field_rules,
            ignored_acroform_keys=ACROFORM_EXEMPT_STRICT_COMPARISON | {"/SigFlags"},
        ),
    )


def _draft_revisions(data: bytes, draft_sha256: str, limit: int) -> int | None:
    """How many revisions the draft has, if some prefix of *data* no longer than *limit*
    bytes is the draft (SHA-256 *draft_sha256*); None if none is."""
    for m in _EOF.finditer(data, 0, limit + 7):
        for end in {m.start() + 5, m.end()}:
            if end <= limit and hashlib.sha256(data[:end]).hexdigest() == draft_sha256.lower():
                reader = PdfFileReader(io.BytesIO(data[:end]), strict=False)
                return int(reader.xrefs.total_revisions)
    return None


def check_signed_draft(path: Path, *, draft_sha256: str, trust: Trust,
                       head_of_office_sha256: str) -> list[str]:
    """[] when *path* is an acceptable step-8 signature, else the failed checks, each one
    Indonesian line (the first is the one to show; later ones add detail)."""
    found = inspect_signature(path, trust, expected_signer_sha256=head_of_office_sha256,
                              judge_now=True)
    if found.reader is None or found.signature is None:
        return found.messages()
    problems = found.messages()
    sig, reader = found.signature, found.reader
    data = Path(path).read_bytes()
    start_of_signed_revision = sig.byte_range[1]  # the /Contents hole lies in that revision
    draft_revs = _draft_revisions(data, draft_sha256, start_of_signed_revision)
    if draft_revs is None or draft_revs != sig.signed_revision:
        problems.append(MESSAGES["not_draft"])
        return problems
    # the signing revision may fill the signature field and nothing else
    try:
        diff = _signing_revision_policy().apply(
            reader.get_historical_resolver(draft_revs - 1),
            reader.get_historical_resolver(sig.signed_revision))
        changed = diff.modification_level > ModificationLevel.FORM_FILLING
    except SuspiciousModification:
        changed = True
    if changed:
        problems.append(MESSAGES["changed_with_signature"])
    return problems
