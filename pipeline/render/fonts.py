"""The embedded fonts every document uses.

reportlab falls back to the unembedded standard-14 Helvetica unless told otherwise,
and PDF/A forbids unembedded fonts; so every canvas is made through `new_canvas`,
which starts on the Bitstream Vera fonts reportlab ships.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

REGULAR = "KK-Sans"
BOLD = "KK-Sans-Bold"
ITALIC = "KK-Sans-Italic"

_FILES = {REGULAR: "Vera.ttf", BOLD: "VeraBd.ttf", ITALIC: "VeraIt.ttf"}


@cache
def register() -> None:
    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, os.path.join(folder, filename)))


def new_canvas(target: Any, pagesize: tuple[float, float], title: str = "") -> canvas.Canvas:
    register()
    c = canvas.Canvas(target, pagesize=pagesize, initialFontName=REGULAR, initialFontSize=10)
    c.setTitle(title)
    c.setAuthor("kkwna")
    c.setCreator("kkwna")
    return c


def text_width(text: str, font: str, size: float) -> float:
    register()
    return float(pdfmetrics.stringWidth(text, font, size))


def fit_size(text: str, font: str, size: float, width: float, minimum: float = 4.0) -> float:
    """The largest font size <= *size* at which *text* fits in *width* points."""
    while size > minimum and text_width(text, font, size) > width:
        size -= 0.25
    return size
