"""Writing kkwna.toml: every value a command puts into the file goes through tomlkit.

The office edits the file by hand and reads its comments, so a command never rewrites it
from scratch: tomlkit parses the text, the entries are set in place (their comments and
the rest of the file kept as they were) and the text is written back. Escaping is
tomlkit's, never ours: a path with a quote, a backslash or a newline stays valid TOML.

tomlkit is imported by the writers only: reading kkwna.toml (every command) is tomllib's.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.domain.errors import ConfigError

FILENAME = "kkwna.toml"

Value = str | bool | int | float | date | Path | Sequence[str | Path]


def _plain(value: Value) -> Any:
    """A value as TOML holds it: paths as text, sequences as arrays."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return value


def edit(text: str, changes: Mapping[tuple[str, ...], Value]) -> str:
    """*text* (a kkwna.toml) with each entry of *changes* set, keyed by its path of table
    names and key (``("tte", "seal_p12")``); a missing table is added at the end. What is
    written must read back to the values given (tomllib, as every command reads it)."""
    import tomlkit
    from tomlkit.container import Container
    from tomlkit.items import Table

    doc = tomlkit.parse(text)
    for path, value in changes.items():
        *tables, key = path
        node: Container | Table = doc
        for name in tables:
            if name not in node:
                node[name] = tomlkit.table()
            child = node[name]
            if not isinstance(child, Table):
                raise ConfigError(f"{FILENAME}: {'.'.join(tables)}: bukan tabel")
            node = child
        node[key] = _plain(value)
    out = tomlkit.dumps(doc)
    check(out, changes)
    return out


def check(text: str, changes: Mapping[tuple[str, ...], Value] = {}) -> None:  # noqa: B006
    """Stop unless *text* is TOML that holds each of *changes* as given."""
    try:
        data: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # a bug of ours, never the office's: say so
        raise ConfigError(f"{FILENAME}: tidak dapat ditulis sebagai TOML yang sah: {exc}"
                          ) from None
    for path, value in changes.items():
        node = data
        for name in path:
            node = node.get(name) if isinstance(node, dict) else None
        if node != _plain(value):
            raise ConfigError(f"{FILENAME}: {'.'.join(path)}: tertulis {node!r}, "
                              f"bukan {_plain(value)!r}")
