"""Business-day calendars.  The domain sees only the `Calendar` protocol; `holidays` supplies the dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import holidays


class Calendar(Protocol):
    def is_business_day(self, day: dt.date) -> bool: ...


@dataclass(frozen=True)
class WeekendCalendar:
    """Monday to Friday, no holidays."""

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5


@lru_cache(maxsize=64)
def _holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


@dataclass(frozen=True)
class HolidayCalendar:
    """Weekends plus the public holidays of a country (and optionally a region, e.g. ES-MD)."""

    country: str
    subdivision: str | None = None
    extra_closed: frozenset[dt.date] = field(default_factory=frozenset)

    def is_business_day(self, day: dt.date) -> bool:
        if day.weekday() >= 5 or day in self.extra_closed:
            return False
        return day not in _holiday_dates(self.country, self.subdivision, day.year)


def next_business_day(day: dt.date, calendar: Calendar) -> dt.date:
    """`day` itself if it is a business day, else the next one."""
    while not calendar.is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def add_business_days(day: dt.date, count: int, calendar: Calendar) -> dt.date:
    """Move `count` business days forward (or back when negative), not counting `day` itself."""
    step = dt.timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    while remaining:
        day += step
        if calendar.is_business_day(day):
            remaining -= 1
    return day


def business_days_between(start: dt.date, end: dt.date, calendar: Calendar) -> int:
    """Business days in (start, end]; negative when end is before start."""
    if end == start:
        return 0
    sign = 1 if end > start else -1
    lo, hi = (start, end) if sign > 0 else (end, start)
    count = 0
    day = lo
    while day < hi:
        day += dt.timedelta(days=1)
        if calendar.is_business_day(day):
            count += 1
    return sign * count
