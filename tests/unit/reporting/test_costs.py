"""Cost of an unpaid invoice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cobro.reporting.domain.costs import (
    CostError,
    CostParameters,
    InvoiceCostInput,
    invoice_cost,
    summarize,
    summarize_by_key,
)

D = Decimal
day = dt.date


def test_cost_components() -> None:
    params = CostParameters(cost_of_funds=D("0.0730"), hourly_cost=D("30"), probability_of_default=D("0.05"),
                            lgd=D("0.5"), minutes_per_action={"email": 4, "call": 10})
    item = InvoiceCostInput(D("10000"), day(2025, 1, 1), {"email": 3, "call": 1}, {"call": 2}, key="C1")
    c = invoice_cost(item, day(2025, 2, 20), params)
    assert c.days_blocked == 50
    assert c.financing_cost == D(100)  # 10,000 × 7.3 % × 50 / 365
    assert c.staff_cost_taken == D(11)  # 22 minutes at 30/h
    assert c.staff_cost_planned == D(10)
    assert c.systemic_charge == D(250)  # 10,000 × 5 % × 50 %
    assert c.carrying_cost == D(371) and c.total == D(10371)


def test_not_yet_due_has_no_financing_cost_and_overrides() -> None:
    item = InvoiceCostInput(D("1000"), day(2025, 3, 1), probability_of_default=D("0.1"), lgd=D("0.2"))
    c = invoice_cost(item, day(2025, 2, 1))
    assert c.days_blocked == 0 and c.financing_cost == 0 and c.systemic_charge == D(20)


def test_sums() -> None:
    costs = [invoice_cost(InvoiceCostInput(D(a), day(2025, 1, 1), key=k), day(2025, 1, 31))
             for a, k in [("100", "A"), ("200", "A"), ("300", "B")]]
    total = summarize(costs)
    assert total.count == 3 and total.nominal_at_risk == 600
    by_key = summarize_by_key(costs)
    assert by_key["A"].nominal_at_risk == 300 and by_key["B"].count == 1
    assert total.total == sum((c.total for c in costs), D(0))


def test_bad_cost_inputs() -> None:
    with pytest.raises(CostError):
        CostParameters(cost_of_funds=D("1.5"))
    with pytest.raises(CostError, match="no minutes configured"):
        invoice_cost(InvoiceCostInput(D(1), day(2025, 1, 1), {"fax": 1}), day(2025, 1, 2))
    with pytest.raises(CostError, match="negative"):
        invoice_cost(InvoiceCostInput(D(-1), day(2025, 1, 1)), day(2025, 1, 2))
