"""The rules that close the loops of collections once money comes in (docs/collections.md, "Payment closes the
loops"), pure: what a task, an escalation case and a credit stop become given what is still open.

* A task or a case is **paid** when none of its instalments is open any more (paid, credited, cancelled or written
  off); a case some of whose amount was paid since it opened has had a **partial payment**.
* A **credit stop** is set when the exposure exceeds the effective limit by more than the policy's tolerance
  (`credit.limit_tolerance_pct`) and lifted as `credit.stop_lifts_on` says: `full_payment` once nothing is overdue,
  no escalation case is open and the exposure is within the limit; `below_limit` once the exposure is within the
  limit and no case is open; `manual` never by the cycle (a credit manager lifts it with a reason).
* A task is **overdue** when it is still open more than the policy's SLA days (`tasks.sla_days`, per kind) after
  its due date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from cobro.kernel.money import Money


def open_of(instalments: Iterable[int], open_now: Mapping[int, int]) -> int:
    """What is still open (minor units) of these instalments; one missing from `open_now` is no longer open.
    Payment-plan instalments (negative ids) are not ledger items: they never keep a loop open."""
    return sum(open_now.get(i, 0) for i in instalments if i > 0)


@dataclass(frozen=True, slots=True)
class CaseProgress:
    """An escalation case's items against what is open now."""

    amount_minor: int  # what the case claimed
    open_minor: int  # what of it is open now

    @property
    def settled(self) -> bool:
        return self.open_minor <= 0

    @property
    def paid_minor(self) -> int:
        return max(self.amount_minor - self.open_minor, 0)

    @property
    def partly_paid(self) -> bool:
        return not self.settled and self.paid_minor > 0


def over_tolerance(exposure: Money, limit: Money | None, tolerance_pct: int) -> bool:
    """Over the limit by more than `tolerance_pct` percent (no limit: never)."""
    if limit is None:
        return False
    allowed = limit.amount * (Decimal(100 + tolerance_pct) / Decimal(100))
    return exposure.amount > allowed


def stop_lifts(rule: str, *, overdue_minor: int, over_limit: bool, open_case: bool) -> bool:
    """Whether the cycle lifts a customer's active credit stop under `rule` (`credit.stop_lifts_on`)."""
    if rule == "manual" or open_case or over_limit:
        return False
    if rule == "below_limit":
        return True
    return overdue_minor <= 0  # full_payment


def task_overdue(due_on: dt.date, sla_days: int, today: dt.date) -> bool:
    """An open task past its due date by more than the SLA's days."""
    return today > due_on + dt.timedelta(days=sla_days)
