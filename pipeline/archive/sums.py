"""A case folder's SHA256SUMS, in `sha256sum` format, and which cases are filed.

Apart from `filing` (which writes them) so that `kkwna archive verify` reads them without
loading what draws the books and binders.
"""

from __future__ import annotations

from pathlib import Path

SUMS = "SHA256SUMS"
FILED_STATUSES = ("issued", "returned")

__all__ = ["FILED_STATUSES", "SUMS", "read_sums", "sums_line"]


def sums_line(digest: str, name: str) -> str:
    """One `sha256sum` line; a name with a backslash, CR or LF is escaped as GNU sha256sum
    does (the line then starts with a backslash)."""
    if any(ch in name for ch in "\\\r\n"):
        name = name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        return f"\\{digest}  {name}\n"
    return f"{digest}  {name}\n"


def read_sums(folder: Path) -> dict[str, str]:
    """SHA256SUMS of *folder* as {relative name: sha256}."""
    out = {}
    for line in (folder / SUMS).read_text(encoding="utf-8").split("\n"):
        escaped = line.startswith("\\")
        digest, sep, name = line.removeprefix("\\").partition("  ")
        if sep:
            out[_unescape(name) if escaped else name] = digest
    return out


def _unescape(name: str) -> str:
    out, chars = [], iter(name)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            out.append({"n": "\n", "r": "\r", "\\": "\\"}.get(nxt, nxt))
        else:
            out.append(ch)
    return "".join(out)
