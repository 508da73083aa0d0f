"""Office time: WITA by default, service hours, working days, SOP minutes, and how dates read.

Pure functions over aware datetimes; the only clock read is `now()`, which tests
replace through the KKWNA_NOW environment variable (ISO 8601, e.g. 2026-11-23T09:00+08:00).

The SOP clock (`service_minutes`) counts only service hours on working days: a case taken
at 14:55 and finished at 08:10 the next working day took 15 minutes. A working day is one of
``service.working_days`` that is neither a national holiday (the `holidays` library, for
the country in ``[calendar]``) nor one of the office's own days off (``service.holidays``).

This module is also the one place where office dates and times are written out, so every
document and message says "23 November 2026" and "23-11-2026 09:14 WITA" the same way.
"""

from __future__ import annotations

import bisect
import os
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from pipeline.office.config import Config

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def now(tz: ZoneInfo) -> datetime:
    fixed = os.environ.get("KKWNA_NOW")
    if fixed:
        moment = datetime.fromisoformat(fixed)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        return moment.astimezone(tz)
    return datetime.now(tz)


# --- days off -------------------------------------------------------------------------------

@cache
def national_holidays(country: str, year: int, cuti_bersama: bool = False) -> dict[date, str]:
    """The national days off of *year*, with their Indonesian names (cached: the library
    computes a year in about a millisecond, and the SOP clock asks for every day)."""
    if not country:
        return {}
    # imported here: loading the library costs ~60 ms, which a command that never asks
    # for a working day (`--help`, `verify`, `status` of an empty office) need not pay
    import holidays as holiday_library

    categories = ("public", "government") if cuti_bersama else ("public",)
    try:
        found = holiday_library.country_holidays(country, years=year, language="id",
                                                 categories=categories)
    except (NotImplementedError, ValueError):  # a language or category the country lacks
        found = holiday_library.country_holidays(country, years=year)
    return {day: str(name) for day, name in found.items()}


def holiday_name(cfg: Config, day: date) -> str | None:
    """Why *day* is a day off (a national holiday's name, or the office's own), else None."""
    if day in cfg.holidays:
        return "libur kantor"
    cal = cfg.calendar
    return national_holidays(cal.country, day.year, cal.cuti_bersama).get(day)


def is_working_day(cfg: Config, day: date) -> bool:
    return day.weekday() in cfg.working_days and holiday_name(cfg, day) is None


def days_off(cfg: Config, first: date, last: date) -> dict[date, str]:
    """The holidays (national and the office's own) from *first* to *last*, on days that
    would otherwise be working days, with their names."""
    found: dict[date, str] = {}
    cal = cfg.calendar
    for year in range(first.year, last.year + 1):
        for day, name in national_holidays(cal.country, year, cal.cuti_bersama).items():
            if first <= day <= last and day.weekday() in cfg.working_days:
                found[day] = name
    for day in cfg.holidays:
        if first <= day <= last and day.weekday() in cfg.working_days:
            found[day] = "libur kantor"
    return dict(sorted(found.items()))


@cache
def _off_ordinals(country: str, cuti_bersama: bool, own: frozenset[date],
                  working_days: tuple[int, ...], year: int) -> tuple[int, ...]:
    """Sorted ordinals of *year*'s holidays that fall on working weekdays."""
    days = set(national_holidays(country, year, cuti_bersama)) | {d for d in own
                                                                   if d.year == year}
    return tuple(sorted(d.toordinal() for d in days if d.weekday() in working_days))


def working_days_between(cfg: Config, first: date, last: date) -> int:
    """How many working days lie from *first* to *last*, both included (0 if last < first).

    Weekdays are counted by arithmetic and the year's holidays subtracted with a binary
    search, so a span of years costs no more than a span of days."""
    if last < first:
        return 0
    span = (last - first).days + 1
    weeks, rest = divmod(span, 7)
    count = weeks * len(set(cfg.working_days))
    count += sum(1 for i in range(rest) if (first.weekday() + i) % 7 in cfg.working_days)
    cal = cfg.calendar
    lo, hi = first.toordinal(), last.toordinal()
    for year in range(first.year, last.year + 1):
        offs = _off_ordinals(cal.country, cal.cuti_bersama, cfg.holidays,
                             tuple(cfg.working_days), year)
        count -= bisect.bisect_right(offs, hi) - bisect.bisect_left(offs, lo)
    return count


def working_days_of_month(cfg: Config, year: int, month: int) -> list[date]:
    first, following = date(year, month, 1), date(*next_month(year, month), 1)
    days = (first + timedelta(n) for n in range((following - first).days))
    return [d for d in days if is_working_day(cfg, d)]


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def month_bounds(cfg: Config, year: int, month: int) -> tuple[datetime, datetime]:
    """Midnight (office time) of the month's first day and of the next month's."""
    return (datetime(year, month, 1, tzinfo=cfg.tz),
            datetime(*next_month(year, month), 1, tzinfo=cfg.tz))


# --- service hours and the SOP clock --------------------------------------------------------

def in_service_hours(cfg: Config, moment: datetime) -> bool:
    local = moment.astimezone(cfg.tz)
    return is_working_day(cfg, local.date()) and cfg.open_at <= local.time() < cfg.close_at


def next_opening(cfg: Config, moment: datetime) -> datetime:
    """*moment* itself when the office is open then, else the next opening time."""
    local = moment.astimezone(cfg.tz)
    if in_service_hours(cfg, local):
        return local
    day = local.date()
    if local.time() >= cfg.open_at:
        day += timedelta(days=1)
    for _ in range(366):
        if is_working_day(cfg, day):
            return datetime.combine(day, cfg.open_at, tzinfo=cfg.tz)
        day += timedelta(days=1)
    raise ValueError("no working day within a year: check service.working_days")


def _minutes_of_day(t: time) -> float:
    return t.hour * 60 + t.minute + t.second / 60 + t.microsecond / 60e6


def service_minutes(cfg: Config, start: datetime, end: datetime) -> float:
    """Minutes of service hours on working days between *start* and *end* (0 if end <= start).

    The SOP's clock: time outside hours, at weekends and on holidays does not count.
    Cost: a few operations for the first and last day plus `working_days_between`."""
    if end <= start:
        return 0.0
    a, b = start.astimezone(cfg.tz), end.astimezone(cfg.tz)
    opens, closes = _minutes_of_day(cfg.open_at), _minutes_of_day(cfg.close_at)

    def served(day: date, lo: float, hi: float) -> float:
        """Service minutes of *day* between minute-of-day lo and hi."""
        if not is_working_day(cfg, day):
            return 0.0
        return max(0.0, min(hi, closes) - max(lo, opens))

    first, last = a.date(), b.date()
    if first == last:
        return served(first, _minutes_of_day(a.time()), _minutes_of_day(b.time()))
    full_days = working_days_between(cfg, first + timedelta(1), last - timedelta(1))
    return (served(first, _minutes_of_day(a.time()), 24 * 60)
            + full_days * (closes - opens)
            + served(last, 0.0, _minutes_of_day(b.time())))


# --- how office dates and times are written ---------------------------------------------------

def month_name(month: int) -> str:
    """``November``."""
    return MONTHS[month - 1]


def month_year(year: int, month: int) -> str:
    """``November 2026``."""
    return f"{MONTHS[month - 1]} {year}"


def long_date(day: date) -> str:
    """``23 November 2026``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date) -> str:
    """``23-11-2026`` (the form's DD-MM-YYYY)."""
    return f"{day.day:02d}-{day.month:02d}-{day.year}"


def zone_name(moment: datetime) -> str:
    """``WITA`` for +08:00 (WIB +07:00, WIT +09:00), else the zone's own abbreviation."""
    offset = moment.utcoffset()
    if offset is None:
        return ""
    hours = offset.total_seconds() / 3600
    named = {7.0: "WIB", 8.0: "WITA", 9.0: "WIT"}.get(hours)
    return named or moment.tzname() or f"UTC{hours:+g}"


def stamp(moment: datetime, tz: ZoneInfo) -> str:
    """``23-11-2026 09:14 WITA``: in the office's zone, with its abbreviation."""
    local = moment.astimezone(tz)
    return f"{short_date(local.date())} {local:%H:%M} {zone_name(local)}".strip()


def long_datetime(moment: datetime, tz: ZoneInfo) -> str:
    """``23 November 2026 pukul 14.05 WITA``."""
    local = moment.astimezone(tz)
    return f"{long_date(local.date())} pukul {local:%H.%M} {zone_name(local)}".strip()
