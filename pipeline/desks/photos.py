"""A scan or phone photo of the collection slip: the code its QR carries.

The photo is untrusted input like any inbox file: opened without following links, its size
and pixel count bounded, read as a standard QR code only (what the slip prints).
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import zxingcpp
from PIL import Image

from pipeline.domain.errors import UserError
from pipeline.office.fsutil import UntrustedFile, read_untrusted

MAX_BYTES = 40 * 1024 * 1024
MAX_PIXELS = 60_000_000  # a 48-megapixel phone photo fits; a decompression bomb does not
CODE = re.compile(r"\b[A-Z2-9]{4}-?[A-Z2-9]{4}\b")
STANDARD_QR = zxingcpp.BarcodeFormats(
    getattr(zxingcpp.BarcodeFormat, "QRCodeModel2", zxingcpp.BarcodeFormat.QRCode))


def read_slip_code(path: Path) -> str:
    """The collection code on the slip pictured at *path*, or `UserError` saying why not."""
    try:
        data = read_untrusted(path, MAX_BYTES)
    except UntrustedFile as exc:
        raise UserError(f"foto tanda bukti tidak dapat dibaca: {exc.reason_id}") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                if im.width * im.height > MAX_PIXELS:
                    raise UserError("foto tanda bukti terlalu besar; kirim foto biasa dari "
                                    "kamera ponsel atau pindaian 150-300 dpi")
                image = im.convert("L")
    except (OSError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):
        raise UserError("berkas ini bukan foto yang dapat dibuka (JPEG atau PNG)") from None
    for found in zxingcpp.read_barcodes(image, formats=STANDARD_QR):
        match = CODE.search(found.text.upper())
        if match:
            return match.group()
    raise UserError("kode QR tanda bukti pengambilan tidak terbaca pada foto ini: foto ulang "
                    "tanda bukti lebih dekat, tegak dan terang, atau ketik kodenya di formulir")
