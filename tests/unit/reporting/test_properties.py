"""Property tests: interest monotone in days, zero when paid on time, partial payments never increase it; ageing
totals equal the sum of the items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cobro.interest.domain import Payment, compute_late_interest
from cobro.platform.rates import RateBook
from cobro.reporting.domain.aging import AgeingItem, age, parse_bucket_spec

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2)
# the tests add up to 400 days: the latest end date must stay inside the shipped rate tables (ES to 2026-06-30)
due_dates = st.dates(min_value=dt.date(2014, 1, 1), max_value=dt.date(2025, 5, 1))
JURISDICTIONS = st.sampled_from(["ES", "EU", "MX"])
RATES = RateBook()  # the shipped tables


@given(JURISDICTIONS, amounts, due_dates, st.integers(0, 400), st.integers(0, 400))
@settings(max_examples=150, deadline=None)
def test_interest_monotone_in_days(jur: str, amount: Decimal, due: dt.date, d1: int, d2: int) -> None:
    short, long_ = sorted((d1, d2))
    cur = "EUR" if jur != "MX" else "MXN"
    a = compute_late_interest(jur, amount, cur, due, due + dt.timedelta(days=short), rates=RATES)
    b = compute_late_interest(jur, amount, cur, due, due + dt.timedelta(days=long_), rates=RATES)
    assert a.interest_exact <= b.interest_exact
    assert a.interest <= b.interest


@given(amounts, due_dates, st.integers(0, 3000))
@settings(max_examples=100, deadline=None)
def test_zero_when_paid_on_time(amount: Decimal, due: dt.date, early: int) -> None:
    r = compute_late_interest("ES", amount, "EUR", due, due - dt.timedelta(days=early), rates=RATES)
    assert r.interest == 0 and r.compensation == 0 and r.periods == ()


@given(amounts, due_dates, st.integers(1, 400), st.lists(st.tuples(st.integers(-30, 400), st.integers(1, 100)),
                                                           max_size=4))
@settings(max_examples=150, deadline=None)
def test_partial_payments_never_increase_interest(amount: Decimal, due: dt.date, late: int,
                                                  raw: list[tuple[int, int]]) -> None:
    end = due + dt.timedelta(days=late)
    payments, left = [], amount
    for offset, share in raw:
        part = (amount * share / 400).quantize(Decimal("0.01"))
        if part <= 0 or part > left:
            continue
        left -= part
        payments.append(Payment(min(due + dt.timedelta(days=offset), end), part))
    without = compute_late_interest("ES", amount, "EUR", due, end, rates=RATES)
    with_ = compute_late_interest("ES", amount, "EUR", due, end, payments=payments, rates=RATES)
    assert with_.interest_exact <= without.interest_exact
    assert sum(p.days for p in without.periods) == late


items_st = st.lists(
    st.builds(
        AgeingItem,
        amount=st.decimals(min_value=Decimal("-1000"), max_value=Decimal("1000000"), places=2),
        invoice_date=st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2025, 12, 31)),
        due_date=st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2026, 3, 31)),
        currency=st.sampled_from(["EUR", "USD"]),
        kind=st.sampled_from(["invoice", "invoice", "credit_note", "unapplied_cash"]),
    ),
    max_size=40,
)


@given(items_st, st.sampled_from(["0,30,60,90,120", "30,60,90", "0,15,45,180,360"]),
       st.sampled_from(["due", "invoice"]))
@settings(max_examples=150, deadline=None)
def test_ageing_totals_equal_sum_of_items(items: list[AgeingItem], spec: str, basis: str) -> None:
    tables = age(items, dt.date(2025, 6, 30), parse_bucket_spec(spec, basis))  # type: ignore[arg-type]
    for currency, table in tables.items():
        mine = [i for i in items if i.currency == currency]
        assert table.total == sum((i.amount for i in mine), Decimal(0))
        assert sum(b.count for b in table.buckets) + table.credit_count == len(mine)
