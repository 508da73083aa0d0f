"""bench/signing_bench.py runs end to end on two cards and reports every figure.

The bench itself stops (exit != 0) when kkwna does not sign every card, when the card
kkwna signed is not a genuine B-LTA card by `kkwna verify`, or when pyHanko's own cards
do not validate as B-LTA: a run that ends with its report proves the comparison is of the
same work.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_signing_bench_on_two_cards_reports_both_ratios() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "signing_bench.py"),
                           "--cases", "2", "--rounds", "1", "--repeats", "1"],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "office built: 2 cases at step 8" in out
    kkwna = re.search(r"kkwna sign --all +([\d.]+) s +([\d.]+) s/card +peak ([\d.]+) MB", out)
    alone = re.search(r"pyHanko alone \(1 process\) +([\d.]+) s +([\d.]+) s/card +peak ([\d.]+) MB",
                      out)
    assert kkwna and alone, out
    assert float(kkwna[2]) == pytest.approx(float(kkwna[1]) / 2, abs=0.01)
    ratio = re.search(r"ratio ([\d.]+)x: (within|MISSES) the 1.2x target", out)
    # from the per-card times (3 decimals): the totals' 2 decimals alone can move a ratio
    # near 2 by more than 0.01 (a fresh-clone run printed 1.84x for 1.853 recomputed)
    assert ratio and float(ratio[1]) == pytest.approx(float(kkwna[2]) / float(alone[2]), abs=0.01)
    # peak memory of each process on its own: both at least an interpreter with pyHanko
    # (not the launcher's or this bench's size), and the ratio is theirs
    memory = re.search(r"memory ([\d.]+)x: (within|MISSES) the 1.5x target", out)
    assert memory and float(memory[1]) == pytest.approx(float(kkwna[3]) / float(alone[3]),
                                                         abs=0.01)
    assert 30 < float(alone[3]) < float(kkwna[3]) < 400, out
    assert re.search(r"floor: pyHanko, keys parsed once +[\d.]+ s", out)
    assert re.search(r"next desk's form \(hand-over\), drawn per card, measured apart: "
                     r"0\.\d+ s/card", out)
    oneshot = re.search(r"pyHanko one-shot process +([\d.]+) s +ratio ([\d.]+)x", out)
    inproc = re.search(r"pyHanko in this process +([\d.]+) s +ratio ([\d.]+)x", out)
    assert oneshot and inproc, out
    # starting Python is part of the one-shot figure, so the in-process one is smaller
    assert float(inproc[1]) < float(oneshot[1])
    assert "judged on the one-shot ratio" in out
