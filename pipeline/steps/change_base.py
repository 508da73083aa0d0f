"""What the Perubahan Data KK WNA handlers share: the card a change case changes, found in
the register, and the service's SOP as the office gives it.

A change case names the KK it changes by its No. KK (typed by the verifier, step 3). The
card is the one an ISSUED case (of any service) drew with that number and that no later
change has replaced yet: a KK changed twice is changed from its newest card. Its lineage
(the card and every card it replaced) is not a duplicate of the change case: the same
family, the same passports and NIKs, is what a change is about.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.domain import clock, family
from pipeline.domain.case import Case
from pipeline.domain.model import Context, Env
from pipeline.steps.base import Handler
from pipeline.store.register import Register

OLD_CASE = "kk_lama"  # case data: the register number of the case whose KK is changed
OLD_NO_KK = "no_kk_lama"  # and its No. KK, as the verifier typed it (normalised)
OLD_FAMILY = "keluarga_lama"  # and its family data, copied when data entry starts
CHANGES = "perubahan"  # the changes data entry found (`family_changes.as_data`)


def no_kk_of(case: Case) -> str:
    """The No. KK on the card *case* drew ("" before its data entry)."""
    keluarga = case.data.get("keluarga")
    if not isinstance(keluarga, Mapping):
        return ""
    return str(family.normalise(keluarga, area=None)["no_kk"])


def normal_no_kk(text: str) -> str:
    return "".join(text.split())


def lineage(reg: Register, cid: str) -> set[str]:
    """*cid* and every case whose card it replaced, back to the first card."""
    seen: set[str] = set()
    current: str | None = cid
    while current is not None and current not in seen:
        seen.add(current)
        current = reg.replaces(current)
    return seen


@dataclass(frozen=True)
class Target:
    """What the register says of the KK a change names: the case to change, or why not."""

    case: Case | None
    problem: str | None


def target(reg: Register, case: Case, no_kk: str) -> Target:
    """The issued card of No. KK *no_kk* that *case* may change, or the one Indonesian line
    saying why it may not: none issued, already replaced, already being changed."""
    issued = [c for c in reg.issued_with_no_kk(no_kk) if c.id != case.id]
    if not issued:
        return Target(None, f"No. KK {no_kk} tidak ditemukan pada KK yang sudah diterbitkan "
                            f"kantor ini: periksa nomor pada KK lama; perubahan data hanya "
                            f"untuk KK WNA yang sudah terbit")
    current = [c for c in issued if reg.replacement_of(c.id) is None]
    if not current:
        newest = issued[-1]
        done = reg.replacement_of(newest.id)
        assert done is not None
        by, at = done
        return Target(None, f"KK No. {no_kk} ({newest.id}) sudah diganti oleh KK {by.id} "
                            f"yang ditandatangani {clock.long_date(at.date())}: KK lama tidak "
                            f"dapat diubah lagi")
    old = current[-1]
    other = reg.open_change_of(old.id)
    if other is not None and other.id != case.id:
        return Target(None, f"KK No. {no_kk} ({old.id}) sedang diubah oleh kasus {other.id} "
                            f"yang belum selesai: selesaikan atau kembalikan kasus itu lebih "
                            f"dahulu")
    return Target(old, None)


@dataclass(frozen=True)
class ChangeContext(Context):
    """The engine's context with what the register said of the KK being changed."""

    target: Target | None = None


class ChangeForms(Handler):
    """Every form and filed copy of the service names the KK being changed once the
    verifier has named it (the SOP it cites is the case's service's: `documents.base_data`)."""

    def form_data(self, env: Env, case: Case, extra: Mapping[str, Any]) -> dict[str, Any]:
        data = super().form_data(env, case, extra)
        data.setdefault("kk_lama", case.data.get(OLD_CASE, ""))
        data.setdefault("no_kk_lama", case.data.get(OLD_NO_KK, ""))
        return data
