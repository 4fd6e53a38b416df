"""Query parameter types shared by the API and the pages.

`Day`: a date given as `YYYY-MM-DD` between 1990-01-01 and 2100-12-31 (`kernel/dates.py`); anything else, a
number (pydantic would read `0` as 1970-01-01) or a year 1 included, is a 422 problem naming the parameter.  The
OpenAPI document says so with a pattern, so a generated client (and schemathesis) knows the range.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

from cobro.kernel.dates import check_day, parse_day

# 1990..2100, month 01..12, day 01..31 (the calendar itself is checked by the parser)
DAY_PATTERN = r"^(199\d|20\d\d|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"


def _day(value: object) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return check_day(value)
    if not isinstance(value, str):
        raise ValueError("a date (YYYY-MM-DD) is required")
    return parse_day(value)


Day = Annotated[dt.date, BeforeValidator(_day),
                WithJsonSchema({"type": "string", "format": "date", "pattern": DAY_PATTERN})]
