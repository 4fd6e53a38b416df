"""What each collector achieves: the attribution of recoveries to collectors' contacts, the kept rate of their
promises and the progress against a target.  Pure: the repository hands in contacts and receipts as values.

The attribution rule (docs/collections.md, "Collector performance"): a receipt is money allocated to an instalment
that was overdue on the allocation's date.  It is credited to the collector of the customer's **latest contact
within `window_days` before it** (the contact's day counts, and so does the receipt's own day).  A contact is a
call or meeting a collector held (credited to that collector) or a dunning message delivered to the customer
(credited to the customer's collector: the sequence runs in their name).  When a call and a message fall on the
same latest day the call wins: a person spoke to the debtor.  A receipt with no contact in the window is
unattributed; it counts for nobody.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

DEFAULT_WINDOW_DAYS = 14
MAX_WINDOW_DAYS = 365
PERSONAL = frozenset({"call", "meeting"})  # contacts a collector made in person, not the policy's messages


@dataclass(frozen=True, slots=True)
class Contact:
    customer_id: int
    collector: str
    day: dt.date
    kind: str  # call | meeting | email | whatsapp | sms | letter


@dataclass(frozen=True, slots=True)
class Receipt:
    customer_id: int
    day: dt.date
    currency: str
    amount_minor: int


@dataclass(frozen=True, slots=True)
class Attribution:
    collector: str  # empty: no contact in the window
    currency: str
    amount_minor: int


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """`YYYY-MM` as its first and last day; a ValueError starting with `period:` otherwise."""
    try:
        year, month = (int(p) for p in text.strip().split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        raise ValueError(f"period: {text!r} is not a month (YYYY-MM)") from None
    return first, first.replace(day=calendar.monthrange(year, month)[1])


def check_window(days: int) -> int:
    if not 0 <= days <= MAX_WINDOW_DAYS:
        raise ValueError(f"window_days: between 0 and {MAX_WINDOW_DAYS} (got {days})")
    return days


def attribute(contacts: list[Contact], receipts: list[Receipt], *, window_days: int) -> list[Attribution]:
    """Each receipt credited to the collector of the latest contact within the window (see the module text)."""
    by_customer: dict[int, list[Contact]] = defaultdict(list)
    for c in contacts:
        if c.collector:
            by_customer[c.customer_id].append(c)
    out = []
    for r in receipts:
        start = r.day - dt.timedelta(days=window_days)
        found = [c for c in by_customer.get(r.customer_id, ()) if start <= c.day <= r.day]
        if not found:
            out.append(Attribution("", r.currency, r.amount_minor))
            continue
        best = max(found, key=lambda c: (c.day, c.kind in PERSONAL, c.collector))
        out.append(Attribution(best.collector, r.currency, r.amount_minor))
    return out


def totals(attributions: list[Attribution]) -> dict[tuple[str, str], int]:
    """Recovered minor units per (collector, currency); the empty collector holds what is unattributed."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    for a in attributions:
        out[(a.collector, a.currency)] += a.amount_minor
    return dict(out)


def kept_rate(kept: int, broken: int) -> Decimal | None:
    """Promises kept over promises that came due and were judged (kept + broken), in percent; None without any."""
    judged = kept + broken
    return None if judged == 0 else (Decimal(100) * kept / judged).quantize(Decimal("0.1"))


def progress(recovered_minor: int, target_minor: int | None) -> Decimal | None:
    """Recovered as a percentage of the target; None without a target (or a zero one)."""
    if not target_minor:
        return None
    return (Decimal(100) * recovered_minor / target_minor).quantize(Decimal("0.1"))
