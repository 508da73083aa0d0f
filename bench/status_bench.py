"""`kkwna status` with 500 open cases in a register of 100,000; target < 0.5 s.

    .venv/bin/python bench/status_bench.py [--years 10] [--per-year 10000] [--open 500]

The register is written through its own functions (bench/report_bench.py's `build_year`,
as the pipeline does): ten finished years of 10,000 cases, then this year's open cases
spread over the desks. Building it is not timed; `kkwna status` is, as a whole process
(interpreter start included) and as the `status.render` call alone.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report_bench import build_year  # noqa: E402

from pipeline import config, sop, status  # noqa: E402
from pipeline import home as homes  # noqa: E402
from pipeline.register import Register  # noqa: E402

NOW = "2026-11-23T10:00:00+08:00"


def open_cases(reg: Register, cfg: config.Config, count: int) -> None:
    rng = random.Random(3)
    waiting = [s.number for s in sop.STEPS if s.desk]
    start = datetime.fromisoformat("2026-11-23T08:00:00+08:00")
    with reg.transaction() as db:
        for n in range(count):
            at = start + timedelta(seconds=n * 7)
            case = reg.open_case(db, year=2026, title=f"TERBUKA {n:04d}", received_at=at,
                                 clock_start=at, outside_hours=False,
                                 folder_for=lambda cid: f"cases/{cid}", source_name=f"t{n}",
                                 source_key=f"t{n}")
            reg.add_event(db, case.id, at=at, step=1, action="diterima")
            step = rng.choice(waiting)
            reg.add_event(db, case.id, at=at, step=step - 1, action="disetujui")
            reg.update(db, case, status="open", step=step, step_since=at)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--per-year", type=int, default=10_000)
    parser.add_argument("--open", type=int, default=500)
    args = parser.parse_args()
    os.environ["KKWNA_NOW"] = NOW
    with tempfile.TemporaryDirectory(prefix="kkwna-status-") as tmp:
        home = homes.Home(Path(tmp) / "kantor")
        homes.init(home)
        cfg = config.load(home.root)
        reg = Register(home.register_path)
        built = time.monotonic()
        for year in range(2026 - args.years, 2026):
            build_year(reg, cfg, year, args.per_year)
        open_cases(reg, cfg, args.open)
        total = reg.db.execute("SELECT COUNT(*) FROM cases").fetchone()[0]
        print(f"register: {total} cases, {args.open} open (built in "
              f"{time.monotonic() - built:.0f} s, not timed)")
        start = time.monotonic()
        text = status.render(cfg, reg)
        inner = time.monotonic() - start
        reg.close()
        runs = []
        for _ in range(3):
            start = time.monotonic()
            subprocess.run([sys.executable, "-m", "pipeline", "--home", str(home.root),
                            "status"], check=True, capture_output=True, env=os.environ)
            runs.append(time.monotonic() - start)
        best = min(runs)
        print(f"status.render: {inner:.3f} s ({text.count(chr(10)) + 1} lines)")
        print(f"kkwna status (whole process, best of 3): {best:.3f} s "
              f"(target < 0.5 s: {'ok' if best < 0.5 else 'MISSED'})")


if __name__ == "__main__":
    main()
