"""The case numbers found on disk: folders named ``KKWNA-YYYY-NNNN ...`` in cases/ and in
the archive's binders (what `Register.check_against_disk` compares with the register)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

PREFIX = "KKWNA"  # the KK WNA service's (pipeline.services.kk_wna)


def _numbered(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(prefix)}-(\d{{4}})-(\d{{4,}})(?!\d)")


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


def numbers_on_disk(roots: list[Path], prefix: str = PREFIX) -> dict[int, int]:
    """{year: highest number} of the folders named ``<prefix>-YYYY-NNNN ...`` under *roots*
    (one service's: each service numbers its own cases)."""
    numbered = _numbered(prefix)
    found: dict[int, int] = {}
    for root in roots:
        for folder in _case_folders(root):
            m = numbered.match(folder.name)
            if m:
                year, seq = int(m[1]), int(m[2])
                found[year] = max(found.get(year, 0), seq)
    return found
