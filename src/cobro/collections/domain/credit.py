"""Credit check: per currency, a customer's effective credit limit, its exposure, the headroom, over limit or not.

- **Base limit**: the customer record's limit in its currency; for any other currency the policy's `credit.limit`
  (the tenant's default per currency).
- **Exceptions**: an approved `higher_limit` exception (`"AMOUNT CUR"`) in force on `as_of` (approved by someone
  other than the requester, `as_of ≤ expires_on`) raises the limit in its currency to AMOUNT; it never lowers it,
  and of several the largest wins.  Requested, rejected and expired exceptions change nothing.
- **Exposure**: open invoices less the credit the customer has with us in that currency (open credit notes,
  unapplied cash), never below zero.
- **Over limit** (a credit stop for sales): exposure above the effective limit.  A currency with exposure and no
  limit from any source is shown without a limit and is not over it (there is nothing to compare with).

Pure: amounts are `Money` (Decimal); nothing here reads a clock or a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cobro.kernel.money import Money, MoneyError


@dataclass(frozen=True, slots=True)
class LimitException:
    """A `higher_limit` policy exception as stored, whatever its status."""

    id: int
    value: str  # "AMOUNT CUR"
    status: str  # requested | approved | rejected | expired
    expires_on: dt.date
    requested_by: str = ""
    approved_by: str = ""

    def amount(self) -> Money | None:
        try:
            raw, currency = self.value.split()
            return Money.of(raw, currency)
        except (ValueError, MoneyError):
            return None

    def in_force(self, as_of: dt.date) -> bool:
        approver = self.approved_by.strip().casefold()
        return (self.status == "approved" and as_of <= self.expires_on and bool(approver)
                and approver != self.requested_by.strip().casefold() and self.amount() is not None)


@dataclass(frozen=True, slots=True)
class CreditLine:
    """One currency of a credit check."""

    currency: str
    exposure: Money
    limit: Money | None  # effective: base raised by the exception in force, if any
    base_limit: Money | None
    source: str  # where the effective limit comes from: customer | policy | exception | "" (none)
    exception_id: int | None = None

    @property
    def headroom(self) -> Money | None:
        return None if self.limit is None else self.limit - self.exposure

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.exposure > self.limit

    def as_dict(self) -> dict[str, Any]:
        def plain(m: Money | None) -> str | None:
            return None if m is None else m.format_plain()

        return {"currency": self.currency, "limit": plain(self.limit), "base_limit": plain(self.base_limit),
                "source": self.source, "exception": self.exception_id, "exposure": plain(self.exposure),
                "headroom": plain(self.headroom), "over_limit": self.over_limit}


@dataclass(frozen=True, slots=True)
class CreditCheck:
    customer: str
    as_of: dt.date
    lines: tuple[CreditLine, ...]

    @property
    def over_limit(self) -> bool:
        """Credit stop for sales: over the limit in any currency."""
        return any(line.over_limit for line in self.lines)

    def as_dict(self) -> dict[str, Any]:
        return {"customer": self.customer, "as_of": self.as_of.isoformat(), "over_limit": self.over_limit,
                "lines": [line.as_dict() for line in self.lines]}


def check_credit(customer: str, as_of: dt.date, *, customer_limit: Money | None,
                 policy_limits: Mapping[str, Money], open_invoices: Mapping[str, Money],
                 credits: Mapping[str, Money] | None = None,
                 exceptions: Iterable[LimitException] = ()) -> CreditCheck:
    """The customer's credit position on `as_of`, one line per currency it has a limit or exposure in.

    Currencies shown: the customer record's, those with open invoices and those of exceptions in force; a customer
    with none of these (a new customer) is shown the policy's limits.
    """
    credits = credits or {}
    raised: dict[str, tuple[Money, int]] = {}
    for e in exceptions:
        amount = e.amount()
        if amount is None or not e.in_force(as_of):
            continue
        best = raised.get(amount.currency)
        if best is None or amount > best[0] or (amount == best[0] and e.id < best[1]):
            raised[amount.currency] = (amount, e.id)
    currencies = set(open_invoices) | set(raised) | ({customer_limit.currency} if customer_limit else set())
    if not currencies:
        currencies = set(policy_limits)
    lines = []
    for cur in sorted(currencies):
        base, source = ((customer_limit, "customer") if customer_limit is not None and customer_limit.currency == cur
                        else (policy_limits.get(cur), "policy" if cur in policy_limits else ""))
        limit, exception_id = base, None
        if cur in raised and (base is None or raised[cur][0] > base):
            (limit, exception_id), source = raised[cur], "exception"
        owed = open_invoices.get(cur, Money.zero(cur)) - credits.get(cur, Money.zero(cur))
        exposure = owed if owed.is_positive() else Money.zero(cur)
        lines.append(CreditLine(cur, exposure, limit, base, source, exception_id))
    return CreditCheck(customer, as_of, tuple(lines))
