"""reportlab's C accelerator (`rl_accel`): intake and desk steps with it and without it.

    .venv/bin/python bench/accel_bench.py [--cases N] [--runs R]

Each run is a fresh process that builds an office, drops N scans and takes them in
(`run_once`: the checklist drawn, the PDF/A bundle filed), then decides steps 2-6 of the
first case in-process (each renders its filed copies and the next desk's form). It reports
the CPU time (user+sys, `time.process_time`) of the intake and of the five desk steps,
the office's building left out. "without" runs the same code with `_rl_accel` hidden
(`sys.modules["_rl_accel"] = None`, as reportlab's own tests do), which is exactly how
reportlab runs when the package is not installed: its pure-Python `fp_str`, `escapePDF`,
`asciiBase85Encode`... The two alternate, A B A B, and the medians of R runs are quoted.
CPU time, not wall time: the machine is shared, and CPU time is the less noisy of the two.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# One run: argv[1] "with" or "without", argv[2] the number of scans. Prints JSON.
RUN = r'''
import json, os, sys, tempfile, time
from pathlib import Path
if sys.argv[1] == "without":
    sys.modules["_rl_accel"] = None  # reportlab then falls back to its Python versions
sys.path.insert(0, os.environ["KKWNA_ROOT"])
from reportlab.lib import rl_accel
from pipeline.office import config
from pipeline.office import home as homes
from tests.office import jpeg, run_once
from tests.stages import APPROVALS, approve

accelerated = rl_accel.fp_str.__module__ != "reportlab.lib.rl_accel"
assert accelerated == (sys.argv[1] == "with"), (sys.argv[1], rl_accel.fp_str)
cases = int(sys.argv[2])
with tempfile.TemporaryDirectory(prefix="kkwna-accel-") as tmp:
    home = homes.Home(Path(tmp) / "office")
    homes.init(home)
    path = home.root / config.FILENAME
    path.write_text(path.read_text().replace("stable_seconds = 2 ", "stable_seconds = 0 "))
    for i in range(cases):
        jpeg(home.inbox / f"JOHN SMITH {i:02d} kitap paspor formulir.jpg", text=f"js{i}")
    start = time.process_time()
    run_once(home)
    intake = time.process_time() - start
    steps = {}
    for step in sorted(APPROVALS):
        start = time.process_time()
        approve(home, step)
        steps[step] = time.process_time() - start
print(json.dumps({"intake": intake, "steps": steps}))
'''


def one_run(mode: str, cases: int) -> dict[str, float]:
    env = {**os.environ, "KKWNA_ROOT": str(ROOT),
           "KKWNA_NOW": os.environ.get("KKWNA_NOW", "2026-11-23T09:00:00+08:00")}
    done = subprocess.run([sys.executable, "-c", RUN, mode, str(cases)], capture_output=True,
                          text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"run {mode} failed:\n{done.stderr}")
    got = json.loads(done.stdout.strip().splitlines()[-1])
    return {"intake": got["intake"] / cases, "steps": sum(got["steps"].values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=5, help="scans taken in per run")
    parser.add_argument("--runs", type=int, default=5, help="runs of each (median quoted)")
    args = parser.parse_args()
    if args.cases < 1 or args.runs < 1:
        parser.error("--cases and --runs must be at least 1")
    runs: dict[str, list[dict[str, float]]] = {"without": [], "with": []}
    for _ in range(args.runs):  # interleaved: a drift in the machine's speed hits both
        for mode in runs:
            runs[mode].append(one_run(mode, args.cases))
    print(f"CPU time (user+sys), median of {args.runs} runs each, interleaved; "
          f"{args.cases} scans per run")
    for figure, label in (("intake", "intake, per case"), ("steps", "desk steps 2-6, one case")):
        without = statistics.median(r[figure] for r in runs["without"])
        with_ = statistics.median(r[figure] for r in runs["with"])
        ratios = [w[figure] / o[figure] for w, o in zip(runs["with"], runs["without"],
                                                          strict=True)]
        print(f"  {label:26s} without rl_accel {without:6.3f} s   with {with_:6.3f} s   "
              f"with/without {statistics.median(ratios):.2f} (pair by pair)")


if __name__ == "__main__":
    main()
