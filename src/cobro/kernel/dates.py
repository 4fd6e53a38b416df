"""The dates a person may ask about: ISO `YYYY-MM-DD` between 1990-01-01 and 2100-12-31.

Without a bound, `as_of=0` was read as 1970-01-01 (pydantic takes a number for a Unix timestamp) and `0001-01-01`
or `9999-12-31` ran every report over an empty or absurd ledger without a word.  The bound is wide enough for any
receivables ledger still in use and tight enough to catch a typo; reports, the API, the dashboard and the CLI's
`--as-of` all use it.
"""

from __future__ import annotations

import datetime as dt
import re

EARLIEST_DAY = dt.date(1990, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_day(day: dt.date) -> dt.date:
    """`day` if it lies in the range, else ValueError naming the range."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"{day.isoformat()} is outside {EARLIEST_DAY.isoformat()}..{LATEST_DAY.isoformat()}")
    return day


def parse_day(text: str) -> dt.date:
    """`text` as a date in the range: exactly YYYY-MM-DD (not a number, not a week date), else ValueError."""
    value = text.strip()
    if not _ISO_DAY.fullmatch(value):
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD): no such day") from None
    return check_day(day)
