"""The case numbers found on disk: folders named ``KKWNA-YYYY-NNNN ...`` in cases/ and in
the archive's binders (what `Register.check_against_disk` compares with the register)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

PREFIX = "KKWNA"

_NUMBERED = re.compile(rf"{PREFIX}-(\d{{4}})-(\d{{4,}})(?!\d)")


def _case_folders(root: Path) -> Iterable[Path]:
    """Folders directly in *root* (cases/), and in *root*/<YYYY>/odner-*/ (archive/)."""
    if not root.is_dir():
        return
    for child in root.iterdir():
        if child.is_symlink() or not child.is_dir():
            continue
        yield child
        if re.fullmatch(r"\d{4}", child.name):
            for odner in child.glob("odner-*"):
                if odner.is_dir() and not odner.is_symlink():
                    yield from (f for f in odner.iterdir() if f.is_dir() and not f.is_symlink())


def numbers_on_disk(roots: list[Path]) -> dict[int, int]:
    """{year: highest number} of the folders named ``KKWNA-YYYY-NNNN ...`` under *roots*."""
    found: dict[int, int] = {}
    for root in roots:
        for folder in _case_folders(root):
            m = _NUMBERED.match(folder.name)
            if m:
                year, seq = int(m[1]), int(m[2])
                found[year] = max(found.get(year, 0), seq)
    return found
