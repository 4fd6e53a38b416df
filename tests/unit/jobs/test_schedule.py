"""Schedule rules with small examples: business days, public holidays, DST, missed runs, weekly, continuous."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cobro.jobs.domain import (
    Place,
    Schedule,
    continuous_due,
    due_slot,
    latest_slot,
    local_instant,
    next_slot,
    parse_time,
    retry_at,
    slot_day,
)
from cobro.jobs.registry import Job, Registry, UnknownJobError
from cobro.kernel.calendar import WeekendCalendar

UTC = dt.UTC
MADRID = ZoneInfo("Europe/Madrid")
SPAIN = Place.of("Europe/Madrid", "ES")
DAILY = Schedule.daily(dt.time(6, 0))


def at(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=UTC)


def test_daily_slot_is_the_local_time_in_utc() -> None:
    # Friday 4 December 2026, 06:00 in Madrid (winter, UTC+1) is 05:00 UTC
    assert latest_slot(DAILY, at(2026, 12, 4, 9), SPAIN) == at(2026, 12, 4, 5)
    # before today's slot, the latest is yesterday's
    assert latest_slot(DAILY, at(2026, 12, 4, 4, 59), SPAIN) == at(2026, 12, 3, 5)
    assert next_slot(DAILY, at(2026, 12, 4, 4, 59), SPAIN) == at(2026, 12, 4, 5)


def test_weekends_and_public_holidays_have_no_slot() -> None:
    # Saturday and Sunday: the latest slot stays Friday's; the next is Monday's
    assert latest_slot(DAILY, at(2026, 12, 6, 12), SPAIN) == at(2026, 12, 4, 5)
    assert next_slot(DAILY, at(2026, 12, 5, 12), SPAIN) == at(2026, 12, 7, 5)
    # 8 December (Inmaculada Concepción) is a national holiday in Spain: Monday 7 is followed by Wednesday 9
    assert next_slot(DAILY, at(2026, 12, 7, 6), SPAIN) == at(2026, 12, 9, 5)
    # without a country only weekends are closed: the 8th has a slot
    weekdays = Place.of("Europe/Madrid", "")
    assert next_slot(DAILY, at(2026, 12, 7, 6), weekdays) == at(2026, 12, 8, 5)
    # a job that runs every day ignores the calendar
    every_day = Schedule.daily(dt.time(6, 0), business_days_only=False)
    assert latest_slot(every_day, at(2026, 12, 6, 12), SPAIN) == at(2026, 12, 6, 5)


def test_daylight_saving_time_moves_the_utc_instant_not_the_local_time() -> None:
    # 06:00 local is 05:00 UTC in winter and 04:00 UTC in summer (clocks went forward on 29 March 2026)
    assert latest_slot(DAILY, at(2026, 3, 27, 12), SPAIN) == at(2026, 3, 27, 5)
    assert latest_slot(DAILY, at(2026, 3, 30, 12), SPAIN) == at(2026, 3, 30, 4)
    # a time inside the spring-forward gap (02:30 does not exist) runs right after it: 03:30 summer time
    gap = local_instant(dt.date(2026, 3, 29), dt.time(2, 30), MADRID)
    assert gap == at(2026, 3, 29, 1, 30) and gap.astimezone(MADRID).hour == 3
    # a time that happens twice when clocks fall back (25 October 2026) is the first of the two
    assert local_instant(dt.date(2026, 10, 25), dt.time(2, 30), MADRID) == at(2026, 10, 25, 0, 30)
    # the slot's day is the local date, even when UTC is still on the day before
    late = Schedule.daily(dt.time(0, 30), business_days_only=False)
    slot = latest_slot(late, at(2026, 12, 3, 23, 45), SPAIN)
    assert slot == at(2026, 12, 3, 23, 30) and slot_day(slot, SPAIN) == dt.date(2026, 12, 4)


def test_missed_slots_run_once_on_start() -> None:
    # the last run was Monday's; the machine was off until Thursday 10:00: only Thursday's slot is due
    monday = at(2026, 11, 30, 5)
    assert due_slot(DAILY, at(2026, 12, 3, 10), SPAIN, monday) == at(2026, 12, 3, 5)
    # started Thursday 05:30 (before today's 06:00 local): Wednesday's slot, once
    assert due_slot(DAILY, at(2026, 12, 3, 4, 30), SPAIN, monday) == at(2026, 12, 2, 5)
    # nothing is due once the latest slot has run
    assert due_slot(DAILY, at(2026, 12, 3, 10), SPAIN, at(2026, 12, 3, 5)) is None
    # a job that never ran runs its latest slot
    assert due_slot(DAILY, at(2026, 12, 5, 10), SPAIN, None) == at(2026, 12, 4, 5)


def test_weekly_job_runs_on_its_weekday() -> None:
    sunday_3am = Schedule.weekly(6, dt.time(3, 0))
    assert latest_slot(sunday_3am, at(2026, 12, 4, 12), SPAIN) == at(2026, 11, 29, 2)
    assert next_slot(sunday_3am, at(2026, 12, 4, 12), SPAIN) == at(2026, 12, 6, 2)
    assert sunday_3am.describe() == "weekly sun 03:00 local"
    with pytest.raises(ValueError, match="weekday"):
        Schedule.weekly(7, dt.time(3, 0))


def test_continuous_job_runs_every_interval() -> None:
    every5 = Schedule.every(5)
    now = at(2026, 12, 4, 12)
    assert latest_slot(every5, now, SPAIN) is None
    assert continuous_due(every5, now, None)
    assert not continuous_due(every5, now, now - dt.timedelta(seconds=4))
    assert continuous_due(every5, now, now - dt.timedelta(seconds=5))
    with pytest.raises(ValueError, match="positive"):
        Schedule.every(0)


def test_retry_doubles_then_gives_up() -> None:
    now = at(2026, 12, 4, 12)
    assert retry_at(1, now, base_seconds=60, max_attempts=3) == now + dt.timedelta(minutes=1)
    assert retry_at(2, now, base_seconds=60, max_attempts=3) == now + dt.timedelta(minutes=2)
    assert retry_at(3, now, base_seconds=60, max_attempts=3) is None


def test_a_tenant_profile_becomes_a_place() -> None:
    assert Place.of("", "").tz == ZoneInfo("UTC")
    assert Place.of("Mars/Olympus", "").tz == ZoneInfo("UTC")  # not a zone: UTC rather than a crash
    assert isinstance(Place.of("Europe/Madrid", "").calendar, WeekendCalendar)
    assert not SPAIN.calendar.is_business_day(dt.date(2026, 12, 8))


def test_times_are_parsed_strictly() -> None:
    assert parse_time("06:30") == dt.time(6, 30)
    for bad in ("6", "25:00", "06:61", "six"):
        with pytest.raises(ValueError, match="HH:MM"):
            parse_time(bad)


def test_registry_names_each_job_once() -> None:
    def job(container: object, tenant: str, *, as_of: dt.date, now: dt.datetime) -> str:
        return "ok"

    jobs = Registry()
    jobs.add(Job("a", DAILY, job))
    with pytest.raises(ValueError, match="twice"):
        jobs.add(Job("a", DAILY, job))
    with pytest.raises(UnknownJobError, match="the jobs are: a"):
        jobs.get("b")
    assert jobs.names() == ["a"] and jobs.get("a").scheduled
