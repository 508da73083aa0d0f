"""Document layouts: the wording and arrangement of every document, as TOML files.

A layout is found by name in a list of folders, first match wins, so an office can
override a built-in layout by putting a file of the same name in its home's
``layouts/`` folder. The schema is documented in ``layouts/README.md``; this module
loads a file, checks every key against that schema (so a typo is reported with the
file and the key, not silently ignored) and fills ``{placeholders}`` from the data.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.domain import clock, refdata

#: The layouts shipped with the program (``layouts/`` beside the ``pipeline`` package).
BUILTIN_LAYOUTS = Path(__file__).resolve().parent.parent / "layouts"  # package data

#: Fields every desk form has (INTERFACE.md, "Desk forms").
COMMON_FIELDS = ("kasus", "langkah")
DECISION_FIELDS = ("keputusan", "catatan", "petugas_nama", "petugas_nip")
DECISION_VALUES = ("setuju", "kembalikan")

#: The most characters of one free-text value (a remark, a note, a field) a document
#: draws: a pasted 1 MB text must not stall the office or fill hundreds of pages. The
#: drawn text then ends with a mark saying it was cut and how long the original was
#: (the full text stays in the form and the register).
FREE_TEXT_LIMIT = 2000

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class LayoutError(Exception):
    """A layout is missing, malformed, or refers to data that was not given."""


class MissingValueError(LayoutError):
    """A ``{placeholder}`` names a key the data does not have."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


# --------------------------------------------------------------------------- schema

_NUM = (int, float)
_ANY_TEXT = str
_CHOICES: dict[str, tuple[str, ...]] = {
    "align": ("left", "center", "right", "justify"),
    "style": ("regular", "bold", "italic"),
    "box": ("none", "plain", "note", "warning"),
    "kind": ("text", "date", "multiline", "choice"),
    "labels": ("left", "above"),
    "mode": ("form", "filed"),
    "list_style": ("bullet", "number", "letter"),
}

_COMMON: dict[str, Any] = {"type": str, "when": str, "unless": str, "mode": str}

# block type -> (allowed keys with types, required keys)
_BLOCKS: dict[str, tuple[dict[str, Any], set[str]]] = {
    "title": ({"text": str, "nomor": str, "size": _NUM}, {"text"}),
    "heading": ({"text": str, "size": _NUM}, {"text"}),
    "paragraph": (
        {"text": str, "style": str, "size": _NUM, "align": str, "indent": _NUM, "box": str,
         "max_lines": int, "width": _NUM, "beside": bool},
        {"text"},
    ),
    "rows": ({"rows": list, "source": str, "label_width": _NUM, "size": _NUM, "width": _NUM},
             set()),
    # its lines are the layout's `items`, or the data's list `source` names (a service's
    # requirements: `steps.front_office`), each {field, label}
    "checklist": ({"items": list, "source": str, "title": str, "size": _NUM}, set()),
    "inputs": ({"items": list, "columns": int, "labels": str, "label_width": _NUM}, {"items"}),
    "table": (
        {"source": str, "columns": list, "empty": str, "size": _NUM, "title": str},
        {"source", "columns"},
    ),
    "bullets": (
        {"source": str, "intro": str, "empty": str, "list_style": str, "size": _NUM,
         "indent": _NUM},
        {"source"},
    ),
    "members": (
        {"keys": list, "count": int, "prefix": str, "title": str, "columns": int,
         "skip_empty_filed": bool},
        {"keys"},
    ),
    "decision": (
        {"title": str, "setuju": str, "kembalikan": str, "keputusan": str, "catatan": str,
         "nama": str, "nip": str},
        set(),
    ),
    "signature": ({"parties": list, "place_date": str, "space": _NUM}, {"parties"}),
    "qr": ({"text": str, "size": _NUM, "caption": str, "align": str}, {"text"}),
    "spacer": ({"height": _NUM}, set()),
    "rule": ({}, set()),
    "pagebreak": ({}, set()),
}

# list items of some block types: key -> (allowed keys with types, required keys)
_ITEMS: dict[tuple[str, str], tuple[dict[str, Any], set[str]]] = {
    ("checklist", "items"): ({"field": str, "label": str, "hint": str}, {"field", "label"}),
    ("inputs", "items"): (
        {"field": str, "label": str, "kind": str, "lines": int, "hint": str, "span": int,
         "maxlen": int, "options": (str, list)},
        {"field", "label"},
    ),
    ("members", "keys"): (
        {"key": str, "label": str, "kind": str, "hint": str, "span": int, "maxlen": int,
         "options": (str, list)},
        {"key", "label"},
    ),
    ("table", "columns"): (
        {"title": str, "key": str, "width": _NUM, "align": str}, {"title", "key"},
    ),
    ("signature", "parties"): (
        {"label": str, "role": str, "name": str, "nip": str, "mark": str, "when": str,
         "unless": str, "mode": str},
        {"name"},
    ),
    ("rows", "rows"): ({"label": str, "value": str, "when": str, "unless": str},
                       {"label", "value"}),
}

_TOP: dict[str, Any] = {
    "document": str, "size": str, "orientation": str, "decision": bool,
    "kop": (bool, dict), "footer": str, "blocks": list,
}
_KOP: dict[str, Any] = {"lines": list, "alamat": str, "logo": str}
PAGE_SIZES = {"A4": (595.2756, 841.8898), "A5": (419.5276, 595.2756), "F4": (609.4488, 935.433)}

Block = dict[str, Any]


@dataclass(frozen=True)
class Layout:
    """A loaded, checked layout."""

    name: str
    path: Path
    size: str = "A4"
    orientation: str = "portrait"
    decision: bool = True
    kop: Mapping[str, Any] | None = None
    document: str = ""
    footer: str = ""
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    @property
    def pagesize(self) -> tuple[float, float]:
        w, h = PAGE_SIZES[self.size]
        return (h, w) if self.orientation == "landscape" else (w, h)

    def where(self, index: int | None = None, extra: str = "") -> str:
        """Where in the layout a problem is, for error messages."""
        at = f"layout '{self.name}' ({self.path})"
        if index is not None:
            at += f", blocks[{index}] ({self.blocks[index]['type']})"
        return at + (f", {extra}" if extra else "")

    def field_names(self) -> list[str]:
        """Every form field a form of this layout can have, in order of appearance."""
        names = list(COMMON_FIELDS)
        for block in self.blocks:
            kind = block["type"]
            if kind in ("checklist", "inputs"):  # a checklist's `source` is known when drawn
                names += [item["field"] for item in block.get("items", [])]
            elif kind == "members":
                prefix = block.get("prefix", "a")
                for n in range(1, block.get("count", 10) + 1):
                    names += [f"{prefix}{n}_{key['key']}" for key in block["keys"]]
            elif kind == "decision":
                names += list(DECISION_FIELDS)
        return names


def layout_dirs(home: Path | None = None) -> list[Path]:
    """The usual search path: the office's own layouts first, then the built-in ones."""
    dirs = [home / "layouts"] if home is not None else []
    return [*dirs, BUILTIN_LAYOUTS]


def find_layout(name: str, dirs: Sequence[Path]) -> Path:
    if not _NAME.match(name):
        raise LayoutError(f"bad layout name {name!r}: use lower-case letters, digits, _ and -")
    for folder in dirs:
        candidate = Path(folder) / f"{name}.toml"
        if candidate.is_file():
            return candidate
    searched = ", ".join(str(d) for d in dirs) or "(no folders)"
    raise LayoutError(f"layout '{name}' not found: no {name}.toml in {searched}")


def load_layout(name: str, dirs: Sequence[Path]) -> Layout:
    """Find *name* in *dirs* (first match wins), parse and check it."""
    path = find_layout(name, dirs)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"{path}: not valid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise LayoutError(f"{path}: cannot read: {exc}") from exc
    return _parse(name, path, raw)


# --------------------------------------------------------------------------- checking


def _check_keys(where: str, table: Mapping[str, Any], allowed: Mapping[str, Any],
                required: Iterable[str]) -> None:
    for key, value in table.items():
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise LayoutError(f"{where}: unknown key '{key}' (known: {known})")
        want = allowed[key]
        if isinstance(value, bool) and want in (int, _NUM):
            raise LayoutError(f"{where}: key '{key}' must be a number, not {value!r}")
        if not isinstance(value, want):
            names = "/".join(t.__name__ for t in (want if isinstance(want, tuple) else (want,)))
            raise LayoutError(f"{where}: key '{key}' must be {names}, not {value!r}")
        if key in _CHOICES and value not in _CHOICES[key]:
            raise LayoutError(
                f"{where}: key '{key}' is {value!r}; choose one of {', '.join(_CHOICES[key])}"
            )
        if isinstance(value, str) and key not in ("type", "when", "unless", "mode", "key",
                                                  "field", "source", "prefix"):
            _check_template(where, key, value)
    for key in required:
        if key not in table:
            raise LayoutError(f"{where}: missing key '{key}'")


def _check_choice(where: str, item: Mapping[str, Any]) -> None:
    """A choice list (kind = "choice") names its values: options = "agama" (a value list
    of pipeline/data, see refdata.LIST_NAMES) or options = ["YA", "TIDAK"]."""
    options = item.get("options")
    if item.get("kind") != "choice":
        if options is not None:
            raise LayoutError(f"{where}: key 'options' is only for kind = \"choice\"")
        return
    if options is None:
        raise LayoutError(f"{where}: kind = \"choice\" needs key 'options'")
    if isinstance(options, str) and options not in refdata.LIST_NAMES:
        raise LayoutError(f"{where}: key 'options' is {options!r}; name a value list: "
                          f"{', '.join(refdata.LIST_NAMES)}, or give the values as a list")
    if isinstance(options, list) and not (
            options and all(isinstance(o, str) and o.strip() for o in options)):
        raise LayoutError(f"{where}: key 'options' must list the choices as text")


def choice_options(options: str | Sequence[str]) -> tuple[str, ...]:
    """The values of a checked ``options`` key: a value list's, or the ones given."""
    return refdata.value_list(options) if isinstance(options, str) else tuple(options)


def _check_template(where: str, key: str, text: str) -> None:
    try:
        for _literal, name, _spec, _conv in string.Formatter().parse(text):
            if name is not None and not name.strip():
                raise LayoutError(f"{where}: key '{key}': empty placeholder {{}} in {text!r}")
    except ValueError as exc:
        raise LayoutError(f"{where}: key '{key}': bad placeholder in {text!r}: {exc}") from exc


def _parse(name: str, path: Path, raw: Mapping[str, Any]) -> Layout:
    _check_keys(str(path), raw, _TOP, ["blocks"])
    size = raw.get("size", "A4")
    if size not in PAGE_SIZES:
        raise LayoutError(f"{path}: key 'size' is {size!r}; choose one of {', '.join(PAGE_SIZES)}")
    orientation = raw.get("orientation", "portrait")
    if orientation not in ("portrait", "landscape"):
        raise LayoutError(f"{path}: key 'orientation' must be 'portrait' or 'landscape'")
    kop = _parse_kop(path, raw.get("kop", True))
    blocks: list[Block] = []
    for i, block in enumerate(raw["blocks"]):
        where = f"{path}: blocks[{i}]"
        if not isinstance(block, dict):
            raise LayoutError(f"{where}: each block must be a table ([[blocks]])")
        kind = block.get("type")
        if kind not in _BLOCKS:
            raise LayoutError(
                f"{where}: key 'type' is {kind!r}; choose one of {', '.join(_BLOCKS)}"
            )
        allowed, required = _BLOCKS[kind]
        where = f"{where} ({kind})"
        _check_keys(where, block, {**_COMMON, **allowed}, required)
        if kind == "checklist" and ("items" in block) == ("source" in block):
            raise LayoutError(f"{where}: give its lines as 'items' or name them with "
                              f"'source', one of the two")
        for (btype, key), (iallowed, irequired) in _ITEMS.items():
            if btype == kind and key in block:
                for j, item in enumerate(block[key]):
                    iwhere = f"{where}, {key}[{j}]"
                    if kind == "rows" and isinstance(item, list):
                        if len(item) != 2 or not all(isinstance(x, str) for x in item):
                            raise LayoutError(f"{iwhere}: a row is [\"label\", \"value\"]")
                        continue
                    if not isinstance(item, dict):
                        raise LayoutError(f"{iwhere}: must be a table {{ ... }}")
                    _check_keys(iwhere, item, iallowed, irequired)
                    _check_choice(iwhere, item)
        if "width" in block and not 0.2 <= block["width"] <= 1:
            raise LayoutError(f"{where}: key 'width' is a fraction of the text width, "
                              f"from 0.2 to 1, not {block['width']!r}")
        if "max_lines" in block and block["max_lines"] < 1:
            raise LayoutError(f"{where}: key 'max_lines' must be 1 or more")
        if kind == "rows" and "rows" not in block and "source" not in block:
            raise LayoutError(f"{where}: give 'rows' or 'source'")
        blocks.append(dict(block))
    decision = raw.get("decision", True)
    has_decision = any(b["type"] == "decision" for b in blocks)
    if has_decision and not decision:
        raise LayoutError(f"{path}: has a decision block but says decision = false")
    if decision and not has_decision:
        blocks.append({"type": "decision"})
    layout = Layout(
        name=name, path=path, size=size, orientation=orientation, decision=decision, kop=kop,
        document=raw.get("document", ""), footer=raw.get("footer", ""), blocks=tuple(blocks),
    )
    _check_fields(layout)
    return layout


def _parse_kop(path: Path, kop: bool | Mapping[str, Any]) -> Mapping[str, Any] | None:
    if kop is False:
        return None
    table: dict[str, Any] = {
        "lines": ["{office.pemerintah}", "{office.dinas}"],
        "alamat": "{office.alamat}",
    }
    if isinstance(kop, Mapping):
        _check_keys(f"{path}: kop", kop, _KOP, [])
        table.update(kop)
        if not all(isinstance(x, str) for x in table["lines"]):
            raise LayoutError(f"{path}: kop: 'lines' must be a list of strings")
        if "logo" in kop:
            logo = (path.parent / kop["logo"]).resolve()
            if not logo.is_file():
                raise LayoutError(f"{path}: kop: key 'logo': no file {logo}")
            table["logo"] = logo
    return table


def _check_fields(layout: Layout) -> None:
    seen: set[str] = set()
    for name in layout.field_names():
        if not _FIELD.match(name):
            raise LayoutError(f"{layout.where()}: bad field name {name!r}")
        if name in seen:
            raise LayoutError(f"{layout.where()}: field '{name}' appears twice")
        seen.add(name)


# --------------------------------------------------------------------------- values


def capped(text: str, limit: int = FREE_TEXT_LIMIT) -> str:
    """*text*, or its first *limit* characters and a mark that it was cut."""
    if len(text) <= limit:
        return text
    length = f"{len(text):,}".replace(",", ".")  # 1.048.576, as Indonesian writes it
    return f"{text[:limit].rstrip()}… [dipotong; teks aslinya {length} karakter]"


def format_datetime(moment: dt.datetime) -> str:
    """``23 November 2026 pukul 14.05 WITA``, in the moment's own (office) zone."""
    zone = clock.zone_name(moment)
    text = f"{clock.long_date(moment.date())} pukul {moment:%H.%M}"
    return f"{text} {zone}" if zone else text


def display(value: Any) -> str:
    """How a data value is written in a document."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # in capitals, as the value lists' YA / TIDAK print
        return "YA" if value else "TIDAK"
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return clock.long_date(value)
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(display(v) for v in value)
    return str(value)


_ABSENT = object()


def lookup(data: Mapping[str, Any], key: str, default: Any = _ABSENT) -> Any:
    """``data["office"]["dinas"]`` for the key ``office.dinas``."""
    value: Any = data
    for part in key.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        else:
            if default is _ABSENT:
                raise KeyError(key)
            return default
    return value


def condition(data: Mapping[str, Any], block: Mapping[str, Any], mode: str) -> bool:
    """Whether a block (or row) is shown: its ``mode``, ``when`` and ``unless``."""
    if "mode" in block and block["mode"] != mode:
        return False
    if "when" in block and not lookup(data, block["when"], None):
        return False
    return not ("unless" in block and lookup(data, block["unless"], None))


class _Formatter(string.Formatter):
    def __init__(self, where: str) -> None:
        self.where = where

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]
                  ) -> tuple[Any, str]:
        try:
            value = lookup(kwargs, field_name)
        except KeyError:
            value = None
        if value is None:
            raise MissingValueError(
                f"{self.where}: the data has no value for {{{field_name}}}", field_name
            )
        return value, field_name

    def format_field(self, value: Any, format_spec: str) -> str:
        if not format_spec:
            return capped(display(value))
        try:
            return format(value, format_spec)
        except (ValueError, TypeError) as exc:
            raise LayoutError(f"{self.where}: cannot format {value!r} as '{format_spec}': {exc}"
                              ) from exc


def fill(template: str, data: Mapping[str, Any], where: str) -> str:
    """*template* with its ``{placeholders}`` filled from *data* (dotted keys allowed)."""
    if "{" not in template and "}" not in template:
        return template
    try:
        return _Formatter(where).vformat(template, (), data)
    except (IndexError, ValueError) as exc:
        raise LayoutError(f"{where}: bad placeholder in {template!r}: {exc}") from exc
