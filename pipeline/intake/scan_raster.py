"""Pages of a PDF that cannot be archival, found and rendered as images.

An application form saved by a word processor usually uses the standard fonts (Helvetica,
Times ...) without embedding them, and a scanner's searchable PDF often writes its OCR
text in an unembedded font; PDF/A forbids both. Rather than refuse such a file (the
front office cannot "save it as PDF/A"), `pipeline.intake.scans` keeps the original byte for
byte and puts these pages into the bundle as pictures: `render_page` draws one page at
`DPI` with pdfium (which carries its own copies of the standard fonts) and writes it as
a one-page PDF of its own, the same visible size, so that the merge reads it from disk
like any other page. One page is rendered at a time, so memory stays at one bitmap.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
from PIL import Image, ImageChops

DPI = 300.0
MIN_DPI = 72.0  # a page so large that 300 dpi would break the pixel limit goes down to this
MAX_PIXELS = 25_000_000  # per rendered page (A3 at 300 dpi is 17.4 million): bounds memory
JPEG_QUALITY = 90
_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


# ---------------------------------------------------------------- the report


@dataclass(frozen=True)
class BundleReport:
    """What `bundle` did: the bundle's page count, and the pages put in as pictures.

    rasterised holds, per source file (its name) with such pages, their page numbers
    (1-based, in that file) in order; dpi the lowest resolution used for them.
    """

    pages: int
    rasterised: list[tuple[str, list[int]]] = field(default_factory=list)
    dpi: float = DPI

    def history_note(self) -> str:
        """One Indonesian sentence for the case history ("" when nothing was rendered)."""
        if not self.rasterised:
            return ""
        parts = [f"halaman {_number_list(pages)} berkas {name}" for name, pages in self.rasterised]
        return (
            f"{_join_id(parts).capitalize()} memakai huruf yang tidak tertanam, sehingga di "
            f"berkas permohonan disimpan sebagai gambar {self.dpi:.0f} dpi; berkas aslinya "
            "disimpan utuh tanpa perubahan."
        )


def _join_id(items: Sequence[str]) -> str:
    """Indonesian list: "a", "a dan b", "a, b dan c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} dan {items[-1]}"


def _number_list(numbers: Sequence[int]) -> str:
    """Page numbers with runs shortened: 1, 2, 3, 5 -> "1-3 dan 5"."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return _join_id([str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs])


# ---------------------------------------------------------------- finding the pages


def _font_embedded(font: pikepdf.Object) -> bool:
    """Whether a font dictionary carries its program (Type 3 fonts are drawings: fine)."""
    if not isinstance(font, pikepdf.Dictionary):
        return True
    if font.get("/Subtype") == pikepdf.Name.Type3:
        return True
    descendants = font.get("/DescendantFonts")
    if isinstance(descendants, pikepdf.Array):
        return all(_font_embedded(d) for d in descendants)
    descriptor = font.get("/FontDescriptor")
    return isinstance(descriptor, pikepdf.Dictionary) and any(
        key in descriptor for key in _FONT_FILES
    )


def _resources_of(holder: pikepdf.Object) -> list[pikepdf.Dictionary]:
    """The resource dictionaries a page or form uses, its forms' and patterns' included."""
    found: list[pikepdf.Dictionary] = []
    seen: set[tuple[int, int]] = set()
    todo = [holder]
    while todo:
        node = todo.pop()
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        resources = node.get("/Resources")
        if not isinstance(resources, pikepdf.Dictionary):
            continue
        found.append(resources)
        for kind in ("/XObject", "/Pattern"):
            group = resources.get(kind)
            if isinstance(group, pikepdf.Dictionary):
                todo.extend(v for v in group.values() if isinstance(v, pikepdf.Stream))
    return found


def _appearances(page: pikepdf.Page) -> list[pikepdf.Object]:
    """The appearance streams of the page's annotations (what a viewer draws for them)."""
    streams: list[pikepdf.Object] = []
    annots = page.obj.get("/Annots")
    for annot in annots if isinstance(annots, pikepdf.Array) else []:
        ap = annot.get("/AP") if isinstance(annot, pikepdf.Dictionary) else None
        if not isinstance(ap, pikepdf.Dictionary):
            continue
        for state in ap.values():
            if isinstance(state, pikepdf.Stream):
                streams.append(state)
            elif isinstance(state, pikepdf.Dictionary):
                streams.extend(s for s in state.values() if isinstance(s, pikepdf.Stream))
    return streams


def has_unembedded_font(page: pikepdf.Page) -> bool:
    """Whether the page (its forms, patterns and annotations too) names a font not embedded.

    Call it after unused resources have been removed, or a font listed but never used
    counts too.
    """
    holders: list[pikepdf.Object] = [page.obj, *_appearances(page)]
    for holder in holders:
        for resources in _resources_of(holder):
            fonts = resources.get("/Font")
            if isinstance(fonts, pikepdf.Dictionary) and not all(
                _font_embedded(f) for f in fonts.values()
            ):
                return True
    return False


# ---------------------------------------------------------------- rendering


def _dpi_within(width_pt: float, height_pt: float, max_pixels: int) -> float:
    """DPI, or less if the page at DPI would have more than *max_pixels* (or MAX_PIXELS)."""
    max_pixels = min(max_pixels, MAX_PIXELS)
    at_dpi = (width_pt * DPI / 72) * (height_pt * DPI / 72)
    if at_dpi <= max_pixels:
        return DPI
    # a little under the exact figure: the renderer rounds each side up to whole pixels
    return max(MIN_DPI, 0.995 * DPI * math.sqrt(max_pixels / at_dpi))


def _is_gray(image: Image.Image) -> bool:
    red, green, blue = image.split()
    return (
        ImageChops.difference(red, green).getbbox() is None
        and ImageChops.difference(green, blue).getbbox() is None
    )


def _image_stream(pdf: pikepdf.Pdf, image: Image.Image) -> pikepdf.Stream:
    """A gray page losslessly (Flate: text stays sharp), a coloured one as a JPEG."""
    if _is_gray(image):
        gray = image.convert("L")
        stream = pdf.make_stream(gray.tobytes())  # pikepdf compresses it with Flate on save
        colour_space = pikepdf.Name.DeviceGray
        filters: pikepdf.Object | None = None
    else:
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True)
        stream = pikepdf.Stream(pdf, buf.getvalue())
        colour_space = pikepdf.Name.DeviceRGB
        filters = pikepdf.Name.DCTDecode
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Image
    stream.Width, stream.Height = image.size
    stream.ColorSpace = colour_space
    stream.BitsPerComponent = 8
    if filters is not None:
        stream.Filter = filters
    return stream


def render_page(source: pdfium.PdfDocument, index: int, out: Path, max_pixels: int) -> float:
    """Render page *index* (0-based) of *source* into a one-page PDF at *out*.

    The new page has the size the original shows (its crop box, turned by its /Rotate)
    and nothing on it but the picture. Returns the resolution used, in dpi.
    """
    page = source[index]
    try:
        width, height = page.get_size()  # after the crop box and rotation
        dpi = _dpi_within(width, height, max_pixels)
        bitmap = page.render(scale=dpi / 72)  # annotations drawn: a filled form keeps its values
        try:
            image = bitmap.to_pil().convert("RGB")
        finally:
            bitmap.close()
    finally:
        page.close()
    with pikepdf.new() as pdf:
        picture = _image_stream(pdf, image)
        del image
        content = f"q {width:.4f} 0 0 {height:.4f} 0 0 cm /Im0 Do Q".encode()
        pdf.pages.append(
            pikepdf.Page(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Page,
                    MediaBox=[0, 0, width, height],
                    Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=picture)),
                    Contents=pdf.make_stream(content),
                )
            )
        )
        pdf.save(out)
    return dpi
