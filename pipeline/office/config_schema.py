"""The one loader of kkwna.toml: a table of the file becomes a frozen dataclass of settings.

The dataclass IS the schema: each field's type annotation says what TOML value it takes,
its default whether the key may be left out, and `key(...)` in its metadata the TOML name
when it differs from the field's, the allowed choices, bounds, a conversion and a check.
Every problem is collected as one Indonesian line naming the table and the key
("kkwna.toml [office] kode_wilayah: harus teks, bukan 12") and all of them are reported
together, so the office fixes the file in one go.

Chosen over pydantic and msgspec (README, "Settings"): the settings were dataclasses
already, the messages must be Indonesian and name the key as the office sees it (a
library's English errors would be translated by pattern), and startup stays light: this
module imports only the standard library (pydantic or msgspec would add a compiled
dependency and its import to every command, for a file read once per command).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, time
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, TypeVar

from pipeline.domain.errors import ConfigError

FILENAME = "kkwna.toml"
T = TypeVar("T")
MISSING = dataclasses.MISSING


def key(toml: str | None = None, *, choices: Sequence[Any] = (), minimum: float | None = None,
        maximum: float | None = None, convert: Callable[[Any], Any] | None = None,
        check: Callable[[Any], str | None] | None = None,
        parse: Callable[[Any], Any] | None = None, skip: bool = False) -> dict[str, Any]:
    """A field's metadata: *toml* its key when not the field's name; *choices*, *minimum*
    and *maximum* limit the value; *convert* runs on the checked value (strip, upper ...);
    *check* returns a problem in Indonesian or None; *parse* reads the TOML value in place
    of the type's own check (raising `Invalid`); *skip*: not read from the file."""
    return {"kkwna": {"toml": toml, "choices": tuple(choices), "minimum": minimum,
                      "maximum": maximum, "convert": convert, "check": check,
                      "parse": parse, "skip": skip}}


class Problems:
    """The problems found so far, one line each."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, where: str, name: str | None, text: str) -> None:
        self.lines.append(f"{FILENAME} {where}{f' {name}' if name else ''}: {text}")

    def raise_any(self) -> None:
        if self.lines:
            raise ConfigError("\n".join(self.lines))


class Invalid(Exception):
    """One value's problem in Indonesian, raised by the type checks or a field's *parse*
    and caught per key."""


def _hints(cls: type[Any]) -> dict[str, Any]:
    cached: dict[str, Any] | None = cls.__dict__.get("_kkwna_hints")
    if cached is None:
        cached = typing.get_type_hints(cls)
        setattr(cls, "_kkwna_hints", cached)  # noqa: B010 (a frozen class: no attribute syntax)
    return cached


def _shown(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _text(value: Any, required: bool) -> str:
    if not isinstance(value, str):
        raise Invalid(f"harus teks, bukan {_shown(value)}")
    if required and not value.strip():
        raise Invalid("tidak boleh kosong")
    return value.strip()


def _number(kind: type[Any], value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            kind is int and not isinstance(value, int)):
        raise Invalid(f"harus {'bilangan bulat' if kind is int else 'angka'}, "
                   f"bukan {_shown(value)}")
    return kind(value)


def _clock(value: Any) -> time:
    text = value if isinstance(value, str) else ""
    parts = text.split(":")
    if len(parts) != 2 or not all(len(p) == 2 and p.isdigit() for p in parts) \
            or int(parts[0]) > 23 or int(parts[1]) > 59:
        raise Invalid(f"harus jam JJ:MM seperti \"08:00\", bukan {_shown(value)}")
    return time(int(parts[0]), int(parts[1]))


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else date.fromisoformat("")
    except ValueError:
        raise Invalid(f"harus tanggal YYYY-MM-DD, bukan {_shown(value)}") from None


def _value(hint: Any, value: Any, required: bool, where: str, problems: Problems,
           name: str = "") -> Any:
    """*value* (of the key *name* at *where*) as the type *hint* says, or Invalid."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (UnionType, typing.Union) and NoneType in args:  # Path | None, int | None
        inner = next(a for a in args if a is not NoneType)
        if value == "" or value is None:
            return None
        return _value(inner, value, required, where, problems, name)
    if origin is tuple:  # tuple[X, ...]: a TOML array
        if not isinstance(value, list):
            raise Invalid(f"harus daftar [...], bukan {_shown(value)}")
        if isinstance(args[0], type) and dataclasses.is_dataclass(args[0]):
            array = f"[[{where.strip('[]')}.{name}]]"  # [tte] plt: [[tte.plt]]
            return tuple(read(args[0], v, f"{array} ke-{i + 1}", problems)
                         for i, v in enumerate(value))
        # an empty entry ("") is no entry, as an empty path elsewhere means "not set"
        return tuple(_value(args[0], v, True, where, problems) for v in value
                     if not (isinstance(v, str) and not v.strip()))
    if hint is str:
        return _text(value, required)
    if hint is Path:
        return Path(_text(value, required))
    if hint is bool:
        if not isinstance(value, bool):
            raise Invalid(f"harus true atau false, bukan {_shown(value)}")
        return value
    if hint in (int, float):
        return _number(hint, value)
    if hint is time:
        return _clock(value)
    if hint is date:
        return _date(value)
    if hint is Any:
        return value
    raise TypeError(f"{hint!r}: not a type kkwna.toml holds")  # a schema bug, not the file's


def read(cls: type[T], raw: Any, where: str, problems: Problems, *,
         given: Mapping[str, Any] | None = None, defaults: Mapping[str, Any] | None = None,
         others: Sequence[type[Any]] | None = ()) -> T:
    """The table *raw* (at *where*, e.g. "[office]") as a *cls*; its problems added to
    *problems*. *given*: fields not read from the file; *defaults*: defaults in place of the
    class's; *others*: classes reading the same table, whose keys are not unknown here
    (the first of them reports the unknown keys, the others pass *others* = None)
    With problems, the fields that failed keep their defaults (or a placeholder) so that
    reading goes on and every problem is found."""
    if not isinstance(raw, dict):
        if others is not None:  # once per table
            problems.add(where, None, f"harus tabel, bukan {_shown(raw)}")
        raw = {}
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]  # T is a dataclass
    if others is not None:
        known = {_toml_name(f) for c in (cls, *others) for f in dataclasses.fields(c)}
        for name in raw:
            if name not in known:
                problems.add(where, str(name), "kunci tidak dikenal")
    hints, values = _hints(cls), dict(given or {})
    for f in fields:
        meta = f.metadata.get("kkwna", {})
        if f.name in values or meta.get("skip"):
            continue
        name = _toml_name(f)
        default = (defaults or {}).get(f.name, f.default if f.default is not MISSING else (
            f.default_factory() if f.default_factory is not MISSING else MISSING))
        if name not in raw:
            if default is MISSING:
                problems.add(where, name, "wajib diisi")
                values[f.name] = _placeholder(hints[f.name])
            else:
                values[f.name] = default
            continue
        try:
            value = meta["parse"](raw[name]) if meta.get("parse") else _value(
                hints[f.name], raw[name], default is MISSING, where, problems, name)
            value = _limits(value, meta)
        except Invalid as bad:
            problems.add(where, name, str(bad))
            values[f.name] = default if default is not MISSING else _placeholder(hints[f.name])
            continue
        values[f.name] = value
    made = cls(**values)
    # what one key cannot say alone (`sampai` before `mulai`): the class's own checks
    for name, text in getattr(made, "config_problems", lambda: [])():
        problems.add(where, name, text)
    return made


def _toml_name(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get("kkwna", {}).get("toml") or f.name)


def _limits(value: Any, meta: Mapping[str, Any]) -> Any:
    if meta.get("convert") is not None and value is not None:
        value = meta["convert"](value)
    choices = meta.get("choices") or ()
    for v in (value if isinstance(value, tuple) else (value,)):
        if choices and v not in choices:
            raise Invalid(f"harus salah satu dari {', '.join(map(str, choices))}, "
                       f"bukan {_shown(v)}")
    if meta.get("minimum") is not None and value < meta["minimum"]:
        raise Invalid(f"paling kecil {meta['minimum']:g}, bukan {_shown(value)}")
    if meta.get("maximum") is not None and value > meta["maximum"]:
        raise Invalid(f"paling besar {meta['maximum']:g}, bukan {_shown(value)}")
    if meta.get("check") is not None and value is not None:
        problem = meta["check"](value)
        if problem:
            raise Invalid(problem)
    return value


def _placeholder(hint: Any) -> Any:
    """A stand-in for a value that failed, so the object is built and reading goes on;
    never seen: the problems stop the program before anything uses it."""
    origin = typing.get_origin(hint)
    if origin is tuple:
        return ()
    if origin in (UnionType, typing.Union):
        return None
    return {str: "", Path: Path(), bool: False, int: 0, float: 0.0, time: time(0),
            date: date(2000, 1, 1)}.get(hint)
