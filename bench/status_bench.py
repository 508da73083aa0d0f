"""`kkwna status` with 500 open cases in a register of 10,000 and of 100,000; target < 0.5 s.

    .venv/bin/python bench/status_bench.py [--years 10] [--per-year 10000] [--open 500]
                                           [--rounds 5]

The register is written through its own functions (bench/report_bench.py's `build_year`,
as the pipeline does): finished years of 10,000 cases, then this year's open cases spread
over the desks; the small register is one finished year, the large one all of them.
Building them is not timed. `kkwna status` is timed as a whole process (interpreter start
included) on both registers and against `python -c pass` (the anchor), R rounds
interleaved, medians (the machine is shared: compare ratios), and as the `status.render`
call alone. Growth: the times on the two registers against the ratio of their sizes.
Figures: README, Benchmarks.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
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

from pipeline.domain import sop  # noqa: E402
from pipeline.office import config  # noqa: E402
from pipeline.office import home as homes  # noqa: E402
from pipeline.reports import status  # noqa: E402
from pipeline.store.register import Register  # noqa: E402

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


def _timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=os.environ)
    return time.perf_counter() - start


def _render(home: homes.Home, runs: int = 3) -> float:
    cfg = config.load(home.root)
    reg = Register(home.register_path)
    try:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            status.render(cfg, reg)
            times.append(time.perf_counter() - start)
    finally:
        reg.close()
    return statistics.median(times)


def _count(home: homes.Home) -> int:
    reg = Register(home.register_path)
    try:
        return int(reg.db.execute("SELECT COUNT(*) FROM cases").fetchone()[0])
    finally:
        reg.close()


def _shape(grown: float, sizes: float) -> str:
    if 0.7 * sizes <= grown <= 1.3 * sizes:
        return "linear"
    return "sublinear" if grown < sizes else "FASTER than linear"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--per-year", type=int, default=10_000)
    parser.add_argument("--open", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ["KKWNA_NOW"] = NOW
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    with tempfile.TemporaryDirectory(prefix="kkwna-status-") as tmp:
        large = homes.Home(Path(tmp) / "kantor")
        homes.init(large)
        cfg = config.load(large.root)
        reg = Register(large.register_path)
        built = time.monotonic()
        first = 2026 - args.years
        build_year(reg, cfg, 2025, args.per_year)
        open_cases(reg, cfg, args.open)
        reg.close()
        small = homes.Home(Path(tmp) / "kantor-kecil")
        shutil.copytree(large.root, small.root, symlinks=True)
        reg = Register(large.register_path)
        for year in range(first, 2025):
            build_year(reg, cfg, year, args.per_year)
        reg.close()
        sizes = {"small": _count(small), "large": _count(large)}
        print(f"registers: {sizes['small']} and {sizes['large']} cases, {args.open} open "
              f"(built in {time.monotonic() - built:.0f} s, not timed)")
        commands = {"anchor": [sys.executable, "-c", "pass"]}
        for name, home in (("small", small), ("large", large)):
            commands[name] = [sys.executable, "-m", "pipeline", "--home", str(home.root),
                              "status"]
        for cmd in commands.values():
            _timed(cmd)  # warm-up: page cache, bytecode
        runs: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, cmd in commands.items():
                runs[name].append(_timed(cmd))
        t = {name: statistics.median(times) for name, times in runs.items()}
        inner = {"small": _render(small), "large": _render(large)}
    grown = sizes["large"] / sizes["small"]
    print(f"kkwna status, whole process (median of {args.rounds} interleaved rounds; "
          f"anchor `python -c pass` {t['anchor']:.3f} s):")
    for name in ("small", "large"):
        verdict = "ok" if t[name] < 0.5 else "MISSED"
        print(f"  {sizes[name]:7d} cases: {t[name]:.3f} s (target < 0.5 s: {verdict}); "
              f"{t[name] / t['anchor']:.1f}x the anchor; status.render alone {inner[name]:.3f} s")
    for what, a, b in (("whole process", t["small"], t["large"]),
                       ("beyond the anchor", t["small"] - t["anchor"], t["large"] - t["anchor"]),
                       ("status.render", inner["small"], inner["large"])):
        print(f"growth {sizes['small']} -> {sizes['large']} cases ({grown:.1f}x), {what}: "
              f"{b / a:.2f}x, {_shape(b / a, grown)}")


if __name__ == "__main__":
    main()
