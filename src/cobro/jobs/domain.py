"""When a job is due: pure schedule rules over explicit instants, a time zone and a business-day calendar.

A scheduled job has *slots*: instants at which it should run once (the daily cycle at 06:00 tenant-local time on
the tenant's business days, retraining on Sundays at 03:00).  The worker asks for the latest slot that is due
now and not yet run; a machine that was off over several slots therefore runs the job once, for the latest slot,
when it starts (running the cycle for every missed day would send a week of reminders on one morning).  A
continuous job (the outbox, webhooks, the statement inbox) has no slots: it runs every `interval` seconds.

Local times are resolved like a wall clock would: a time that does not exist on the day clocks spring forward is
taken as the instant right after the gap (02:30 becomes 03:30 summer time), a time that happens twice when they
fall back is the first of the two.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cobro.kernel.calendar import Calendar, HolidayCalendar, WeekendCalendar

UTC = dt.UTC
LOOKBACK_DAYS = 31  # how far back a missed slot is looked for (a machine off for a month runs once on start)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Kind(StrEnum):
    DAILY = "daily"  # once a business day at a local time
    WEEKLY = "weekly"  # once a week on a weekday at a local time
    CONTINUOUS = "continuous"  # every `interval` seconds


class RunStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # will be retried while attempts remain
    GAVE_UP = "gave_up"  # failed `max_attempts` times


class Scope(StrEnum):
    TENANT = "tenant"  # one run per tenant (the cycle, retraining, a tenant's inbox)
    GLOBAL = "global"  # one run for the installation (the outbox and webhook queues serve every tenant)


@dataclass(frozen=True, slots=True)
class Schedule:
    kind: Kind
    at: dt.time = dt.time(0, 0)
    weekday: int = 0  # 0 = Monday, for weekly jobs
    interval: float = 0.0  # seconds, for continuous jobs
    business_days_only: bool = True  # daily jobs skip weekends and the tenant's public holidays

    @classmethod
    def daily(cls, at: dt.time, *, business_days_only: bool = True) -> Schedule:
        return cls(Kind.DAILY, at=at, business_days_only=business_days_only)

    @classmethod
    def weekly(cls, weekday: int, at: dt.time) -> Schedule:
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday}")
        return cls(Kind.WEEKLY, at=at, weekday=weekday)

    @classmethod
    def every(cls, seconds: float) -> Schedule:
        if seconds <= 0:
            raise ValueError(f"interval must be positive, got {seconds}")
        return cls(Kind.CONTINUOUS, interval=seconds)

    def describe(self) -> str:
        at = self.at.strftime("%H:%M")
        if self.kind is Kind.DAILY:
            return f"daily {at} local" + (", business days" if self.business_days_only else "")
        if self.kind is Kind.WEEKLY:
            return f"weekly {WEEKDAYS[self.weekday]} {at} local"
        return f"every {self.interval:g}s"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a tenant's clock runs: its time zone and its business days."""

    tz: ZoneInfo
    calendar: Calendar

    @classmethod
    def of(cls, time_zone: str, country: str) -> Place:
        """From a tenant profile's fields; an empty or unknown zone is UTC, no country means weekends only."""
        try:
            tz = ZoneInfo(time_zone) if time_zone else ZoneInfo("UTC")
        except (ZoneInfoNotFoundError, ValueError):
            tz = ZoneInfo("UTC")
        calendar: Calendar = HolidayCalendar(country.upper()) if country else WeekendCalendar()
        return cls(tz, calendar)


def parse_time(value: str) -> dt.time:
    """`HH:MM` (24-hour), as the settings give it; ValueError names the value."""
    try:
        hours, minutes = value.strip().split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"time must be HH:MM (24-hour), got {value!r}") from None


def local_instant(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    """`day` at wall-clock `at` in `tz`, as a UTC instant (gaps and folds resolved as the module says)."""
    # fold=0 (PEP 495) reads a time inside a gap with the offset before it, which lands right after the gap,
    # and a repeated time as its first occurrence
    return dt.datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC)


def _runs_on(schedule: Schedule, day: dt.date, place: Place) -> bool:
    if schedule.kind is Kind.WEEKLY:
        return day.weekday() == schedule.weekday
    return not schedule.business_days_only or place.calendar.is_business_day(day)


def latest_slot(schedule: Schedule, now: dt.datetime, place: Place) -> dt.datetime | None:
    """The latest slot at or before `now` (None for a continuous job, or none within LOOKBACK_DAYS)."""
    if schedule.kind is Kind.CONTINUOUS:
        return None
    today = now.astimezone(place.tz).date()
    for back in range(LOOKBACK_DAYS + 1):
        day = today - dt.timedelta(days=back)
        if _runs_on(schedule, day, place):
            slot = local_instant(day, schedule.at, place.tz)
            if slot <= now:
                return slot
    return None


def next_slot(schedule: Schedule, now: dt.datetime, place: Place) -> dt.datetime | None:
    """The first slot strictly after `now` (for a continuous job: `now` + its interval)."""
    if schedule.kind is Kind.CONTINUOUS:
        return now + dt.timedelta(seconds=schedule.interval)
    today = now.astimezone(place.tz).date()
    for ahead in range(370):
        day = today + dt.timedelta(days=ahead)
        if _runs_on(schedule, day, place):
            slot = local_instant(day, schedule.at, place.tz)
            if slot > now:
                return slot
    return None


def due_slot(schedule: Schedule, now: dt.datetime, place: Place, last_slot: dt.datetime | None) -> dt.datetime | None:
    """The slot to run now: the latest one due, unless it (or a later one) has already been run."""
    slot = latest_slot(schedule, now, place)
    if slot is None or (last_slot is not None and last_slot >= slot):
        return None
    return slot


def slot_day(slot: dt.datetime, place: Place) -> dt.date:
    """The tenant-local date a slot belongs to: the `as_of` of the cycle it runs."""
    return slot.astimezone(place.tz).date()


def retry_at(attempts: int, now: dt.datetime, *, base_seconds: float, max_attempts: int) -> dt.datetime | None:
    """When a job that failed `attempts` times runs again (doubling from `base_seconds`), or None: give up."""
    if attempts >= max_attempts:
        return None
    return now + dt.timedelta(seconds=base_seconds * 2 ** (attempts - 1))


def continuous_due(schedule: Schedule, now: dt.datetime, last_run: dt.datetime | None) -> bool:
    return last_run is None or (now - last_run).total_seconds() >= schedule.interval
