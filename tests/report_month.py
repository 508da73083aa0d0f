"""A month of cases with controlled times, written through the register's own functions.

November 2026, with the office's own day off on Friday 20 November: 20 working days, three
cases a day in slots at 08:00, 10:00 and 12:00, so a case's minutes on the SOP clock are
its wall-clock minutes (every slot ends before closing). October holds ten plain cases for
the comparison. The expected figures in test_report.py are worked out by hand from this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline.store.register import Register

WITA = ZoneInfo("Asia/Makassar")
DAY_OFF = date(2026, 11, 20)

FO = ("DEMO FITRI HANDAYANI", "199001012015032001")
VER = ("DEMO AHMAD RIDUAN", "198802022014031002")
VER2 = ("DEMO BUDI SANTOSO", "199101012019031009")  # not in kkwna.toml: role from the step
ADM = ("DEMO SITI NURHALIZA", "199203032016032003")
ANALIS = ("DEMO MUHAMMAD YUSUF", "198504042010011004")
KABID = ("DEMO HJ. NOOR HIDAYAH, SE", "198005052005012005")
KADIS = ("Hj. RINA INDRIANI, ST", "198203112005012017")
SERAH = ("DEMO RAHMAT HIDAYAT", "199506062019031006")

ACTION = {7: "diajukan", 8: "ditandatangani", 9: "dicetak", 10: "siap diserahkan",
          11: "diserahkan"}
OFFICER = {2: FO, 3: VER, 4: ADM, 5: ANALIS, 6: KABID, 8: KADIS, 10: SERAH}
STANDARD = {2: 1, 3: 10, 4: 5, 5: 1, 6: 1, 7: 0.5, 8: 0.5, 9: 0.5, 10: 1, 11: 0.5}


@dataclass
class Plan:
    """One case: its (step, minutes, action, note) moves after intake."""

    kind: str
    moves: list[tuple[int, float, str, str]] = field(default_factory=list)
    verifier: tuple[str, str] = VER
    email: str = "terkirim"


def through(last: int, slow: dict[int, float] | None = None) -> list[tuple[int, float, str, str]]:
    slow = slow or {}
    return [(n, slow.get(n, STANDARD[n]), ACTION.get(n, "disetujui"), "")
            for n in range(2, last + 1)]


def november_plans() -> list[Plan]:
    plans: list[Plan] = []
    plans += [Plan("A", through(11)) for _ in range(30)]
    plans += [Plan("B", through(11, {3: 30}), verifier=VER2) for _ in range(8)]
    plans += [Plan("C", through(11, {11: 60})) for _ in range(4)]
    correction = [*through(4), (5, 1, "dikembalikan", "Nama ayah tidak sesuai paspor"),
                  (4, 5, "disetujui", ""), *through(11)[3:]]
    plans += [Plan("D", list(correction)) for _ in range(5)]
    plans += [Plan("E", [(2, 1, "disetujui", ""), (3, 8, "dikembalikan", reason)])
              for reason in ["Paspor tidak terbaca"] * 4 + ["KITAP sudah habis masa berlaku"] * 2]
    plans += [Plan("F", [(2, 2, "dikembalikan", "Formulir F-1.01 belum ditandatangani")])
              for _ in range(3)]
    plans += [Plan("G", through(2)) for _ in range(2)]
    plans += [Plan("H", through(10))]
    plans += [Plan("I", [])]  # cancelled: its inbox entry was removed
    for i, p in enumerate(plans):  # e-mail outcomes at step 9: 3 failed, 5 without address
        p.email = "gagal" if i in (1, 2, 3) else "tidak ada" if i in (4, 5, 6, 7, 8) else \
            "terkirim"
    return plans


def working_days(year: int, month: int) -> list[date]:
    day, out = date(year, month, 1), []
    while day.month == month:
        if day.weekday() < 5 and day != DAY_OFF:
            out.append(day)
        day += timedelta(days=1)
    return out


def _record(reg: Register, title: str, received: datetime, start: datetime, outside: bool,
            plan: Plan, moves_from: datetime | None = None) -> str:
    with reg.transaction() as db:
        case = reg.open_case(db, year=received.year, title=title, received_at=received,
                             clock_start=start, outside_hours=outside,
                             folder_for=lambda cid: f"cases/{cid} {title}",
                             source_name=title, source_key=f"key-{title}")
        reg.update(db, case, status="open", step=2, rounds={2: 1}, step_since=start)
        reg.add_event(db, case.id, at=received, step=1, action="diterima",
                      detail={"di_luar_jam_layanan": outside})
        t = moves_from or start
        status = "open"
        for step, minutes, action, note in plan.moves:
            t += timedelta(minutes=minutes)
            name, nip = plan.verifier if step == 3 else OFFICER.get(step, ("", ""))
            detail: dict[str, object] = {"catatan": note} if note else {}
            if step == 9:
                detail["email"] = plan.email
            reg.add_event(db, case.id, at=t, step=step, action=action, officer_name=name,
                          officer_nip=nip, detail=detail)
            if action == "dikembalikan" and step in (2, 3):
                status = "returned"
            if action == "diserahkan":
                status = "issued"
        if plan.kind == "I":
            reg.add_event(db, case.id, at=start + timedelta(minutes=30), step=1,
                          action="dibatalkan")
            status = "cancelled"
        reg.update(db, case, status=status)
    return case.id


def build(reg: Register) -> dict[str, list[str]]:
    """Write October (10 plain cases) and November (60 planned ones); case ids by kind."""
    ids: dict[str, list[str]] = {}
    for i, day in enumerate(working_days(2026, 10)[:10]):
        start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=WITA)
        _record(reg, f"OKTOBER {i + 1}", start, start, False, Plan("A", through(11)))
    plans = november_plans()
    # the G (still open) and H (awaiting pick-up) cases go last: on Monday 30 November
    order = [p for p in plans if p.kind not in "GH"] + [p for p in plans if p.kind in "GH"]
    slots = [(day, hour) for day in working_days(2026, 11) for hour in (8, 10, 12)]
    for n, (plan, (day, hour)) in enumerate(zip(order, slots, strict=True)):
        start = datetime(day.year, day.month, day.day, hour, 0, tzinfo=WITA)
        received, outside, moves_from = start, False, None
        if plan.kind == "A" and n in (0, 3, 6):  # taken the evening before, clock at 08:00
            received, outside = start - timedelta(hours=13), True
        if plan.kind == "A" and day == date(2026, 11, 6) and hour == 12:
            # Friday 14:55, step 2 decided Monday 08:10: 15 minutes on the SOP clock
            plan = Plan("W", [(2, 0, "disetujui", ""), *through(11)[1:]], email=plan.email)
            received = start = start.replace(hour=14, minute=55)
            moves_from = datetime(2026, 11, 9, 8, 10, tzinfo=WITA)
        ids.setdefault(plan.kind, []).append(
            _record(reg, f"KASUS {n + 1:02d}", received, start, outside, plan, moves_from))
    return ids
