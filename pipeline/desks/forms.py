"""Read a saved desk form back: its field values, normalised.

A form comes back from Adobe Reader, Foxit, Okular, a browser or pypdf, often saved
as an incremental update. qpdf (through pikepdf) resolves the newest revision, and
parses in C++ what pypdf parsed in Python (a tenth of the time for the 170-field
data-entry form); this module walks the field tree itself (values and types are
inherited from parent fields) and also picks up widgets a careless writer left out of
``/AcroForm /Fields``.

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

import pikepdf

from pipeline.domain.errors import KkwnaError
from pipeline.office.fsutil import UntrustedFile, read_untrusted

RADIO = 1 << 15
PUSHBUTTON = 1 << 16
MAX_DEPTH = 32
# A desk form is a page or two of fields, with a draft KK attached at most; anything
# far larger is not one of ours and is not read into memory.
MAX_FORM_BYTES = 64 << 20

logging.getLogger("pikepdf").setLevel(logging.ERROR)


class FormUnreadable(KkwnaError):
    """The file is not a readable PDF form (message in Indonesian, for the desk)."""


class Fields(dict[str, str]):
    """Field values by name; a name the form does not have reads as ``""``."""

    def __missing__(self, key: str) -> str:
        return ""

    def get(self, key: str, default: Any = "") -> Any:
        return super().get(key, default)


Dictionary = pikepdf.Dictionary


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, pikepdf.String):
        value = str(value)  # PDFDocEncoding or UTF-16, decoded
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if isinstance(value, list | pikepdf.Array):
        return ", ".join(_text(v) for v in value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _state(value: Any) -> str:
    """A name object like /Yes as plain text ("Yes"); /Off and nothing as ""."""
    if value is None:
        return ""
    text = str(value)
    text = text[1:] if text.startswith("/") else text
    return "" if text in ("Off", "") else text


def _key(field: Any) -> object:
    """What identifies a field object across reads: its object number (pikepdf makes a
    new Python object at each read, so id() would not do); a direct one is its own."""
    objgen = field.objgen
    return objgen if objgen != (0, 0) else object()


def _inherited(field: Dictionary, key: str) -> Any:
    node: Any = field
    for _ in range(MAX_DEPTH):
        if not isinstance(node, Dictionary):
            return None
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def _name(field: Dictionary) -> str:
    parts = []
    node: Any = field
    for _ in range(MAX_DEPTH):
        if not isinstance(node, Dictionary):
            break
        if "/T" in node:
            parts.append(str(node["/T"]))
        node = node.get("/Parent")
    return ".".join(reversed(parts))


def _kids(field: Dictionary) -> list[Dictionary]:
    kids = field.get("/Kids")
    return [k for k in kids if isinstance(k, Dictionary)] if isinstance(kids, pikepdf.Array) \
        else []


def _button(field: Dictionary) -> str:
    """The chosen on-state of a checkbox or radio group ("" when off)."""
    flags = int(_inherited(field, "/Ff") or 0)
    value = _state(field.get("/V"))
    if not value:  # some writers only set the widget's appearance state
        widgets = [field, *_kids(field)]
        for w in widgets:
            if "/AS" in w and _state(w["/AS"]):
                value = _state(w["/AS"])
                break
    opts = _inherited(field, "/Opt")
    if value.isdigit() and isinstance(opts, list | pikepdf.Array) and int(value) < len(opts):
        value = _text(opts[int(value)])  # on-states named by index: the export value
    if flags & RADIO:
        return value
    return "ya" if value else "tidak"


def _value(field: Dictionary) -> str | None:
    kind = str(_inherited(field, "/FT"))
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


def _chosen_by_index(field: Dictionary) -> str:
    """A choice field's value from its /I (selected indexes) and /Opt (the options)."""
    chosen = field.get("/I")
    opts = _inherited(field, "/Opt")
    if not isinstance(chosen, list | pikepdf.Array) or not chosen:
        return ""
    if not isinstance(opts, list | pikepdf.Array):
        return ""
    try:
        option = opts[int(chosen[0])]
    except (IndexError, TypeError, ValueError):
        return ""
    if isinstance(option, list | pikepdf.Array) and option:  # [export value, shown text]
        option = option[0]
    return _text(option)


def _collect(field: Dictionary, out: dict[str, str], seen: set[object], depth: int = 0
             ) -> None:
    key = _key(field)
    if depth > MAX_DEPTH or key in seen:
        return
    seen.add(key)
    kids = _kids(field)
    named_kids = [k for k in kids if "/T" in k]
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
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return _fields_of(pdf)
    except pikepdf.PasswordError as exc:
        raise FormUnreadable("PDF ini dikunci dengan kata sandi; simpan tanpa kata sandi."
                             ) from exc
    except FormUnreadable:
        raise
    except (pikepdf.PdfError, OSError, ValueError, KeyError, TypeError, AttributeError,
            IndexError, RecursionError) as exc:
        raise FormUnreadable(f"PDF rusak atau tidak dapat dibaca: {exc}") from exc


def _fields_of(pdf: pikepdf.Pdf) -> Fields:
    root = pdf.Root
    if not isinstance(root, Dictionary):
        raise FormUnreadable("PDF rusak: katalog dokumen tidak ada.")
    out: dict[str, str] = {}
    seen: set[object] = set()
    acro = root.get("/AcroForm")
    if isinstance(acro, Dictionary):
        fields = acro.get("/Fields")
        for field in fields if isinstance(fields, pikepdf.Array) else []:
            if isinstance(field, Dictionary):
                _collect(field, out, seen)
    for page in pdf.pages:  # widgets missing from /Fields
        annots = page.obj.get("/Annots")
        for annot in annots if isinstance(annots, pikepdf.Array) else []:
            if not isinstance(annot, Dictionary):
                continue
            if str(annot.get("/Subtype")) != "/Widget":
                continue
            top = annot
            for _ in range(MAX_DEPTH):
                parent = top.get("/Parent")
                if "/T" in top or not isinstance(parent, Dictionary):
                    break
                top = parent
            if "/T" in top and _name(top) not in out:
                _collect(top, out, seen)
    if not out:
        raise FormUnreadable("PDF ini tidak berisi isian formulir.")
    return Fields(out)
