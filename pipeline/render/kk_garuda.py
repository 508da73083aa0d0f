"""The Garuda Pancasila at the top left of the final KK, as the 2020 national format
prints it.

The office supplies the image (``[office] lambang_garuda`` in kkwna.toml; none is
shipped). It is laid on white paper before it is embedded: the card then holds one
opaque RGB image and no soft mask, nothing a PDF/A-2b reader could blend differently.
Without an image, or with one that cannot be read, the place is drawn as a thin frame
saying what belongs there, so a printed card shows at once that it is incomplete;
`kkwna status` says what to do (`pipeline.reports.status.emblem_line`).
"""

from __future__ import annotations

import logging

from PIL import Image, UnidentifiedImageError
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from pipeline.render import fonts
from pipeline.render.letterhead import EMBLEM_PIXELS

log = logging.getLogger(__name__)

SIDE = 50.0  # points: about 1.8 cm, between the page's top and the address lines
TOP_GAP = 8.0  # from the paper's upper edge
LEFT = 28.0  # the card's left margin (kk.MARGIN_X)
PLACE_LINES = ("tempat lambang", "Garuda", "Pancasila")


def box(page_height: float) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of the emblem's square on a page *page_height* points tall."""
    top = page_height - TOP_GAP
    return LEFT, top - SIDE, LEFT + SIDE, top


def load(path: str) -> ImageReader | None:
    """The image at *path* flattened on white, or None (logged) when it cannot be read."""
    if not path:
        return None
    try:
        with Image.open(path) as img:
            img.load()
            rgba = img.convert("RGBA")
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("Lambang Garuda %s tidak dapat dibaca (%s); KK dicetak dengan tempat "
                    "lambang yang kosong.", path, exc)
        return None
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(paper, rgba).convert("RGB")
    flat.thumbnail((EMBLEM_PIXELS, EMBLEM_PIXELS))
    return ImageReader(flat)


def draw(c: Canvas, path: str, page_height: float) -> None:
    """The emblem of *path* in its square, or the marked empty place."""
    x0, y0, x1, y1 = box(page_height)
    image = load(path)
    if image is not None:
        c.drawImage(image, x0, y0, x1 - x0, y1 - y0, preserveAspectRatio=True, anchor="c")
        return
    c.saveState()
    c.setStrokeGray(0.55)
    c.setLineWidth(0.4)
    c.rect(x0, y0, x1 - x0, y1 - y0, stroke=1, fill=0)
    c.setFillGray(0.4)
    size = 5.5
    lead = size * 1.25
    first = (y0 + y1) / 2 + lead * (len(PLACE_LINES) - 1) / 2 - size * 0.35
    for i, line in enumerate(PLACE_LINES):
        c.setFont(fonts.ITALIC, fonts.fit_size(line, fonts.ITALIC, size, x1 - x0 - 4, 3))
        c.drawCentredString((x0 + x1) / 2, first - i * lead, line)
    c.restoreState()

