"""Office time: WITA by default, service hours, working days, and SOP minutes waited.

Pure functions over aware datetimes; the only clock read is `now()`, which tests
replace through the KKWNA_NOW environment variable (ISO 8601, e.g. 2026-11-23T09:00+08:00).
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline.config import Config

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")


def now(tz: ZoneInfo) -> datetime:
    fixed = os.environ.get("KKWNA_NOW")
    if fixed:
        moment = datetime.fromisoformat(fixed)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        return moment.astimezone(tz)
    return datetime.now(tz)


def is_working_day(cfg: Config, day: date) -> bool:
    return day.weekday() in cfg.working_days and day not in cfg.holidays


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


def minutes_between(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 60)


def long_date(day: date) -> str:
    """``23 November 2026``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def stamp(moment: datetime, tz: ZoneInfo) -> str:
    """``23-11-2026 09:14 WITA``: in the office's zone, with its abbreviation."""
    local = moment.astimezone(tz)
    return f"{local.strftime('%d-%m-%Y %H:%M')} {local.tzname() or ''}".strip()
