"""Receivables KPIs: the DSO family, ADD, ADBT, ADP, CEI, turnover (docs/domain.md §2.1).

Plain functions over Decimal aggregates (what SQL hands back), plus `*_from_items` helpers over small lists of
`ReceivableItem` records.  Results are unrounded Decimals: round for display only.  Notation: `AR_end` total open
receivables at period end, `AR_current` its not-yet-due part, `S` credit sales in the period, `D` days in the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from cobro.kernel.money import ZERO

_HUNDRED: Final = Decimal(100)


class KpiError(ValueError):
    """Inputs for which a KPI is undefined (negative days, a window of zero days)."""


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator == 0 else numerator / denominator


# --- aggregate formulas ----------------------------------------------------------------------------------------

def dso(ar_end: Decimal, sales: Decimal, days: int) -> Decimal | None:
    """Standard ("period", "simple") DSO = AR_end / S × D.  None when there were no sales."""
    if days <= 0:
        raise KpiError("the DSO window must have a positive number of days")
    r = _ratio(ar_end, sales)
    return None if r is None else r * days


def best_possible_dso(ar_current: Decimal, sales: Decimal, days: int) -> Decimal | None:
    """BPDSO = AR_current / S × D (criskco.com)."""
    return dso(ar_current, sales, days)


def average_days_delinquent(dso_value: Decimal, bpdso_value: Decimal) -> Decimal:
    """ADD = DSO − BPDSO (Credit Research Foundation convention)."""
    return dso_value - bpdso_value


def countback_dso(ar_end: Decimal, monthly_sales: Sequence[tuple[Decimal, int]]) -> Decimal:
    """Countback (exhaustion) DSO.

    Args:
        ar_end: open receivables at period end (practice: net of the bad-debt reserve).
        monthly_sales: ``(sales, days_in_month)`` from the LATEST month backwards.

    Walk back month by month: while the remaining AR covers the month's sales, add the month's days and subtract
    its sales; otherwise add ``remaining / sales × days`` and stop.  If the history runs out, the rest is converted at
    the oldest month's daily sales (an extrapolation; a month with no sales is skipped).
    """
    remaining, total = ar_end, ZERO
    last: tuple[Decimal, int] | None = None
    for sales, days in monthly_sales:
        if remaining <= 0:
            break
        if sales > 0:
            last = (sales, days)
        if remaining >= sales:
            total += days
            remaining -= sales
        else:
            return total + remaining / sales * days
    if remaining > 0 and last is not None:
        total += remaining / last[0] * last[1]
    return total


def true_dso_oracle(open_items: Iterable[tuple[int, Decimal, Decimal]]) -> Decimal:
    """"True DSO (Oracle)": Σ days_outstanding_i × open_amount_i / credit_sales_of_the_issue_month_i.

    `open_items` yields ``(days_outstanding, open_amount, sales_of_month_issued)``; items of a month with no sales
    are skipped.
    """
    total = ZERO
    for days, amount, month_sales in open_items:
        if month_sales:
            total += Decimal(days) * amount / month_sales
    return total


def amount_weighted_days(pairs: Iterable[tuple[Decimal, int]]) -> Decimal | None:
    """Σ amount_i × days_i / Σ amount_i; None for an empty or zero-amount set."""
    num, den = ZERO, ZERO
    for amount, days in pairs:
        num += amount * days
        den += amount
    return _ratio(num, den)


def cei(ar_begin: Decimal, sales: Decimal, ar_end_total: Decimal, ar_end_current: Decimal,
        months: int = 1) -> Decimal | None:
    """Collection Effectiveness Index, percent.

    Standard (months=1): ``(AR_begin + S − AR_end) / (AR_begin + S − AR_end_current) × 100``.  Oracle's monthly
    form divides the period's sales by the number of months N: ``S/N`` in both terms.
    """
    if months < 1:
        raise KpiError("CEI needs months >= 1")
    s = sales / months
    r = _ratio(ar_begin + s - ar_end_total, ar_begin + s - ar_end_current)
    return None if r is None else r * _HUNDRED


def receivables_turnover(net_credit_sales: Decimal, ar_balances: Sequence[Decimal]) -> Decimal | None:
    """Net credit sales / average AR (average of opening and closing, or of 13 month-ends: pass them all)."""
    if not ar_balances:
        return None
    average = sum(ar_balances, ZERO) / len(ar_balances)
    return _ratio(net_credit_sales, average)


def average_collection_period(turnover: Decimal, days: int = 365) -> Decimal | None:
    """Average collection period = 365 / turnover."""
    return _ratio(Decimal(days), turnover)


def percent_of(part: Decimal, total: Decimal) -> Decimal | None:
    """part / total × 100 (percent current, percent past due > 90, percent in a bucket)."""
    r = _ratio(part, total)
    return None if r is None else r * _HUNDRED


# --- item-level helpers ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ReceivableItem:
    """An invoice as the KPI helpers see it: `paid_amount` received on `paid_date` (None = unpaid)."""

    invoice_date: dt.date
    due_date: dt.date
    amount: Decimal
    paid_date: dt.date | None = None
    paid_amount: Decimal = ZERO

    def open_at(self, as_of: dt.date) -> Decimal:
        """Open amount at the end of `as_of` (0 before the invoice date)."""
        if self.invoice_date > as_of:
            return ZERO
        if self.paid_date is not None and self.paid_date <= as_of:
            return self.amount - self.paid_amount
        return self.amount


@dataclass(frozen=True, slots=True)
class KpiSnapshot:
    as_of: dt.date
    window_days: int
    sales: Decimal
    ar_begin: Decimal
    ar_end: Decimal
    ar_current: Decimal
    ar_over_90: Decimal
    dso: Decimal | None
    bpdso: Decimal | None
    add: Decimal | None
    add_direct: Decimal | None
    weighted_dso: Decimal | None
    cei: Decimal | None
    percent_current: Decimal | None
    percent_over_90: Decimal | None


def sales_between(items: Iterable[ReceivableItem], start: dt.date, end: dt.date) -> Decimal:
    """Credit sales invoiced from `start` to `end`, both inclusive."""
    return sum((i.amount for i in items if start <= i.invoice_date <= end), ZERO)


def weighted_dso_from_items(items: Iterable[ReceivableItem], as_of: dt.date) -> Decimal | None:
    """"True DSO (amount-weighted)": Σ open_i × age_i / Σ open_i, age from the invoice date."""
    return amount_weighted_days((i.open_at(as_of), (as_of - i.invoice_date).days) for i in items
                                if i.open_at(as_of) != 0)


def true_dso_oracle_from_items(items: Sequence[ReceivableItem], as_of: dt.date) -> Decimal:
    """"True DSO (Oracle)" over the open items at `as_of`, with credit sales per calendar month of issue."""
    month_sales: dict[tuple[int, int], Decimal] = {}
    for i in items:
        if i.invoice_date <= as_of:
            key = (i.invoice_date.year, i.invoice_date.month)
            month_sales[key] = month_sales.get(key, ZERO) + i.amount
    return true_dso_oracle(
        ((as_of - i.invoice_date).days, i.open_at(as_of), month_sales[(i.invoice_date.year, i.invoice_date.month)])
        for i in items if i.open_at(as_of) != 0
    )


def add_direct_from_items(items: Iterable[ReceivableItem], as_of: dt.date) -> Decimal | None:
    """ADD, direct variant: amount-weighted days past due over open past-due items."""
    return amount_weighted_days((i.open_at(as_of), (as_of - i.due_date).days) for i in items
                                if i.open_at(as_of) != 0 and as_of > i.due_date)


def average_days_beyond_terms(items: Iterable[ReceivableItem], clip_early: bool = False) -> Decimal | None:
    """ADBT: amount-weighted (payment date − due date) over paid items; early payments count negative unless
    `clip_early` (then they count as 0)."""
    pairs = []
    for i in items:
        if i.paid_date is not None and i.paid_amount:
            days = (i.paid_date - i.due_date).days
            pairs.append((i.paid_amount, max(days, 0) if clip_early else days))
    return amount_weighted_days(pairs)


def average_days_to_pay(items: Iterable[ReceivableItem]) -> Decimal | None:
    """ADP: amount-weighted (payment date − invoice date) over paid items."""
    return amount_weighted_days((i.paid_amount, (i.paid_date - i.invoice_date).days) for i in items
                                if i.paid_date is not None and i.paid_amount)


def kpis_from_items(items: Sequence[ReceivableItem], as_of: dt.date, window_days: int = 90) -> KpiSnapshot:
    """Every aggregate KPI over a window of `window_days` ending on `as_of` (inclusive)."""
    if window_days <= 0:
        raise KpiError("window_days must be positive")
    begin = as_of - dt.timedelta(days=window_days)
    sales = sales_between(items, begin + dt.timedelta(days=1), as_of)
    ar_begin = sum((i.open_at(begin) for i in items), ZERO)
    ar_end = sum((i.open_at(as_of) for i in items), ZERO)
    ar_current = sum((i.open_at(as_of) for i in items if i.due_date >= as_of), ZERO)
    ar_90 = sum((i.open_at(as_of) for i in items if (as_of - i.due_date).days > 90), ZERO)
    d = dso(ar_end, sales, window_days)
    b = best_possible_dso(ar_current, sales, window_days)
    return KpiSnapshot(
        as_of, window_days, sales, ar_begin, ar_end, ar_current, ar_90, d, b,
        None if d is None or b is None else average_days_delinquent(d, b),
        add_direct_from_items(items, as_of), weighted_dso_from_items(items, as_of),
        cei(ar_begin, sales, ar_end, ar_current), percent_of(ar_current, ar_end), percent_of(ar_90, ar_end),
    )
