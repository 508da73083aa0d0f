"""Read a saved desk form back: its field values, normalised.

A form comes back from Adobe Reader, Foxit, Okular, a browser or pypdf, often saved
as an incremental update. pypdf resolves the newest revision; this module walks the
field tree itself (values and types are inherited from parent fields) and also picks up
widgets a careless writer left out of ``/AcroForm /Fields``.

Normalised values: a checkbox gives ``"ya"`` or ``"tidak"``; a radio group the chosen
export value without its slash (``"setuju"``) or ``""``; a text or choice field its
stripped text; anything missing or empty ``""`` (also for names the form does not have).
"""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from pipeline.errors import KkwnaError
from pipeline.fsutil import UntrustedFile, read_untrusted

RADIO = 1 << 15
PUSHBUTTON = 1 << 16
MAX_DEPTH = 32
# A desk form is a page or two of fields, with a draft KK attached at most; anything
# far larger is not one of ours and is not read into memory.
MAX_FORM_BYTES = 64 << 20

logging.getLogger("pypdf").setLevel(logging.ERROR)


class FormUnreadable(KkwnaError):
    """The file is not a readable PDF form (message in Indonesian, for the desk)."""


class Fields(dict[str, str]):
    """Field values by name; a name the form does not have reads as ``""``."""

    def __missing__(self, key: str) -> str:
        return ""

    def get(self, key: str, default: Any = "") -> Any:
        return super().get(key, default)


def _resolve(obj: Any) -> Any:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _text(value: Any) -> str:
    value = _resolve(value)
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if isinstance(value, list | ArrayObject):
        return ", ".join(_text(v) for v in value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _state(value: Any) -> str:
    """A name object like /Yes as plain text ("Yes"); /Off and nothing as ""."""
    value = _resolve(value)
    if value is None:
        return ""
    text = str(value)
    text = text[1:] if text.startswith("/") else text
    return "" if text in ("Off", "") else text


def _inherited(field: DictionaryObject, key: str) -> Any:
    node: Any = field
    for _ in range(MAX_DEPTH):
        if node is None:
            return None
        if key in node:
            return node[key]
        node = _resolve(node.get("/Parent"))
    return None


def _name(field: DictionaryObject) -> str:
    parts = []
    node: Any = field
    for _ in range(MAX_DEPTH):
        if node is None:
            break
        if "/T" in node:
            parts.append(str(node["/T"]))
        node = _resolve(node.get("/Parent"))
    return ".".join(reversed(parts))


def _kids(field: DictionaryObject) -> list[DictionaryObject]:
    return [_resolve(k) for k in (_resolve(field.get("/Kids")) or [])]


def _button(field: DictionaryObject) -> str:
    """The chosen on-state of a checkbox or radio group ("" when off)."""
    flags = int(_inherited(field, "/Ff") or 0)
    value = _state(field.get("/V"))
    if not value:  # some writers only set the widget's appearance state
        widgets = [field, *_kids(field)]
        for w in widgets:
            if "/AS" in w and _state(w["/AS"]):
                value = _state(w["/AS"])
                break
    opts = _resolve(_inherited(field, "/Opt"))
    if value.isdigit() and isinstance(opts, list | ArrayObject) and int(value) < len(opts):
        value = _text(opts[int(value)])  # on-states named by index: the export value
    if flags & RADIO:
        return value
    return "ya" if value else "tidak"


def _value(field: DictionaryObject) -> str | None:
    kind = _inherited(field, "/FT")
    flags = int(_inherited(field, "/Ff") or 0)
    if kind == "/Btn":
        if flags & PUSHBUTTON:
            return None
        return _button(field)
    if kind == "/Sig":
        return None
    value = field.get("/V")
    if value is None:  # a value stored on a lone widget kid
        for kid in _kids(field):
            if "/V" in kid:
                value = kid["/V"]
                break
    text = _text(value)
    if kind == "/Ch" and not text:  # some readers store only the chosen option's index
        text = _chosen_by_index(field)
    return text


def _chosen_by_index(field: DictionaryObject) -> str:
    """A choice field's value from its /I (selected indexes) and /Opt (the options)."""
    chosen = _resolve(field.get("/I"))
    opts = _resolve(_inherited(field, "/Opt"))
    if not isinstance(chosen, list | ArrayObject) or not chosen:
        return ""
    if not isinstance(opts, list | ArrayObject):
        return ""
    try:
        option = _resolve(opts[int(_resolve(chosen[0]))])
    except (IndexError, TypeError, ValueError):
        return ""
    if isinstance(option, list | ArrayObject) and option:  # [export value, shown text]
        option = option[0]
    return _text(option)


def _collect(field: DictionaryObject, out: dict[str, str], seen: set[int], depth: int = 0
             ) -> None:
    if depth > MAX_DEPTH or id(field) in seen:
        return
    seen.add(id(field))
    kids = _kids(field)
    named_kids = [k for k in kids if isinstance(k, DictionaryObject) and "/T" in k]
    if named_kids:
        for kid in named_kids:
            _collect(kid, out, seen, depth + 1)
        if len(named_kids) == len(kids):
            return
    if "/T" not in field and "/Parent" not in field:
        return
    name = _name(field)
    value = _value(field)
    if name and value is not None and not (name in out and out[name] and not value):
        out[name] = value


def read_form(path: Path, max_bytes: int = MAX_FORM_BYTES) -> tuple[Fields, str]:
    """The form saved at *path* and the SHA-256 (hex) of exactly the bytes that were read.

    The file is read once, through `fsutil.read_untrusted`: a link (even to a real form
    elsewhere), a FIFO, a device or a file over *max_bytes* is refused with
    FormUnreadable and never read.
    """
    path = Path(path)
    try:
        data = read_untrusted(path, max_bytes)
    except UntrustedFile as exc:
        raise FormUnreadable(f"Berkas {path.name} tidak dibaca: {exc.reason_id}.") from exc
    except OSError as exc:
        raise FormUnreadable(f"Berkas tidak dapat dibuka: {path.name}") from exc
    return parse_fields(data), hashlib.sha256(data).hexdigest()


def read_fields(path: Path, max_bytes: int = MAX_FORM_BYTES) -> Fields:
    """The values of the form saved at *path*, normalised (see the module docstring);
    read as `read_form` reads it."""
    return read_form(path, max_bytes)[0]


def parse_fields(data: bytes) -> Fields:
    """The values of the form in *data* (a whole PDF file), normalised."""
    if b"%PDF-" not in data[:1024]:
        raise FormUnreadable("Berkas ini bukan PDF.")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise FormUnreadable("PDF ini dikunci dengan kata sandi; simpan tanpa kata sandi.")
        root = _resolve(reader.trailer["/Root"])
        if not isinstance(root, DictionaryObject):
            raise FormUnreadable("PDF rusak: katalog dokumen tidak ada.")
        out: dict[str, str] = {}
        seen: set[int] = set()
        acro = _resolve(root.get("/AcroForm"))
        if isinstance(acro, DictionaryObject):
            for ref in _resolve(acro.get("/Fields")) or []:
                field = _resolve(ref)
                if isinstance(field, DictionaryObject):
                    _collect(field, out, seen)
        for page in reader.pages:  # widgets missing from /Fields
            for ref in _resolve(page.get("/Annots")) or []:
                annot = _resolve(ref)
                if not isinstance(annot, DictionaryObject):
                    continue
                if annot.get("/Subtype") != NameObject("/Widget"):
                    continue
                top = annot
                while "/T" not in top and isinstance(_resolve(top.get("/Parent")),
                                                     DictionaryObject):
                    top = _resolve(top["/Parent"])
                if "/T" in top and _name(top) not in out:
                    _collect(top, out, seen)
    except FormUnreadable:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError,
            RecursionError) as exc:
        raise FormUnreadable(f"PDF rusak atau tidak dapat dibaca: {exc}") from exc
    if not out:
        raise FormUnreadable("PDF ini tidak berisi isian formulir.")
    return Fields(out)
