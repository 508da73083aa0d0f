"""What may come after a KK's signature: validation data and document timestamps, nothing else.

pyHanko's standard diff policy lets any revision after a signature rewrite the document
information dictionary and the XMP metadata ("LTA updates"), since writers touch them
when they add validation data. That let a forger append a revision naming another case,
No. KK and head of family in /Info, and the card still verified (issue 14). So
`AFTER_SIGNATURE` is pyHanko's policy with two rules made strict: /Info and the XMP
metadata may change after the signature only in what a writer updates by itself (the
modification date, the producer); any other change, in any revision, is a suspicious
modification, which `inspect_signature` reports as "ada isi yang ditambahkan".
Everything else (pages, annotations, form fields, new objects) is pyHanko's standard
judgement: only a DSS and document timestamps stay at the LTA level.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.metadata import model as xmp_model
from pyhanko.pdf_utils.metadata.xmp_xml import parse_xmp
from pyhanko.pdf_utils.reader import HistoricalResolver
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel
from pyhanko.sign.diff_analysis.policies import StandardDiffPolicy
from pyhanko.sign.diff_analysis.policy_api import SuspiciousModification
from pyhanko.sign.diff_analysis.rules.metadata_rules import DocInfoRule, MetadataUpdateRule
from pyhanko.sign.diff_analysis.rules_api import ReferenceUpdate

# What pyHanko (and other writers) change in /Info and the XMP on every save
INFO_BOOKKEEPING = frozenset({"/ModDate", "/Producer"})
XMP_BOOKKEEPING = frozenset({
    xmp_model.XMP_MODDATE, xmp_model.PDF_PRODUCER,
    xmp_model.ExpandedName(ns=xmp_model.NS["xmp"], local_name="MetadataDate"),
})


def _resolve(resolver: HistoricalResolver, value: Any) -> Any:
    """*value* as it was in *resolver*'s revision (get_object() would give the newest)."""
    if isinstance(value, generic.IndirectObject):
        return resolver(value.reference)
    return value


def _raw(d: generic.DictionaryObject, key: str) -> Any:
    return d.raw_get(key) if key in d else None


def _info(resolver: HistoricalResolver) -> dict[str, str]:
    """The revision's /Info, bookkeeping keys left out, values as text."""
    info = _resolve(resolver, _raw(resolver.trailer_view, "/Info"))
    if not isinstance(info, generic.DictionaryObject):
        return {}
    return {str(k): repr(_resolve(resolver, info.raw_get(k))) for k in info
            if k not in INFO_BOOKKEEPING}


def _xmp(resolver: HistoricalResolver) -> list[str] | None:
    """The revision's XMP properties, bookkeeping left out, in a canonical form (pyHanko's
    parse, so attribute and element forms of a property compare equal); None if none."""
    stream = _resolve(resolver, _raw(resolver.root, "/Metadata"))
    if not isinstance(stream, generic.StreamObject):
        return None
    try:
        roots = parse_xmp(io.BytesIO(stream.data))
    except Exception as exc:  # noqa: BLE001 - whatever the XML, it cannot be compared
        raise SuspiciousModification("XMP metadata cannot be read", exc) from exc
    return sorted(repr((name, value)) for root in roots for name, value in root
                  if name not in XMP_BOOKKEEPING)


class StrictDocInfoRule(DocInfoRule):
    """/Info may be rewritten only in its bookkeeping keys."""

    def apply(self, old: HistoricalResolver, new: HistoricalResolver) \
            -> Iterable[ReferenceUpdate]:
        if _info(old) != _info(new):
            raise SuspiciousModification("/Info changed after the signature")
        yield from super().apply(old, new)


class StrictMetadataRule(MetadataUpdateRule):
    """The XMP metadata may be rewritten only in its bookkeeping properties."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    def apply(self, old: HistoricalResolver, new: HistoricalResolver) \
            -> Iterable[ReferenceUpdate]:
        if _xmp(old) != _xmp(new):
            raise SuspiciousModification("XMP metadata changed after the signature")
        yield from super().apply(old, new)


def _strict(rule: Any) -> Any:
    inner = getattr(rule, "rule", rule)  # the standard rules come qualified
    if isinstance(inner, DocInfoRule):
        return StrictDocInfoRule().as_qualified(ModificationLevel.LTA_UPDATES)
    if isinstance(inner, MetadataUpdateRule):
        return StrictMetadataRule().as_qualified(ModificationLevel.LTA_UPDATES)
    return rule


AFTER_SIGNATURE = StandardDiffPolicy(
    global_rules=[_strict(r) for r in DEFAULT_DIFF_POLICY.global_rules],
    form_rule=DEFAULT_DIFF_POLICY.form_rule,
)


# the case's identity in a KK's /Info (written by `pades.mark_identity`, read by `info_at`)
INFO_CASE = "/KKWNA_Kasus"
INFO_NO_KK = "/KKWNA_NoKK"
INFO_HOLDER = "/KKWNA_KepalaKeluarga"


def info_at(reader: Any, revision: int) -> dict[str, str]:
    """The /Info entries as *revision* left them. For the signed revision these are
    covered by the signature: a card's identity is read there, never from the newest
    /Info, which any later revision could rewrite."""
    resolver = reader.get_historical_resolver(revision)
    info = _resolve(resolver, _raw(resolver.trailer_view, "/Info"))
    if not isinstance(info, generic.DictionaryObject):
        return {}
    return {str(k): str(_resolve(resolver, info.raw_get(k))) for k in info}
