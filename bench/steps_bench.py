"""How fast a desk decision reaches the next desk, and one case's machine time (steps 1-6).

    .venv/bin/python bench/steps_bench.py [--cases N]

1. per desk step: the watcher running with the default stability delay, a form saved as a
   PDF reader saves it; time until the next desk's form (or the desk-08 item after step 6,
   which includes the automatic step 7) lies there. p50/p95 over N cases, reported with
   the stability wait apart (the wait is a wait, not work).
2. one case's whole machine time from the drop to the desk-08 item, the stability wait
   left out: intake, and steps 2-6 decided in-process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("KKWNA_NOW", "2026-11-23T09:00:00+08:00")  # inside service hours

from pipeline import config, sop  # noqa: E402
from pipeline import home as homes  # noqa: E402
from tests.office import Running, fill, jpeg, run_once  # noqa: E402
from tests.stages import APPROVALS, approve, form_values  # noqa: E402


def case_forms(desk: Path, case_id: str) -> list[Path]:
    return [p for p in desk.glob(f"{case_id} *.pdf") if not p.name.startswith(".")]


def wait(predicate: object, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("timed out: is the watcher stuck?")
        time.sleep(0.01)


def per_step(base: Path, cases: int) -> tuple[dict[int, list[float]], float]:
    home = homes.Home(base / "office")
    homes.init(home)
    stable = config.load(home.root).stable_seconds
    for i in range(cases):
        jpeg(home.inbox / f"JOHN SMITH {i:02d} kitap paspor formulir.jpg", text=f"js{i}")
    run_once(home)
    ids = [f"KKWNA-2026-{n:04d}" for n in range(1, cases + 1)]
    times: dict[int, list[float]] = {s: [] for s in sorted(APPROVALS)}
    with Running(home):
        for step in sorted(APPROVALS):
            desk = home.desks / (sop.step(step).desk or "")
            nxt = sop.after(step)
            while nxt and not nxt.desk:
                nxt = sop.after(nxt.number)
            assert nxt and nxt.desk
            target = home.desks / nxt.desk
            for cid in ids:
                form = case_forms(desk, cid)[0]
                values = dict(form_values(step))
                if step == 4:  # each case its own family: the NIK must not be another KK's
                    values["a1_nik"] = f"630504150380{int(cid[-4:]):04d}"
                    values["no_kk"] = f"630504121126{int(cid[-4:]):04d}"
                    values["a1_no_paspor"] = f"PA{int(cid[-4:]):07d}"
                    values["a1_no_kitap"] = f"2C21JD{int(cid[-4:]):04d}-A"
                if step == 3:
                    values["no_paspor"] = f"PA{int(cid[-4:]):07d}"
                    values["no_kitap"] = f"2C21JD{int(cid[-4:]):04d}-A"
                start = time.monotonic()
                fill(form, values)
                wait(lambda t=target, c=cid: case_forms(t, c))
                times[step].append(time.monotonic() - start)
                # the watcher done with this case (its form removed) before the next one
                wait(lambda d=desk, c=cid: not case_forms(d, c))
    return times, stable


def machine_time(base: Path) -> float:
    home = homes.Home(base / "one")
    homes.init(home)
    path = home.root / config.FILENAME
    path.write_text(path.read_text().replace("stable_seconds = 2 ", "stable_seconds = 0 "))
    jpeg(home.inbox / "JOHN SMITH kitap paspor formulir.jpg", text="one")
    start = time.monotonic()
    run_once(home)
    for step in sorted(APPROVALS):
        approve(home, step)
    return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kkwna-steps-") as tmp:
        base = Path(tmp)
        one = machine_time(base)
        print(f"one case, drop to desk 08 (steps 1-7), machine time: {one:.2f} s")
        times, stable = per_step(base, args.cases)
        for step, got in times.items():
            q = statistics.quantiles(got, n=20) if len(got) > 1 else got * 19
            p50, p95 = statistics.median(got), q[18]
            print(f"step {step}: saved form -> next desk, {len(got)} cases: p50 {p50:.2f} s, "
                  f"p95 {p95:.2f} s (of which {stable:g} s stability wait; work p50 "
                  f"{p50 - stable:.2f} s, p95 {p95 - stable:.2f} s)")


if __name__ == "__main__":
    main()
