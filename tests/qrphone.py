"""Reading a printed QR code the way phones and counter scanners do: OpenCV's
`QRCodeDetector` and zbar, on renders degraded like a phone photo.

zxing (what `kkwna verify` uses) is the most forgiving decoder; phone apps mostly carry
OpenCV's or zbar's. `photos` renders a page at 100 and 150 dpi, crops the neighbourhood
of one QR code (a phone frames the code with some of the page around it: text, lines
and the other codes stay in the picture) and makes five pictures at each: as it is, 1 px
blurred, turned a few degrees, warped in perspective, and all three together; every one
JPEG-compressed at quality 60. Angles and warps come from a fixed seed, so a count is the
same on every run.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from PIL import Image, ImageFilter
from pyzbar import pyzbar

from tests.qrread import STANDARD_QR, render_page

DPIS = (100, 150)
VARIANTS = ("plain", "blur", "turned", "warped", "all")  # at each dpi, JPEG for every one
PHOTOS = len(DPIS) * len(VARIANTS)
MARGIN_MM = 25.0  # of page around the code that the photo shows on each side
SEAL_KEY = 1000  # the private value of the test documents' seal key


def locate(path: Path, text: str, index: int = 0) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1, in mm from the page's top left) of the QR code of *text*
    on page *index*, found by zxing on a clean 300 dpi render."""
    image = render_page(path, index, 300, forms=True)
    for found in zxingcpp.read_barcodes(image, formats=STANDARD_QR):
        if found.text == text:
            p = found.position
            xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
            ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
            mm = 25.4 / 300
            return min(xs) * mm, min(ys) * mm, max(xs) * mm, max(ys) * mm
    raise AssertionError(f"no QR code {text!r} on page {index} of {path}")


def _perspective(image: Image.Image, rng: random.Random) -> Image.Image:
    """A mild keystone: each corner moved by up to 3 % of the picture."""
    w, h = image.size
    d = 0.03
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[x + rng.uniform(-d, d) * w, y + rng.uniform(-d, d) * h]
                      for x, y in src.tolist()])
    # PIL maps output to input points: the coefficients of dst -> src
    matrix = cv2.getPerspectiveTransform(dst, src)
    coeffs = (matrix / matrix[2, 2]).flatten()[:8]
    return image.transform((w, h), Image.Transform.PERSPECTIVE, tuple(coeffs),
                           resample=Image.Resampling.BICUBIC, fillcolor=255)


def photos(path: Path, text: str, index: int = 0, seed: int = 19,
           variants: Sequence[str] = VARIANTS) -> Iterator[Image.Image]:
    """The degraded pictures of the QR code of *text*, one per dpi and variant: as
    rendered, 1 px blurred, turned 2-5 degrees, warped in perspective, and all three at
    once; each JPEG-compressed at quality 60 (see the module docstring). With the
    default variants, PHOTOS pictures."""
    x0, y0, x1, y1 = locate(path, text, index)
    rng = random.Random(f"{seed}:{text}")
    for dpi in DPIS:
        page = render_page(path, index, dpi, forms=True)
        px = dpi / 25.4
        box = (max(0, int((x0 - MARGIN_MM) * px)), max(0, int((y0 - MARGIN_MM) * px)),
               min(page.width, int((x1 + MARGIN_MM) * px)),
               min(page.height, int((y1 + MARGIN_MM) * px)))
        for variant in variants:
            image = page.crop(box)
            if variant in ("turned", "all"):
                angle = rng.choice((-1, 1)) * rng.uniform(2.0, 5.0)
                image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True,
                                     fillcolor=255)
            if variant in ("warped", "all"):
                image = _perspective(image, rng)
            if variant in ("blur", "all"):
                image = image.filter(ImageFilter.GaussianBlur(1.0))
            buf = io.BytesIO()
            image.save(buf, "JPEG", quality=60)
            buf.seek(0)
            yield Image.open(buf).convert("L")


def read_opencv(image: Image.Image) -> list[str]:
    """What OpenCV's QRCodeDetector reads in *image* (one code, then several)."""
    pixels = np.asarray(image)
    detector = cv2.QRCodeDetector()
    text, _, _ = detector.detectAndDecode(pixels)
    if text:
        return [text]
    ok, texts, _, _ = detector.detectAndDecodeMulti(pixels)
    return [t for t in texts if t] if ok else []


def read_zbar(image: Image.Image) -> list[str]:
    """What zbar reads in *image* (QR codes only)."""
    found = pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])
    return [f.data.decode("utf-8", "replace") for f in found]


DECODERS: dict[str, Callable[[Image.Image], list[str]]] = {
    "OpenCV": read_opencv, "zbar": read_zbar,
}


def readable(images: Sequence[Image.Image], text: str) -> dict[str, int]:
    """For each decoder, of how many of *images* it reads *text*."""
    return {name: sum(text in read(image) for image in images)
            for name, read in DECODERS.items()}


def documents(folder: Path) -> list[tuple[str, Path, str]]:
    """(kind, PDF, QR text) of every kind of QR code the office prints, each on its real
    page: the final KK with a seal made as step 7 makes it, the draft KK, the collection
    slip (its code and its header's case id) and desk form 02 as placed on the desk."""
    import datetime as dt

    from cryptography.hazmat.primitives.asymmetric import ec

    from pipeline.render import kk, kk_final
    from pipeline.signing.seal import SealFields, family_digest, make_seal
    from pipeline.steps.tte import holder
    from tests.test_kk import OFFICE, TEN
    from tests.test_kk_final import SIGNER
    from tests.test_render import CASE, draw

    case, issued = "KKWNA-2026-0002", dt.date(2026, 11, 12)
    fields = SealFields(register_no=case, no_kk=str(TEN["no_kk"]), kepala_keluarga=holder(TEN),
                        jumlah_anggota=len(TEN["anggota"]), tanggal_terbit=issued,
                        family_digest=family_digest(TEN))
    # a fixed key (and RFC 6979 signing) gives the same seal, so the same count, every run
    seal = make_seal(fields, ec.derive_private_key(SEAL_KEY, ec.SECP256R1()))
    final = kk_final.render_final_kk(TEN, folder / "07 draf TTE KK.pdf", office=OFFICE,
                                     case_id=case, issued=issued, seal_text=seal,
                                     signer=SIGNER, ca_name=kk.BSRE)
    draft = kk.render_kk(TEN, folder / "06 konsep KK.pdf", office=OFFICE, case_id=case,
                         issued=None)
    slip = draw("tanda_bukti", folder / "tanda bukti.pdf", "filed")
    desk = draw("checklist", folder / "02 checklist.pdf", "form")
    return [
        ("KK seal", final, seal),
        ("KK draft", draft, kk.qr_text(case, str(TEN["no_kk"]))),
        ("slip code", slip, "7KQ4-M2XP"),
        ("slip header", slip, CASE),
        ("desk form 02 header", desk, CASE),
    ]
