"""QR codes drawn as vector squares: no raster, no font, nothing a PDF/A validator minds.

Always a standard QR code (never a Micro QR, which segno would choose for a short text
and which many phone readers ignore) with the standard quiet zone of 4 modules.
"""

from __future__ import annotations

from functools import lru_cache

import segno
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4  # modules of white around the code, as the QR standard requires
ERROR_LEVEL = "m"  # 15 % of the code may be smudged or folded away
MM = 72 / 25.4  # points per millimetre
# The printed module phones need: OpenCV's and zbar's decoders, on a photo taken at 100 dpi,
# 1 px blurred and a little askew, read a 1 mm module 10 times in 10 and a 0.7 mm one
# about 3 times (bench/qr_readability.py); the QR standard's own floor is far lower.
MODULE_MM = 1.0
MIN_MODULE_MM = 0.5  # never print smaller, where the room for a code is fixed


@lru_cache(maxsize=512)
def make(text: str) -> segno.QRCode:
    """The standard QR code of *text* (error level M, or higher where it costs no room).

    Remembered: a form draws its case id's code on every page and asks its size several
    times, and segno's mask search is most of a page's drawing time; the watcher is a
    long process, so a case's code is encoded once for all its documents. Callers only
    read the code (its matrix and size)."""
    return segno.make(text, error=ERROR_LEVEL, micro=False)


def modules(text: str) -> int:
    """How many modules wide the code of *text* is, quiet zone included."""
    width, _ = make(text).symbol_size(border=QUIET_ZONE)
    return int(width)


def side(text: str, module_mm: float = MODULE_MM) -> float:
    """The width in points, quiet zone included, of the code of *text* drawn with
    modules of *module_mm* millimetres (the version segno picks decides the count)."""
    return modules(text) * module_mm * MM


def module_mm(text: str, size: float) -> float:
    """The printed module, in millimetres, of the code of *text* drawn *size* points wide."""
    return size / modules(text) / MM


def draw_qr(c: Canvas, text: str, x: float, y: float, size: float) -> None:
    """Draw a QR code of *text* with its lower-left corner at (x, y), *size* points wide.

    *size* includes the quiet zone, which is painted white.
    """
    matrix = make(text).matrix
    n = len(matrix)
    module = size / (n + 2 * QUIET_ZONE)
    c.saveState()
    c.setFillColorRGB(1, 1, 1)
    c.rect(x, y, size, size, stroke=0, fill=1)
    path = c.beginPath()
    for row, bits in enumerate(matrix):
        for col, dark in enumerate(bits):
            if dark:
                path.rect(
                    x + (col + QUIET_ZONE) * module,
                    y + size - (row + QUIET_ZONE + 1) * module,
                    module,
                    module,
                )
    c.setFillColorRGB(0, 0, 0)
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()
