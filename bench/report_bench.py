"""`kkwna report` for one month of a year holding 10,000 cases; target < 5 s.

    .venv/bin/python bench/report_bench.py [--cases 10000] [--month 2026-11] [--keep DIR]

The year is written through the register's own functions (open_case, update, add_event in
transactions, as the pipeline does), with seeded random times around the SOP standards:
about 5 % taken outside service hours, 8 % returned at steps 2-3, 5 % corrected at step 5,
the last cases of the year still open. Building the register is not timed; the report is
(the bulk query, the figures of the month and the month before, the PDF/A-2b and the CSV).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.domain import clock  # noqa: E402
from pipeline.office import config  # noqa: E402
from pipeline.office import home as homes  # noqa: E402
from pipeline.reports import report  # noqa: E402
from pipeline.store.register import Register  # noqa: E402

ACTION = {7: "diajukan", 8: "ditandatangani", 9: "dicetak", 10: "siap diserahkan",
          11: "diserahkan"}


def officer(cfg: config.Config, step: int) -> tuple[str, str]:
    from pipeline.domain import sop
    role = "penyerahan" if step == 10 else sop.step(step).role.key
    people = cfg.officers_for(role)
    return (people[0].nama, people[0].nip) if people and step not in (7, 9, 11) else ("", "")


def build_year(reg: Register, cfg: config.Config, year: int, cases: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    days = [d for d in (date(year, 1, 1) + timedelta(n) for n in range(365))
            if clock.is_working_day(cfg, d)]
    per_day = cases / len(days)
    who = {n: officer(cfg, n) for n in range(2, 12)}
    made = 0
    batch = 200
    while made < cases:
        with reg.transaction() as db:
            for _ in range(min(batch, cases - made)):
                day = days[min(len(days) - 1, int(made / per_day))]
                if rng.random() < 0.05:  # the evening before
                    received = datetime.combine(day, datetime.min.time(), cfg.tz) - \
                        timedelta(hours=rng.uniform(3, 6))
                else:
                    received = datetime.combine(day, cfg.open_at, cfg.tz) + \
                        timedelta(minutes=rng.uniform(0, 380))
                start = clock.next_opening(cfg, received)
                title = f"PEMOHON {made + 1:05d}"
                case = reg.open_case(db, year=year, title=title, received_at=received,
                                     clock_start=start, outside_hours=start != received,
                                     folder_for=lambda cid, t=title: f"cases/{cid} {t}",
                                     source_name=title, source_key=f"k{made}")
                reg.add_event(db, case.id, at=received, step=1, action="diterima")
                t, status = start, "open"
                fate = rng.random()
                last = 11 if made < cases - 60 else rng.randint(2, 10)
                step = 2
                corrected = False
                while step <= last:
                    t += timedelta(minutes=rng.expovariate(1 / cfg.minutes[step]) * 1.2)
                    name, nip = who[step]
                    if step in (2, 3) and fate < 0.04 * (step - 1):
                        reg.add_event(db, case.id, at=t, step=step, action="dikembalikan",
                                      officer_name=name, officer_nip=nip,
                                      detail={"catatan": rng.choice(
                                          ["Paspor tidak terbaca", "KITAP kedaluwarsa",
                                           "Formulir belum ditandatangani"])})
                        status = "returned"
                        break
                    if step == 5 and not corrected and rng.random() < 0.05:
                        corrected = True
                        reg.add_event(db, case.id, at=t, step=5, action="dikembalikan",
                                      officer_name=name, officer_nip=nip,
                                      detail={"catatan": "Nama ayah tidak sesuai paspor"})
                        step = 4
                        continue
                    detail = {"email": rng.choice(["terkirim"] * 8 + ["gagal", "tidak ada"])} \
                        if step == 9 else None
                    reg.add_event(db, case.id, at=t, step=step,
                                  action=ACTION.get(step, "disetujui"), officer_name=name,
                                  officer_nip=nip, detail=detail)
                    if step == 11:
                        status = "issued"
                    step += 1
                reg.update(db, case, status=status, step=min(step, 11), step_since=t)
                made += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--keep", type=Path, help="build the office here and keep it")
    args = parser.parse_args()
    year, month = report.parse_month(args.month)

    with tempfile.TemporaryDirectory() as tmp:
        home = homes.Home(args.keep or Path(tmp) / "kantor")
        homes.init(home)
        cfg = config.load(home.root)
        reg = Register(home.register_path)
        if not reg.db.execute("SELECT 1 FROM cases LIMIT 1").fetchone():
            t0 = time.perf_counter()
            build_year(reg, cfg, year, args.cases)
            print(f"register: {args.cases} cases, "
                  f"{reg.db.execute('SELECT COUNT(*) FROM events').fetchone()[0]} events "
                  f"written in {time.perf_counter() - t0:.1f} s")
        import os
        os.environ["KKWNA_NOW"] = f"{year + 1}-01-05T09:00:00+08:00"

        t0 = time.perf_counter()
        cases, events = report.load_month(reg, cfg, year, month)
        loaded = time.perf_counter() - t0
        t1 = time.perf_counter()
        fig = report.month_figures(cases, events, cfg, year, month)
        figured = time.perf_counter() - t1
        t2 = time.perf_counter()
        out = report.write_report(home, cfg, reg, year, month)
        total = time.perf_counter() - t2
        print(f"month {args.month}: {fig.received} received, {fig.handed_over} handed over, "
              f"{len(fig.late)} over standard; query {len(cases)} cases / {len(events)} events "
              f"{loaded:.2f} s, figures {figured:.2f} s")
        verdict = "ok" if total < 5 else "OVER TARGET"
        print(f"report {out.name}: {total:.2f} s (target < 5 s: {verdict})")
        reg.close()


if __name__ == "__main__":
    main()
