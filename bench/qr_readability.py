"""Do phones read the office's QR codes? Each kind, on its real page, through the decoders
of phone apps and counter scanners: OpenCV's QRCodeDetector and zbar.

    .venv/bin/python bench/qr_readability.py [--seals N]

Ten pictures per kind (`tests.qrphone.photos`): at 100 and 150 dpi each as rendered, 1 px
blurred, turned 2-5 degrees, warped in perspective, and all three at once, every one
JPEG-compressed at quality 60. Target: at least 9 of 10 for every kind and decoder
(tests/test_qr_phones.py holds the same line). The table says what each code is (version,
error-correction level, mode, printed module); with --seals N the KK seal is also made
with N different keys (its text, so its picture, differs per key) and the spread printed.

Measured on the development machine, 3 December 2026 (before: the code of 98fb98f, the
same pictures):

    kind                  OpenCV  zbar   before: OpenCV  zbar
    KK seal                10/10  10/10            2/10  8/10   v9-M, 0.90 mm (was v11-M, 0.55)
    slip code              10/10  10/10           10/10 10/10   v1-H, 1.17 mm
    slip header            10/10  10/10            7/10  8/10   v1-Q, 1.00 mm (was 0.66)
    desk form 02 header    10/10  10/10            7/10  8/10   v1-Q, 1.00 mm (was 0.66)
    KK draft                4/10   6/10            4/10  6/10   v3-Q, 0.48 mm, unchanged: it
                                                                stays in the office

--seals 24 (the ten-member family, a 56-character name): OpenCV reads at least 9 of 10 for
20 of the 24 seals (8 for 3, 6 for 1), zbar 10 of 10 for all; before, OpenCV 2 to 7 and
zbar 8 for every one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.render import qr  # noqa: E402
from tests.qrphone import DECODERS, PHOTOS, documents, locate, photos, readable  # noqa: E402


def describe(pdf: Path, text: str) -> str:
    code = qr.make(text)
    x0, _, x1, _ = locate(pdf, text)
    module = (x1 - x0) / code.symbol_size(border=0)[0]
    return f"v{code.version}-{code.error} {code.mode}, {len(text)} chars, {module:.2f} mm"


def seal_spread(folder: Path, count: int) -> list[dict[str, int]]:
    """The counts for the KK seal of the ten-member family made with *count* keys."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from pipeline.render import kk, kk_final
    from pipeline.signing.seal import SealFields, family_digest, make_seal
    from pipeline.steps.tte import holder
    from tests.test_kk import OFFICE, TEN
    from tests.test_kk_final import SIGNER

    issued = dt.date(2026, 11, 12)
    fields = SealFields("KKWNA-2026-0002", str(TEN["no_kk"]), holder(TEN), len(TEN["anggota"]),
                        issued, family_digest(TEN))
    out = []
    for k in range(count):
        seal = make_seal(fields, ec.derive_private_key(1000 + k, ec.SECP256R1()))
        pdf = kk_final.render_final_kk(TEN, folder / f"kk-{k}.pdf", office=OFFICE,
                                       case_id="KKWNA-2026-0002", issued=issued,
                                       seal_text=seal, signer=SIGNER, ca_name=kk.BSRE)
        out.append(readable(list(photos(pdf, seal)), seal))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seals", type=int, default=0)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kkwna-qr-"))
    names = list(DECODERS)
    print(f"{'kind':22}" + "".join(f"{n:>8}" for n in names) + "   code")
    for kind, pdf, text in documents(folder):
        counts = readable(list(photos(pdf, text)), text)
        cells = "".join(f"{f'{counts[n]}/{PHOTOS}':>8}" for n in names)
        print(f"{kind:22}{cells}   {describe(pdf, text)}", flush=True)
    if args.seals:
        spread = seal_spread(folder, args.seals)
        for n in names:
            good = sum(c[n] >= 9 for c in spread)
            print(f"KK seal, {args.seals} keys, {n}: >= 9/10 for {good}; counts "
                  + " ".join(str(c[n]) for c in spread))


if __name__ == "__main__":
    main()
