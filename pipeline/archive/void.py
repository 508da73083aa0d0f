"""Marking a withdrawn document void: a large diagonal BATAL over every page, kept PDF/A-2b.

Used for the collection slip of a case returned after step 2: the applicant's printed slip
no longer entitles anyone to a KK, so the archived copy must say so at a glance.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import pikepdf

from pipeline.render import pdfa
from pipeline.render.fonts import BOLD, new_canvas, text_width

WORD = "BATAL"
RED = (0.8, 0.05, 0.05)


def _stamp_page(width: float, height: float) -> pikepdf.Pdf:
    buf = io.BytesIO()
    c = new_canvas(buf, (width, height), WORD)
    diagonal = math.hypot(width, height)
    size = 0.6 * diagonal / text_width(WORD, BOLD, 1)  # the word spans 60 % of the diagonal
    size = min(size, 0.45 * min(width, height))  # and stays inside a wide, low page
    c.saveState()
    c.translate(width / 2, height / 2)
    c.rotate(math.degrees(math.atan2(height, width)))
    c.setFillColorRGB(*RED, alpha=0.35)
    c.setStrokeColorRGB(*RED, alpha=0.8)
    c.setLineWidth(3)
    c.setFont(BOLD, size)
    c.drawCentredString(0, -size * 0.35, WORD)
    w = text_width(WORD, BOLD, size)
    c.rect(-w / 2 - size * 0.15, -size * 0.55, w + size * 0.3, size * 1.1, stroke=1, fill=0)
    c.setFillColorRGB(*RED, alpha=0.9)
    c.setFont(BOLD, size * 0.09)
    c.drawCentredString(0, -size * 0.8, "Tidak berlaku: berkas dikembalikan kepada pemohon")
    c.restoreState()
    c.showPage()
    c.save()
    return pikepdf.open(io.BytesIO(buf.getvalue()))


def stamp_void(source: Path, out: Path) -> Path:
    """Write *source* with BATAL across each page to *out* (validated PDF/A-2b); *out* may be
    *source* itself: the new file replaces it only once it is complete."""
    with pikepdf.open(io.BytesIO(source.read_bytes())) as pdf:
        stamps = []
        for page in pdf.pages:
            box = page.mediabox
            stamp = _stamp_page(float(box[2]) - float(box[0]), float(box[3]) - float(box[1]))
            stamps.append(stamp)
            page.add_overlay(stamp.pages[0], None)
        title = str(pdf.docinfo.get("/Title", source.stem))
        pdfa.save_pdfa(pdf, out, f"{title} (BATAL)", subject="Dokumen dinyatakan batal")
        for stamp in stamps:
            stamp.close()
    return out
