"""The versions of a filed KK: the original and the renewals beside it (`renew`).

Kept apart from `renew` so that `fixity` (and whatever imports the archive package) does not
load pyHanko just to know a file name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.domain import sop

KK_STEM = sop.filed_name(sop.Kind.SIGNATURE).removesuffix(".pdf")
_VERSION = re.compile(re.escape(KK_STEM) + r"(?: \(diperbarui (\d{4}-\d{2}-\d{2})\))?\.pdf")


def renewed_name(day: str) -> str:
    """The name of the version renewed on *day* (ISO date)."""
    return f"{KK_STEM} (diperbarui {day}).pdf"


def current_kk(names: Iterable[str]) -> str | None:
    """The newest version of the KK among a case's file names (the original sorts first:
    it has no date), or None when the case has no KK."""
    versions = [(m[1] or "", name) for name in names if (m := _VERSION.fullmatch(name))]
    return max(versions)[1] if versions else None
