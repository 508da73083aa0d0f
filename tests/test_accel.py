"""reportlab draws with its C accelerator (`rl_accel`, issue 18): its pure-Python number
formatting alone was 14 % of intake. The accelerated page is the same page, byte for byte."""

from __future__ import annotations

import subprocess
import sys

from reportlab.lib import rl_accel

# A page as kkwna draws one (its fonts, numbers with decimals, a name with accents), made
# deterministic (reportlab's invariant mode: no dates, no random ID); argv[1] "without"
# hides the accelerator as a missing package would. Writes the PDF bytes to stdout.
DRAW = r"""
import io, sys
if sys.argv[1] == "without":
    sys.modules["_rl_accel"] = None
from reportlab import rl_config
rl_config.invariant = 1
from pipeline.render import fonts
buf = io.BytesIO()
c = fonts.new_canvas(buf, (595.2756, 841.8898), "Kartu Keluarga")
for i in range(40):
    c.setFont(fonts.REGULAR if i % 2 else fonts.BOLD, 7 + i / 7)
    c.drawString(30.5 + i * 1.37, 800 - i * 19.123, f"ANGGOTA {i}: MÜLLER ÉÇ {i / 3:.4f}")
    c.rect(20.25, 790 - i * 19.123, 555.1 - i, 18.0001)
c.showPage()
c.save()
sys.stdout.buffer.write(buf.getvalue())
"""


def test_reportlab_runs_its_c_accelerator() -> None:
    for name in ("fp_str", "escapePDF", "asciiBase85Encode", "instanceStringWidthTTF"):
        assert getattr(rl_accel, name).__module__ == "_rl_accel", name


def test_a_page_drawn_with_the_accelerator_is_the_same_page() -> None:
    pages = {mode: subprocess.run([sys.executable, "-c", DRAW, mode], capture_output=True,
                                  check=True).stdout for mode in ("with", "without")}
    assert pages["with"].startswith(b"%PDF-") and b"/TrueType" in pages["with"]
    assert pages["with"] == pages["without"]
