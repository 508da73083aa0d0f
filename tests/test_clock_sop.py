from datetime import datetime

import pytest

from pipeline import clock, sop


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
