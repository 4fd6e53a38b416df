"""Cost of an unpaid invoice (issue 5, item 4).

``cost = nominal at risk + financing cost + staff cost + systemic charge`` where

* nominal at risk = the open amount;
* financing cost = open amount × cost of funds × days blocked / 365 (days blocked = days past due at the as-of date;
  the capital was expected back on the due date, so the terms themselves are not charged);
* staff cost = Σ minutes per action type × count / 60 × hourly cost, for the actions taken and the actions still
  planned (reported separately);
* systemic charge = open amount × probability of default × LGD (expected loss from the customer's risk).

`carrying_cost` is everything except the nominal: what the delay costs on top of the money itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from cobro.kernel.money import ZERO

_SIXTY: Final = Decimal(60)

DEFAULT_MINUTES: Final[Mapping[str, int]] = MappingProxyType({
    "email": 3,  # a templated reminder, checked and sent
    "sms": 2,
    "letter": 15,  # printed or certified letter (burofax)
    "call": 12,  # a collection call including notes
    "promise_follow_up": 5,
    "dispute": 45,  # investigating and resolving a dispute
    "escalation": 60,  # preparing the evidence pack for a lawyer or agency
    "legal": 180,  # a monitorio / court filing handled in-house
})


class CostError(ValueError):
    """Bad cost inputs (negative amounts, rates outside 0..1, unknown action type)."""


@dataclass(frozen=True, slots=True)
class CostParameters:
    """Tenant policy for the cost of delinquency.

    Attributes:
        cost_of_funds: annual rate as a fraction (0.06 = 6 %): what the blocked capital costs (credit line, WACC).
        hourly_cost: loaded cost of one hour of a collector's time, in the invoice currency.
        minutes_per_action: minutes per action type (see DEFAULT_MINUTES).
        probability_of_default: default PD as a fraction when the customer has no score.
        lgd: loss given default as a fraction (1 − expected recovery).
        day_basis: days in the financing year (365).
    """

    cost_of_funds: Decimal = Decimal("0.06")
    hourly_cost: Decimal = Decimal("35")
    minutes_per_action: Mapping[str, int] = field(default_factory=lambda: DEFAULT_MINUTES)
    probability_of_default: Decimal = Decimal("0.02")
    lgd: Decimal = Decimal("0.60")
    day_basis: int = 365

    def __post_init__(self) -> None:
        for name in ("cost_of_funds", "probability_of_default", "lgd"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not ZERO <= value <= 1:
                raise CostError(f"{name} must be a Decimal between 0 and 1, got {value!r}")
        if self.hourly_cost < 0 or self.day_basis <= 0:
            raise CostError("hourly_cost must not be negative and day_basis must be positive")
        if any(m < 0 for m in self.minutes_per_action.values()):
            raise CostError("minutes per action must not be negative")


@dataclass(frozen=True, slots=True)
class InvoiceCostInput:
    amount: Decimal  # open amount
    due_date: dt.date
    actions_taken: Mapping[str, int] = field(default_factory=dict)
    actions_planned: Mapping[str, int] = field(default_factory=dict)
    probability_of_default: Decimal | None = None  # the customer's PD, if scored
    lgd: Decimal | None = None  # e.g. lower for credit-insured receivables
    key: str = ""


@dataclass(frozen=True, slots=True)
class InvoiceCost:
    key: str
    nominal_at_risk: Decimal
    days_blocked: int
    financing_cost: Decimal
    staff_cost_taken: Decimal
    staff_cost_planned: Decimal
    systemic_charge: Decimal

    @property
    def staff_cost(self) -> Decimal:
        return self.staff_cost_taken + self.staff_cost_planned

    @property
    def carrying_cost(self) -> Decimal:
        return self.financing_cost + self.staff_cost + self.systemic_charge

    @property
    def total(self) -> Decimal:
        return self.nominal_at_risk + self.carrying_cost


def staff_cost(actions: Mapping[str, int], params: CostParameters) -> Decimal:
    """Σ minutes(action) × count / 60 × hourly cost.  An action type without minutes is an error."""
    minutes = 0
    for action, count in actions.items():
        if action not in params.minutes_per_action:
            known = ", ".join(sorted(params.minutes_per_action))
            raise CostError(f"no minutes configured for action {action!r} (known: {known})")
        if count < 0:
            raise CostError(f"negative count for action {action!r}")
        minutes += params.minutes_per_action[action] * count
    return Decimal(minutes) * params.hourly_cost / _SIXTY


def invoice_cost(item: InvoiceCostInput, as_of: dt.date, params: CostParameters | None = None) -> InvoiceCost:
    """Cost of one unpaid invoice at `as_of` (unrounded)."""
    p = params or CostParameters()
    if item.amount < 0:
        raise CostError(f"negative open amount {item.amount}: credit notes carry no cost of delinquency")
    pd = p.probability_of_default if item.probability_of_default is None else item.probability_of_default
    lgd = p.lgd if item.lgd is None else item.lgd
    if not ZERO <= pd <= 1 or not ZERO <= lgd <= 1:
        raise CostError("probability of default and LGD must be between 0 and 1")
    days = max((as_of - item.due_date).days, 0)
    financing = item.amount * p.cost_of_funds * days / p.day_basis
    return InvoiceCost(
        item.key, item.amount, days, financing,
        staff_cost(item.actions_taken, p), staff_cost(item.actions_planned, p),
        item.amount * pd * lgd,
    )


@dataclass(frozen=True, slots=True)
class CostSummary:
    count: int
    nominal_at_risk: Decimal
    financing_cost: Decimal
    staff_cost: Decimal
    systemic_charge: Decimal

    @property
    def carrying_cost(self) -> Decimal:
        return self.financing_cost + self.staff_cost + self.systemic_charge

    @property
    def total(self) -> Decimal:
        return self.nominal_at_risk + self.carrying_cost


def summarize(costs: Iterable[InvoiceCost]) -> CostSummary:
    """Sum of invoice costs (for a customer or the portfolio: filter before calling)."""
    n, nominal, fin, staff, systemic = 0, ZERO, ZERO, ZERO, ZERO
    for c in costs:
        n += 1
        nominal += c.nominal_at_risk
        fin += c.financing_cost
        staff += c.staff_cost
        systemic += c.systemic_charge
    return CostSummary(n, nominal, fin, staff, systemic)


def summarize_by_key(costs: Iterable[InvoiceCost]) -> dict[str, CostSummary]:
    """Sums per `key` (customer id or segment)."""
    groups: dict[str, list[InvoiceCost]] = {}
    for c in costs:
        groups.setdefault(c.key, []).append(c)
    return {k: summarize(v) for k, v in groups.items()}
