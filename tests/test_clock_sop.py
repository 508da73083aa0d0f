from datetime import datetime

import pytest

from pipeline.domain import clock, sop


def at(text):
    return datetime.fromisoformat(text)


@pytest.mark.parametrize("moment, open_, opening", [
    ("2026-11-23T09:00+08:00", True, "2026-11-23T09:00+08:00"),   # Monday morning
    ("2026-11-23T07:59+08:00", False, "2026-11-23T08:00+08:00"),  # before opening
    ("2026-11-23T15:00+08:00", False, "2026-11-24T08:00+08:00"),  # closing time itself
    ("2026-11-27T16:30+08:00", False, "2026-11-30T08:00+08:00"),  # Friday evening
    ("2026-11-28T10:00+08:00", False, "2026-11-30T08:00+08:00"),  # Saturday
    ("2026-11-23T01:30+00:00", True, "2026-11-23T09:30+08:00"),   # UTC host, WITA office
])
def test_service_hours_and_next_opening(cfg, moment, open_, opening):
    assert clock.in_service_hours(cfg, at(moment)) is open_
    assert clock.next_opening(cfg, at(moment)) == at(opening)


def test_holiday_is_not_a_working_day(cfg):
    from dataclasses import replace
    from datetime import date
    holiday_cfg = replace(cfg, holidays=frozenset({date(2026, 12, 25)}))
    assert not clock.in_service_hours(holiday_cfg, at("2026-12-25T09:00+08:00"))
    assert clock.next_opening(holiday_cfg, at("2026-12-25T09:00+08:00")) == at(
        "2026-12-28T08:00+08:00")


def test_sop_table_matches_the_standard():
    assert [s.number for s in sop.STEPS] == list(range(1, 12))
    assert sum(s.minutes for s in sop.STEPS) == sop.TOTAL_MINUTES == 22
    # the hand-over officer acts at the desk of steps 10-11, but the SOP's table names
    # Adm SIAK (step 10) and the applicant (step 11) as the ones who act
    assert {s.role.key for s in sop.STEPS} == {r.key for r in sop.ROLES} - {"penyerahan"}
    assert sop.step(2).returns_to == sop.APPLICANT == sop.step(3).returns_to
    assert sop.step(5).returns_to == 4 and sop.step(6).returns_to == 5
    assert sop.step_of_desk("03-verifikator").number == 3


def test_document_names_count_rounds():
    assert sop.document_name(4, "konsep KK") == "04 konsep KK.pdf"
    assert sop.document_name(4, "konsep KK", 3) == "04 konsep KK (3).pdf"


# --- the SOP clock: service minutes ------------------------------------------------------------

def off(cfg, *days):
    from dataclasses import replace
    from datetime import date
    return replace(cfg, holidays=frozenset(date.fromisoformat(d) for d in days))


@pytest.mark.parametrize("start, end, minutes", [
    ("2026-11-23T09:00+08:00", "2026-11-23T09:12+08:00", 12),       # inside one morning
    ("2026-11-23T14:55+08:00", "2026-11-24T08:10+08:00", 15),       # over the night
    ("2026-11-27T14:55+08:00", "2026-11-30T08:10+08:00", 15),       # Friday to Monday
    ("2026-11-28T10:00+08:00", "2026-11-29T12:00+08:00", 0),        # all weekend
    ("2026-11-23T06:00+08:00", "2026-11-23T08:30+08:00", 30),       # before opening
    ("2026-11-23T14:30+08:00", "2026-11-23T19:00+08:00", 30),       # after closing
    ("2026-11-23T16:00+08:00", "2026-11-23T18:00+08:00", 0),        # only after hours
    ("2026-11-23T09:00+08:00", "2026-11-30T09:00+08:00", 5 * 420),  # a week
    ("2026-11-23T09:00+08:00", "2026-11-23T08:00+08:00", 0),        # end before start
    ("2026-11-23T09:00:30+08:00", "2026-11-23T09:01:00+08:00", 0.5),  # seconds count
    ("2026-11-23T01:00+00:00", "2026-11-23T02:00+00:00", 60),       # UTC host, WITA office
    # national holidays (the holidays library): Christmas 2026 is a Friday
    ("2026-12-24T14:50+08:00", "2026-12-28T08:05+08:00", 15),
    ("2026-12-25T09:00+08:00", "2026-12-25T11:00+08:00", 0),
    # a year end: 31-12-2026 (Thursday), 01-01-2027 New Year (Friday), weekend, Monday
    ("2026-12-31T14:40+08:00", "2027-01-04T08:20+08:00", 40),
    # Idul Fitri 2026 (21-22 March, a weekend) and Nyepi (19 March, a Thursday)
    ("2026-03-18T14:00+08:00", "2026-03-23T08:30+08:00", 60 + 420 + 30),
])
def test_service_minutes_edges(cfg, start, end, minutes):
    assert clock.service_minutes(cfg, at(start), at(end)) == pytest.approx(minutes)


def test_service_minutes_skips_the_offices_own_days_off(cfg):
    # the office keeps 24-12-2026 (cuti bersama) as a day off; 25-12 is Christmas
    cuti = off(cfg, "2026-12-24")
    assert clock.service_minutes(cuti, at("2026-12-23T14:50+08:00"),
                                 at("2026-12-28T08:05+08:00")) == pytest.approx(15)
    assert not clock.is_working_day(cuti, at("2026-12-24T09:00+08:00").date())
    assert clock.holiday_name(cuti, at("2026-12-24T09:00+08:00").date()) == "libur kantor"


def test_cuti_bersama_from_the_library_only_when_asked(cfg):
    from dataclasses import replace

    from pipeline.office.config import Calendar
    day = at("2026-12-24T09:00+08:00").date()
    assert clock.is_working_day(cfg, day)
    with_cuti = replace(cfg, calendar=Calendar("ID", cuti_bersama=True))
    assert not clock.is_working_day(with_cuti, day)
    assert "Cuti Bersama" in (clock.holiday_name(with_cuti, day) or "")
    no_national = replace(cfg, calendar=Calendar("", False))
    assert clock.is_working_day(no_national, at("2026-12-25T09:00+08:00").date())


def test_national_holidays_have_indonesian_names(cfg):
    assert clock.holiday_name(cfg, at("2026-08-17T09:00+08:00").date()) == (
        "Hari Kemerdekaan Republik Indonesia")
    assert clock.holiday_name(cfg, at("2026-08-18T09:00+08:00").date()) is None
    assert clock.next_opening(cfg, at("2026-08-17T09:00+08:00")) == at("2026-08-18T08:00+08:00")


def test_long_spans_agree_with_counting_day_by_day(cfg):
    from datetime import timedelta
    cuti = off(cfg, "2026-06-02", "2027-02-08")
    start = at("2026-05-29T13:17+08:00")
    for days in (0, 1, 3, 9, 40, 200, 400, 800):
        end = start + timedelta(days=days, hours=20, minutes=3)
        by_day = 0.0
        moment = start
        while moment < end:  # half-hour slices on the clock (opening and closing are on one)
            half = moment.replace(minute=moment.minute // 30 * 30, second=0)
            nxt = min(end, half + timedelta(minutes=30))
            if clock.in_service_hours(cuti, moment):
                by_day += (nxt - moment).total_seconds() / 60
            moment = nxt
        assert clock.service_minutes(cuti, start, end) == pytest.approx(by_day), days


def test_working_days_of_a_month(cfg):
    november = clock.working_days_of_month(cfg, 2026, 11)
    assert len(november) == 21 and november[0].day == 2 and november[-1].day == 30
    december = clock.working_days_of_month(off(cfg, "2026-12-24"), 2026, 12)
    assert len(december) == 23 - 2  # 23 weekdays less 24 (office) and 25 (Christmas)
    assert clock.days_off(off(cfg, "2026-12-24"), december[0], december[-1]) == {
        at("2026-12-24T00:00+08:00").date(): "libur kantor",
        at("2026-12-25T00:00+08:00").date(): "Hari Raya Natal"}


def test_service_minutes_is_fast_on_long_spans(cfg):
    import time
    start, end = at("2020-01-02T09:00+08:00"), at("2030-06-30T10:00+08:00")
    t0 = time.perf_counter()
    for _ in range(2000):
        clock.service_minutes(cfg, start, end)
    assert time.perf_counter() - t0 < 1.0


def test_one_way_to_write_office_dates(cfg):
    moment = at("2026-11-23T06:05+00:00")
    assert clock.stamp(moment, cfg.tz) == "23-11-2026 14:05 WITA"
    assert clock.long_datetime(moment, cfg.tz) == "23 November 2026 pukul 14.05 WITA"
    assert clock.long_date(moment.date()) == "23 November 2026"
    assert clock.short_date(moment.date()) == "23-11-2026"
    assert clock.month_year(2026, 2) == "Februari 2026" and clock.month_name(8) == "Agustus"


@pytest.mark.parametrize("calendar, message", [
    ({"national_holidays": "XX"}, r"\[calendar\] national_holidays: harus kode negara"),
    ({"national_holidays": 1}, r"\[calendar\] national_holidays: harus teks"),
    ({"cuti_bersama": "ya"}, r"\[calendar\] cuti_bersama: harus true atau false"),
])
def test_a_bad_calendar_is_named(calendar, message):
    import tomllib

    from pipeline.office import config
    data = tomllib.loads(config.DEFAULT)
    data["calendar"] = calendar
    with pytest.raises(config.ConfigError, match=message):
        config.parse(data)
    data["calendar"] = {"national_holidays": "", "cuti_bersama": True}
    assert config.parse(data).calendar == config.Calendar("", True)
