"""What the collections services hand back: frozen values carrying minor units with their currency, statuses as
the `StrEnum`s of `cobro.collections.domain.status`.  By sub-topic: `policies` (stored versions, assignments),
`work` (exceptions, holds, disputes, promises, plans, tasks, the timeline, escalation, terms), `explain`
(`cobro cycle explain`).

Each value's `as_json()` is the one place it becomes the JSON the CLI prints (and the dashboard reads): keys,
order and formats (amounts as plain decimal text, dates as ISO text) are those of the commands' `--json`.
The credit check's values are the domain's (`cobro.collections.domain.credit.CreditCheck`, `as_dict()`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cobro.kernel.money import Money

Json = dict[str, Any]  # what `json.dumps` prints: the CLI's --json and the dashboard's templates read it


def iso(day: dt.date | None) -> str | None:
    """A day as JSON shows it (None stays null)."""
    return day.isoformat() if day is not None else None


def plain(minor: int, currency: str) -> str:
    """Minor units as JSON shows an amount: plain decimal text, e.g. "1200.00"."""
    return Money.from_minor(minor, currency).format_plain()
