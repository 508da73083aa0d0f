"""QR codes drawn as vector squares: no raster, no font, nothing a PDF/A validator minds."""

from __future__ import annotations

import segno
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 2  # modules; 4 is the standard, 2 reads fine on white paper and saves room


def draw_qr(c: Canvas, text: str, x: float, y: float, size: float) -> None:
    """Draw a QR code of *text* with its lower-left corner at (x, y), *size* points wide."""
    matrix = segno.make(text, error="m").matrix
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
