"""Driving an office as staff do: drop scans, fill the desk forms as a PDF reader would."""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pypdf
from PIL import Image
from pypdf.generic import NameObject

from pipeline.office import config
from pipeline.office.home import Home
from pipeline.watcher import Watcher


def jpeg(path: Path, size=(850, 1100), color=(200, 200, 190), text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", size, color)
    # a comment with the text makes every scan's bytes unique
    img.save(path, "JPEG", dpi=(100, 100), quality=80, comment=f"scan {text}".encode())
    return path


def tiff(path: Path, pages=3) -> Path:
    frames = [Image.new("L", (600, 800), 255 - 40 * i) for i in range(pages)]
    frames[0].save(path, "TIFF", save_all=True, append_images=frames[1:], dpi=(100, 100))
    return path


def pdf(path: Path, pages=1) -> Path:
    from reportlab.pdfgen import canvas

    from pipeline.render import fonts
    buf = io.BytesIO()
    c = fonts.new_canvas(buf, (595, 842), "scan")
    for i in range(pages):
        c.drawString(72, 770, f"FORMULIR F-1.01 halaman {i + 1}")
        c.showPage()
    c.save()
    assert isinstance(c, canvas.Canvas)
    path.write_bytes(buf.getvalue())
    return path


def on_state(annotation) -> str:
    states = [k for k in annotation["/AP"]["/N"] if k != "/Off"]
    return states[0]


def fill(form: Path, values: dict[str, str | bool], save_as: Path | None = None) -> Path:
    """Fill *form* as a PDF reader does and save it (in place, or under another name)."""
    reader = pypdf.PdfReader(form)
    writer = pypdf.PdfWriter(clone_from=reader)
    for page in writer.pages:
        for ref in page.get("/Annots", []) or []:
            annot = ref.get_object()
            parent = annot.get("/Parent")
            name = annot.get("/T") or (parent.get_object().get("/T") if parent else None)
            if name not in values:
                continue
            value = values[name]
            kind = annot.get("/FT") or (parent.get_object().get("/FT") if parent else None)
            if kind == "/Btn" and parent is not None and "/T" not in annot:  # radio kid
                state = on_state(annot)
                chosen = state == f"/{value}"
                annot[NameObject("/AS")] = NameObject(state if chosen else "/Off")
                if chosen:
                    parent.get_object()[NameObject("/V")] = NameObject(state)
            elif kind == "/Btn":  # checkbox
                state = on_state(annot) if value in (True, "ya") else "/Off"
                annot[NameObject("/AS")] = NameObject(state)
                annot[NameObject("/V")] = NameObject(state)
            else:
                writer.update_page_form_field_values(page, {name: str(value)},
                                                     auto_regenerate=False)
    target = save_as or form
    buf = io.BytesIO()
    writer.write(buf)
    target.write_bytes(buf.getvalue())
    return target


def wait_for(predicate: Callable[[], object], timeout=30.0, what="condition") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def visible(folder: Path, pattern: str = "*.pdf") -> list[Path]:
    """What staff see: not the hidden temporary files of a write in progress."""
    return sorted(p for p in folder.glob(pattern) if not p.name.startswith("."))


def one(folder: Path, pattern: str) -> Path:
    found = visible(folder, pattern)
    assert len(found) == 1, f"expected one {pattern} in {folder}, found {found}"
    return found[0]


class Running:
    """The real watcher on a temporary home, in a thread, for the length of a `with`."""

    def __init__(self, home: Home) -> None:
        self.watcher = Watcher(home, config.load(home.root))
        self.thread = threading.Thread(target=self.watcher.run, daemon=True)

    def __enter__(self) -> Running:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.watcher.stop.set()
        self.thread.join(timeout=20)


def run_once(home: Home) -> None:
    Watcher(home, config.load(home.root), once=True).run()


def fonts_embedded(path: Path) -> bool:
    import pikepdf
    with pikepdf.open(path) as doc:
        for obj in doc.objects:
            if (isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"
                    and not any(k in obj for k in ("/FontFile", "/FontFile2", "/FontFile3"))):
                return False
            if (isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font"
                    and obj.get("/Subtype") in ("/Type1", "/TrueType")
                    and "/FontDescriptor" not in obj):
                return False
    return True


SIGNATURE_FIELD_DOCUMENTS = re.compile(r"^(07 draf TTE KK|08 kartu keluarga WNA)")


def assert_archival(folder: Path) -> list[str]:
    """Every PDF filed in a case folder is PDF/A-2b and embeds all its fonts."""
    from pipeline.render import pdfa
    checked = []
    for path in sorted(folder.glob("*.pdf")):
        report = pdfa.validate(path)
        if SIGNATURE_FIELD_DOCUMENTS.search(path.name):
            # the validator does not judge form fields ("unsupported"): the KK carrying the
            # signature field passed before the field was added; here: no violation
            assert not report.violations, f"{path.name}: {report.summary()}"
        else:
            assert report.passed, f"{path.name}: {report.summary()}"
        assert fonts_embedded(path), f"{path.name}: a font is not embedded"
        checked.append(path.name)
    return checked
