"""Reading QR codes back from rendered pages, as standard QR codes only.

zxing-cpp 3 counts Micro QR and rMQR as kinds of "QRCode"; asking for Model 2 (the
standard QR code) and checking the format of what was read keeps a Micro QR out.
`phone_view` renders a page the way a phone camera sees a printout: coarse, blurred and
a little askew.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image, ImageFilter

STANDARD_QR = zxingcpp.BarcodeFormats(
    getattr(zxingcpp.BarcodeFormat, "QRCodeModel2", zxingcpp.BarcodeFormat.QRCode)
)


def read_standard_qr(image: Image.Image) -> list[str]:
    """The texts of the standard QR codes zxing finds in *image* (Micro QR never counts)."""
    found = zxingcpp.read_barcodes(image, formats=STANDARD_QR)
    return [r.text for r in found if r.format == zxingcpp.BarcodeFormat.QRCode]


def render_page(path: Path, index: int = 0, dpi: float = 200, forms: bool = False) -> Image.Image:
    """Page *index* of *path* in gray at *dpi* (form fields drawn when *forms*)."""
    doc = pdfium.PdfDocument(str(path))
    try:
        if forms:
            doc.init_forms()
        image: Image.Image = doc[index].render(scale=dpi / 72, may_draw_forms=forms).to_pil()
        return image.convert("L")
    finally:
        doc.close()


def phone_view(
    path: Path, index: int = 0, *, dpi: float = 100, blur: float = 0.8, angle: float = 0.0
) -> Image.Image:
    """Page *index* rendered at *dpi*, turned by *angle* degrees and Gaussian-blurred."""
    image = render_page(path, index, dpi, forms=True)
    if angle:
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    return image.filter(ImageFilter.GaussianBlur(blur)) if blur else image
