"""`kkwna report YYYY-MM`: the month's service performance, measured with the SOP clock.

`month_figures` is pure: it turns cases and their events into the month's numbers
(volumes, returns, time per SOP step against its standard, workload, late cases), for all
services together; `service_figures` the same counted for each service apart, when the
month holds cases of more than one.
`load_month` is the one bulk query, `write_report` the I/O around both: the PDF/A-2b
report (drawn by `report_pdf`) and a CSV of the same figures beside it.

How a time is measured: a step's time is the SOP clock (`clock.service_minutes`) from the
event that put the case on the step (the previous deciding event; for step 2 the case's
clock start) to the event that decided it, and it counts in the month of the decision.
A case's total runs from its clock start to the hand-over (step 11). Step 1 (the
applicant hands in the file) is the moment of intake: it has no measurable time.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from pipeline import services
from pipeline.domain import clock, sop
from pipeline.domain.actions import Action
from pipeline.office.config import Config
from pipeline.store.register import Register

# Actions that move a case from one step to the next (the conventions of the steps).
DECIDING = frozenset({Action.RECEIVED, Action.APPROVED, Action.RETURNED, Action.SUBMITTED,
                      Action.SIGNED, Action.PRINTED, Action.READY, Action.HANDED_OVER})
RETURNS_TO_APPLICANT = tuple(s.number for s in sop.STEPS if s.returns_to == sop.APPLICANT)
EMAIL_OUTCOMES = ("terkirim", "gagal", "tidak ada")
MEASURED_STEPS = tuple(s.number for s in sop.STEPS if s.kind is not sop.Kind.INTAKE)


class CaseFacts(Protocol):
    """What the report needs of a case (a register `Case` has it all)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def clock_start(self) -> datetime: ...
    @property
    def outside_hours(self) -> bool: ...
    @property
    def service(self) -> str: ...


@dataclass(frozen=True)
class CaseRow:
    id: str
    title: str
    received_at: datetime
    clock_start: datetime
    outside_hours: bool
    service: str = services.DEFAULT


@dataclass(frozen=True)
class Event:
    case_id: str
    at: datetime
    step: int
    action: str
    officer_name: str = ""
    officer_nip: str = ""
    detail: str = "{}"  # JSON, parsed only for the few actions that need it

    def details(self) -> dict[str, object]:
        try:
            value = json.loads(self.detail or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Times:
    """Minutes measured against a standard."""

    standard: float
    values: tuple[float, ...] = ()

    @property
    def count(self) -> int:
        return len(self.values)

    @property
    def median(self) -> float | None:
        return percentile(self.values, 50)

    @property
    def p90(self) -> float | None:
        return percentile(self.values, 90)

    @property
    def within(self) -> float | None:
        """The share (0-1) of values within the standard."""
        if not self.values:
            return None
        return sum(1 for v in self.values if v <= self.standard + 1e-9) / len(self.values)


@dataclass(frozen=True)
class Return:
    step: int
    reason: str
    count: int

    @property
    def to_applicant(self) -> bool:
        return self.step in RETURNS_TO_APPLICANT


@dataclass(frozen=True)
class Workload:
    role: str  # the role's name as the SOP writes it
    name: str
    nip: str
    decisions: int
    returns: int
    median: float | None  # minutes per decision


@dataclass(frozen=True)
class LateCase:
    case_id: str
    title: str
    total: float
    step: int  # the step that held it (see `_late_case`)
    step_minutes: float
    step_standard: float


@dataclass(frozen=True)
class Figures:
    year: int
    month: int
    working_days: tuple[date, ...]
    days_off: dict[date, str]
    received: int = 0
    outside_hours: int = 0
    cancelled: int = 0
    issued: int = 0  # KKs signed (TTE, step 8)
    handed_over: int = 0  # step 11
    returned: int = 0  # to the applicant (steps 2-3)
    corrections: int = 0  # returns inside the office (steps 5-6)
    still_open: int = 0  # at the month's end
    awaiting_pickup: int = 0  # of those: the KK lies ready for the applicant
    email: dict[str, int] = field(default_factory=dict)
    per_day: tuple[tuple[date, int], ...] = ()
    steps: dict[int, Times] = field(default_factory=dict)
    total: Times = Times(sop.TOTAL_MINUTES)
    returns: tuple[Return, ...] = ()
    workload: tuple[Workload, ...] = ()
    late: tuple[LateCase, ...] = ()

    @property
    def label(self) -> str:
        return clock.month_year(self.year, self.month)

    @property
    def empty(self) -> bool:
        """Nothing happened: no application came in and no case moved."""
        return not (self.received or self.handed_over or self.returned or self.issued
                    or any(t.count for t in self.steps.values()) or self.cancelled)

    def histogram(self) -> list[tuple[str, int, bool]]:
        """The case totals in bins: (label, count, within the standard)."""
        std = self.total.standard
        edges = sorted({10.0, 15.0, std, 30.0, 45.0, 60.0, 120.0})
        bins: list[tuple[str, int, bool]] = []
        low = 0.0
        for edge in [*edges, math.inf]:
            count = sum(1 for v in self.total.values
                        if (v > low or (low == 0 and v >= 0)) and v <= edge)
            name = (f"≤{number(edge)}" if low == 0 else f">{number(low)}" if edge == math.inf
                    else f"{number(low)}–{number(edge)}")
            bins.append((name, count, edge <= std))
            low = edge
        return bins


def percentile(values: Iterable[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (the spreadsheet's PERCENTILE.INC)."""
    ordered = sorted(values)
    if not ordered:
        return None
    k = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def number(value: float | None, digits: int = 1) -> str:
    """``8,5`` (Indonesian decimal comma) to *digits* decimals, without trailing zeros
    (``2,5`` not ``2,50``); whole numbers without decimals; ``-`` for none."""
    if value is None:
        return "-"
    rounded = round(value, digits)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.{digits}f}".rstrip("0").replace(".", ",")


def average(value: float | None) -> str:
    """A mean per working day: two decimals, so a quiet month's 1 in 22 reads ``0,05``, not
    ``0`` (a whole number of minutes keeps one, `number`)."""
    return number(value, 2)


def percent(share: float | None) -> str:
    return "-" if share is None else f"{number(share * 100)}%"


# --- the figures (pure) -------------------------------------------------------------------------

def _reason(e: Event) -> str:
    note = str(e.details().get("catatan") or "").strip()
    note = re.sub(r"\s+", " ", note)
    return note[:120] or "(tanpa catatan)"


def _role_name(cfg: Config, e: Event) -> str:
    officer = cfg.officer(e.officer_nip) if e.officer_nip else None
    return sop.role(officer.role).name if officer else sop.step(e.step).role.name


def step_minutes(cfg: Config, case: CaseFacts, events: Sequence[Event]
                 ) -> list[tuple[Event, float | None]]:
    """Each of the case's events with the SOP minutes of the step it decided (None for an
    event that decides no step: intake, cancellation, a note). The step began at the
    previous deciding event, and never before the case's clock start."""
    since = case.clock_start  # also when the intake event is missing
    out: list[tuple[Event, float | None]] = []
    for e in events:
        minutes = None
        if e.action in DECIDING and e.action != Action.RECEIVED:
            minutes = clock.service_minutes(cfg, max(since, case.clock_start), e.at)
        if e.action in DECIDING:
            since = e.at
        out.append((e, minutes))
    return out


def _closes(e: Event) -> bool:
    """The case leaves the office: handed over, returned to the applicant, or cancelled."""
    return (e.action in (Action.HANDED_OVER, Action.CANCELLED)
            or (e.action == Action.RETURNED and e.step in RETURNS_TO_APPLICANT))


def month_figures(cases: Sequence[CaseFacts], events: Sequence[Event], cfg: Config,
                  year: int, month: int) -> Figures:
    """The month's figures from the cases and all their events (events in register order).

    Cases may reach outside the month: what counts is when things happened."""
    lo, hi = clock.month_bounds(cfg, year, month)
    tz = cfg.tz
    working = clock.working_days_of_month(cfg, year, month)
    days_off = clock.days_off(cfg, date(year, month, 1), (hi - timedelta(days=1)).date())
    by_case: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        by_case[e.case_id].append(e)

    received = [c for c in cases if lo <= c.received_at < hi]
    per_day = dict.fromkeys(working, 0)
    for c in received:
        day = c.clock_start.astimezone(tz).date()
        if day in per_day:
            per_day[day] += 1

    step_values: dict[int, list[float]] = defaultdict(list)
    totals: list[float] = []
    email = dict.fromkeys(EMAIL_OUTCOMES, 0)
    returns: dict[tuple[int, str], list[str]] = defaultdict(list)
    load: dict[tuple[str, str], list[tuple[Event, float]]] = {}
    late: list[LateCase] = []
    counts: dict[str, int] = defaultdict(int)
    std_total = float(sum(cfg.minutes.values()))

    for c in cases:
        history = step_minutes(cfg, c, by_case.get(c.id, []))
        per_step: dict[int, list[float]] = defaultdict(list)
        for e, minutes in history:
            if minutes is not None:
                per_step[e.step].append(minutes)
        closed_at = next((e.at for e, _ in history if _closes(e)), None)
        before_end = [e for e, _ in history if e.at < hi and e.action in DECIDING]
        if c.received_at < hi and (closed_at is None or closed_at >= hi):
            counts["still_open"] += 1
            if before_end and before_end[-1].action == Action.READY:
                counts["awaiting_pickup"] += 1
        for e, minutes in history:
            if not lo <= e.at < hi:
                continue
            if minutes is not None:
                step_values[e.step].append(minutes)
                if e.officer_nip or e.officer_name:
                    key = (e.officer_nip or e.officer_name, e.officer_name)
                    load.setdefault(key, []).append((e, minutes))
            if e.action == Action.SIGNED:
                counts["issued"] += 1
            elif e.action == Action.CANCELLED:
                counts["cancelled"] += 1
            elif e.action == Action.PRINTED:
                outcome = str(e.details().get("email") or "tidak ada")
                if outcome != "antre":  # queued: counted when `e-mail terkirim` records it
                    email[outcome] = email.get(outcome, 0) + 1
            elif e.action == Action.MAILED:
                email["terkirim"] = email.get("terkirim", 0) + 1
            elif e.action == Action.RETURNED:
                counts["returned" if e.step in RETURNS_TO_APPLICANT else "corrections"] += 1
                returns[(e.step, _reason(e).casefold())].append(_reason(e))
            elif e.action == Action.HANDED_OVER:
                counts["handed_over"] += 1
                total = clock.service_minutes(cfg, c.clock_start, e.at)
                totals.append(total)
                if total > std_total + 1e-9:
                    late.append(_late_case(cfg, c, total, per_step))

    workload = []
    for (_key, name), done in load.items():
        first = done[0][0]
        workload.append(Workload(
            role=_role_name(cfg, first), name=name or "-", nip=first.officer_nip,
            decisions=len(done), returns=sum(1 for e, _ in done if e.action == Action.RETURNED),
            median=percentile([m for _, m in done], 50)))
    role_order = {r.name: i for i, r in enumerate(sop.ROLES)}
    workload.sort(key=lambda w: (role_order.get(w.role, 99), w.name))

    return Figures(
        year=year, month=month, working_days=tuple(working), days_off=days_off,
        received=len(received), outside_hours=sum(1 for c in received if c.outside_hours),
        cancelled=counts["cancelled"], issued=counts["issued"],
        handed_over=counts["handed_over"], returned=counts["returned"],
        corrections=counts["corrections"], still_open=counts["still_open"],
        awaiting_pickup=counts["awaiting_pickup"], email=email,
        per_day=tuple(per_day.items()),
        steps={n: Times(cfg.minutes[n], tuple(step_values.get(n, ()))) for n in MEASURED_STEPS},
        total=Times(std_total, tuple(totals)),
        returns=tuple(sorted((Return(step, spelled[0], len(spelled))
                              for (step, _), spelled in returns.items()),
                             key=lambda r: (r.step, -r.count, r.reason))),
        workload=tuple(workload),
        late=tuple(sorted(late, key=lambda x: -x.total)),
    )


@dataclass(frozen=True)
class ServiceFigures:
    """One service's figures of the month (its cases and their events only)."""

    code: str
    title: str  # the service's title; its code if this installation no longer runs it
    sop: str  # "SOP <number> (<date>)" as the report cites it; "" for an unknown service
    figures: Figures


def sop_cited(service: services.Service, cfg: Config) -> str:
    """"SOP 800/003-SOP/DUKCAPIL/2022 (1 Agustus 2022)": the number and the revision in
    force (the SOP's own date when never revised; the office's words first)."""
    number, day = cfg.sop_of(service)
    if day is None:  # a date not known to us: the number (or the service's words) alone
        return number if number.startswith("SOP") else f"SOP {number}"
    return f"SOP {number} ({clock.long_date(day)})"


def service_figures(cases: Sequence[CaseFacts], events: Sequence[Event], cfg: Config,
                    year: int, month: int) -> tuple[ServiceFigures, ...]:
    """Each service's figures apart (KK WNA first, then as registered), when *cases* hold
    any case of a service other than KK WNA; () when all are KK WNA's, so its report reads
    as it did before services. The figures of all together stay `month_figures`'."""
    codes = {c.service for c in cases}
    if codes <= {services.DEFAULT}:
        return ()
    known = [s.code for s in services.all()]
    order = [services.DEFAULT, *[c for c in known if c in codes and c != services.DEFAULT],
             *sorted(codes - set(known))]
    out = []
    for code in order:
        mine = [c for c in cases if c.service == code]
        ids = {c.id for c in mine}
        fig = month_figures(mine, [e for e in events if e.case_id in ids], cfg, year, month)
        try:
            svc = services.get(code)
        except KeyError:
            out.append(ServiceFigures(code, code, "", fig))
        else:
            out.append(ServiceFigures(code, svc.title, sop_cited(svc, cfg), fig))
    return tuple(out)


def _late_case(cfg: Config, c: CaseFacts, total: float,
               per_step: dict[int, list[float]]) -> LateCase:
    """The step that held the case: the most minutes beyond its standard for one pass
    (a step done again after a correction counts every round against one standard)."""
    def excess(step: int) -> float:
        return sum(per_step[step]) - cfg.minutes[step]

    held = max(sorted(per_step), key=excess) if per_step else 1
    return LateCase(c.id, c.title, total, held, sum(per_step.get(held, [])), cfg.minutes[held])


def comparison(now: Figures, before: Figures) -> list[tuple[str, str, str, str]]:
    """(what, previous month, this month, change) for the headline figures."""
    def row(what: str, a: float | None, b: float | None, as_share: bool = False
            ) -> tuple[str, str, str, str]:
        show = percent if as_share else number
        if a is None or b is None:
            change = "-"
        else:
            delta = (b - a) * (100 if as_share else 1)
            change = ("+" if delta > 0 else "") + number(delta) + (" poin" if as_share else "")
        return what, show(a), show(b), change

    return [
        row("Permohonan diterima", before.received, now.received),
        row("KK diterbitkan (TTE)", before.issued, now.issued),
        row("KK diserahkan", before.handed_over, now.handed_over),
        row("Dikembalikan kepada pemohon", before.returned, now.returned),
        row("Median waktu per kasus (menit)", before.total.median, now.total.median),
        row("Kasus dalam mutu baku", before.total.within, now.total.within, as_share=True),
    ]


# --- the spreadsheet copy ------------------------------------------------------------------------

CSV_HEADER = ("bagian", "butir", "rincian", "nilai")


def csv_rows(fig: Figures, before: Figures, parts: Sequence[ServiceFigures] = ()
             ) -> list[tuple[str, str, str, str]]:
    """Every figure of the report, one per row (Indonesian decimal comma); each service's
    summary apart ("layanan") when there are *parts*."""
    rows: list[tuple[str, str, str, str]] = [
        ("periode", "bulan", fig.label, f"{fig.year}-{fig.month:02d}"),
        ("periode", "hari kerja", "", str(len(fig.working_days))),
    ]
    rows += [("periode", "hari libur", clock.short_date(d), name)
             for d, name in fig.days_off.items()]
    rows += [("ringkasan", what, "", value) for what, value in summary(fig)]
    for part in parts:
        rows += [("layanan", part.title, what, value) for what, value in summary(part.figures)]
    rows += [("email", "pengiriman KK", outcome, str(fig.email.get(outcome, 0)))
             for outcome in EMAIL_OUTCOMES]
    rows += [("permohonan per hari kerja", clock.short_date(d), "", str(n))
             for d, n in fig.per_day]
    for n, t in fig.steps.items():
        where = f"langkah {n}"
        rows += [("waktu langkah", where, "mutu baku (menit)", number(t.standard)),
                 ("waktu langkah", where, "jumlah", str(t.count)),
                 ("waktu langkah", where, "median (menit)", number(t.median)),
                 ("waktu langkah", where, "persentil 90 (menit)", number(t.p90)),
                 ("waktu langkah", where, "dalam mutu baku", percent(t.within))]
    t = fig.total
    rows += [("waktu per kasus", "total", "mutu baku (menit)", number(t.standard)),
             ("waktu per kasus", "total", "jumlah", str(t.count)),
             ("waktu per kasus", "total", "median (menit)", number(t.median)),
             ("waktu per kasus", "total", "persentil 90 (menit)", number(t.p90)),
             ("waktu per kasus", "total", "dalam mutu baku", percent(t.within))]
    rows += [("sebaran waktu per kasus", f"{label} menit", "", str(n))
             for label, n, _ in fig.histogram()]
    rows += [("pengembalian", f"langkah {r.step}", r.reason, str(r.count)) for r in fig.returns]
    for w in fig.workload:
        who = f"{w.name} ({w.nip})" if w.nip else w.name
        rows += [("beban kerja", who, f"{w.role}: keputusan", str(w.decisions)),
                 ("beban kerja", who, f"{w.role}: dikembalikan", str(w.returns)),
                 ("beban kerja", who, f"{w.role}: median (menit)", number(w.median))]
    for x in fig.late:
        rows += [("melebihi mutu baku", x.case_id, "total (menit)", number(x.total)),
                 ("melebihi mutu baku", x.case_id, f"langkah {x.step} (menit)",
                  number(x.step_minutes))]
    rows += [("perbandingan", what, f"bulan lalu ({before.label})", a)
             for what, a, _, _ in comparison(fig, before)]
    rows += [("perbandingan", what, "perubahan", change)
             for what, _, _, change in comparison(fig, before)]
    return rows


def summary(fig: Figures) -> list[tuple[str, str]]:
    """The month in numbers: (what, value), as the report's first table shows them."""
    return [
        ("Permohonan diterima", str(fig.received)),
        ("Diterima di luar jam layanan", str(fig.outside_hours)),
        ("Dibatalkan (berkas ditarik)", str(fig.cancelled)),
        ("KK diterbitkan (TTE)", str(fig.issued)),
        ("KK diserahkan kepada pemohon", str(fig.handed_over)),
        ("Dikembalikan kepada pemohon", str(fig.returned)),
        ("Dikoreksi di dalam kantor", str(fig.corrections)),
        ("Masih dalam proses pada akhir bulan", str(fig.still_open)),
        ("di antaranya KK menunggu diambil", str(fig.awaiting_pickup)),
        ("Rata-rata permohonan per hari kerja",
         average(fig.received / len(fig.working_days) if fig.working_days else None)),
    ]


def csv_text(fig: Figures, before: Figures, parts: Sequence[ServiceFigures] = ()) -> str:
    buf = io.StringIO()
    out = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    out.writerow(CSV_HEADER)
    out.writerows(csv_rows(fig, before, parts))
    return buf.getvalue()


# --- the register and the files ------------------------------------------------------------------

def load_month(reg: Register, cfg: Config, year: int, month: int
               ) -> tuple[list[CaseRow], list[Event]]:
    """The cases that matter for *month* and its previous month, with all their events.

    One query over the register: every case received before the month's end that was not
    already closed (handed over, returned, cancelled) before the previous month began.
    The bounds are widened by a day as text (ISO strings in the office zone compare in
    time order) and `month_figures` applies the exact ones."""
    start, _ = clock.month_bounds(cfg, *clock.previous_month(year, month))
    _, end = clock.month_bounds(cfg, year, month)
    lo = (start - timedelta(days=1)).date().isoformat()
    hi = (end + timedelta(days=1)).date().isoformat()
    steps = ", ".join(str(int(n)) for n in RETURNS_TO_APPLICANT)  # from the SOP table
    relevant = (
        "SELECT id FROM cases WHERE received_at < :hi AND id NOT IN ("
        " SELECT case_id FROM events WHERE at < :lo AND (action IN ('diserahkan', 'dibatalkan')"
        f" OR (action = 'dikembalikan' AND step IN ({steps}))))")
    params = {"hi": hi, "lo": lo}
    cases = [CaseRow(r[0], r[1], datetime.fromisoformat(r[2]), datetime.fromisoformat(r[3]),
                     bool(r[4]), r[5])
             for r in reg.db.execute(
                 "SELECT id, title, received_at, clock_start, outside_hours, service FROM cases"
                 f" WHERE id IN ({relevant}) ORDER BY year, seq", params)]
    events = [Event(r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4], r[5], r[6])
              for r in reg.db.execute(
                  "SELECT case_id, at, step, action, officer_name, officer_nip, detail"
                  f" FROM events WHERE case_id IN ({relevant}) ORDER BY id", params)]
    return cases, events
