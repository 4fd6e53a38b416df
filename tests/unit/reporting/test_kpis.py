"""KPIs: the worked examples of docs/domain.md §2.1."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cobro.reporting.domain.kpis import (
    KpiError,
    ReceivableItem,
    add_direct_from_items,
    amount_weighted_days,
    average_collection_period,
    average_days_beyond_terms,
    average_days_delinquent,
    average_days_to_pay,
    best_possible_dso,
    cei,
    countback_dso,
    dso,
    kpis_from_items,
    percent_of,
    receivables_turnover,
    true_dso_oracle,
    true_dso_oracle_from_items,
    weighted_dso_from_items,
)

D = Decimal
day = dt.date
ONE_DP = D("0.1")


def test_quarter_worked_example() -> None:
    s, ar_begin, ar_end, current = D(250000), D(180000), D(212000), D(150000)
    d = dso(ar_end, s, 92)
    b = best_possible_dso(current, s, 92)
    assert d is not None and b is not None
    assert d.quantize(ONE_DP) == D("78.0")
    assert b.quantize(ONE_DP) == D("55.2")
    assert average_days_delinquent(d, b).quantize(ONE_DP) == D("22.8")
    index = cei(ar_begin, s, ar_end, current)
    assert index is not None and index.quantize(ONE_DP) == D("77.9")


def test_countback_worked_example() -> None:
    ar = D(212000)
    thirty = countback_dso(ar, [(D(100000), 30), (D(80000), 30), (D(70000), 30)])
    real = countback_dso(ar, [(D(100000), 31), (D(80000), 30), (D(70000), 31)])
    assert thirty.quantize(ONE_DP) == D("73.7")
    assert real.quantize(ONE_DP) == D("75.2")


def test_countback_edges() -> None:
    assert countback_dso(D(0), [(D(100), 30)]) == 0
    assert countback_dso(D(50), [(D(100), 30)]) == 15
    # history exhausted: the rest at the oldest month's daily sales
    assert countback_dso(D(300), [(D(100), 30), (D(100), 31)]) == D(30 + 31 + 31)
    assert countback_dso(D(100), [(D(0), 30), (D(200), 30)]) == 45


def test_cei_monthly_form() -> None:
    index = cei(D(180000), D(250000), D(212000), D(150000), months=3)
    expected = (D(180000) + D(250000) / 3 - D(212000)) / (D(180000) + D(250000) / 3 - D(150000)) * 100
    assert index == expected
    with pytest.raises(KpiError):
        cei(D(1), D(1), D(1), D(1), months=0)


def test_turnover_and_collection_period() -> None:
    t = receivables_turnover(D(1000000), [D(180000), D(220000)])
    assert t == 5
    assert average_collection_period(D(5)) == 73
    assert receivables_turnover(D(1), []) is None
    assert percent_of(D(150000), D(212000)) is not None
    assert percent_of(D(1), D(0)) is None
    assert dso(D(1), D(0), 90) is None
    with pytest.raises(KpiError):
        dso(D(1), D(1), 0)


def test_true_dso_variants_are_named_and_differ() -> None:
    as_of = day(2025, 3, 31)
    items = [
        ReceivableItem(day(2025, 3, 1), day(2025, 3, 31), D(1000)),
        ReceivableItem(day(2025, 3, 15), day(2025, 4, 14), D(1000), day(2025, 3, 20), D(1000)),
        ReceivableItem(day(2025, 2, 1), day(2025, 3, 3), D(500)),
    ]
    # Oracle: 30 × 1000/2000 + 58 × 500/500
    assert true_dso_oracle_from_items(items, as_of) == D(15 + 58)
    assert true_dso_oracle([(10, D(100), D(0))]) == 0
    # amount-weighted: (1000 × 30 + 500 × 58) / 1500
    assert weighted_dso_from_items(items, as_of) == D(1000 * 30 + 500 * 58) / 1500
    assert add_direct_from_items(items, as_of) == 28
    assert amount_weighted_days([]) is None


def test_payment_based_variants() -> None:
    items = [
        ReceivableItem(day(2025, 1, 1), day(2025, 1, 31), D(300), day(2025, 2, 10), D(300)),
        ReceivableItem(day(2025, 1, 1), day(2025, 1, 31), D(100), day(2025, 1, 21), D(100)),
        ReceivableItem(day(2025, 1, 1), day(2025, 1, 31), D(100)),
    ]
    assert average_days_beyond_terms(items) == D(300 * 10 - 100 * 10) / 400
    assert average_days_beyond_terms(items, clip_early=True) == D(300 * 10) / 400
    assert average_days_to_pay(items) == D(300 * 40 + 100 * 20) / 400


def test_kpis_from_items_reproduce_the_aggregates() -> None:
    as_of = day(2025, 3, 31)
    items = [
        ReceivableItem(day(2024, 12, 15), day(2025, 1, 14), D(180000), day(2025, 2, 1), D(180000)),
        ReceivableItem(day(2025, 1, 10), day(2025, 2, 9), D(100000), day(2025, 3, 1), D(38000)),
        ReceivableItem(day(2025, 3, 10), day(2025, 4, 9), D(150000)),
    ]
    snap = kpis_from_items(items, as_of, window_days=90)
    assert (snap.sales, snap.ar_begin, snap.ar_end, snap.ar_current) == (D(250000), D(180000), D(212000),
                                                                         D(150000))
    assert snap.dso == dso(D(212000), D(250000), 90)
    assert snap.cei is not None and snap.cei.quantize(ONE_DP) == D("77.9")
    assert snap.percent_over_90 == 0
    assert snap.add is not None and snap.add_direct == (as_of - day(2025, 2, 9)).days
    with pytest.raises(KpiError):
        kpis_from_items(items, as_of, window_days=0)


def test_empty_ledger_gives_nones_not_crashes() -> None:
    snap = kpis_from_items([], day(2025, 3, 31))
    assert snap.dso is None and snap.cei is None and snap.percent_current is None and snap.weighted_dso is None
