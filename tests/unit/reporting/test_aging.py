"""Ageing buckets: spec parsing, boundaries (upper inclusive), separation of credits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cobro.kernel.errors import InvalidInputError
from cobro.reporting.domain.aging import AgeingItem, age, bucket_for, parse_bucket_spec

D = Decimal
day = dt.date


def test_due_basis_labels_and_edges() -> None:
    spec = parse_bucket_spec("0,30,60,90,120")
    assert spec.labels == ["Not due", "1–30", "31–60", "61–90", "91–120", ">120"]
    assert [(b.lower, b.upper) for b in spec.buckets] == [(None, 0), (1, 30), (31, 60), (61, 90), (91, 120),
                                                          (121, None)]
    assert [bucket_for(d, spec).label for d in (-5, 0, 1, 30, 31, 120, 121)] == [
        "Not due", "Not due", "1–30", "1–30", "31–60", "91–120", ">120"]


def test_invoice_basis_labels() -> None:
    spec = parse_bucket_spec("0,30,60,90", basis="invoice")
    assert spec.labels == ["0–30", "31–60", "61–90", ">90"]
    assert bucket_for(30, spec).label == "0–30" and bucket_for(31, spec).label == "31–60"
    assert parse_bucket_spec("30,60", basis="invoice").labels == ["0–30", "31–60", ">60"]
    assert parse_bucket_spec("30,60").labels == ["Not due", "1–30", "31–60", ">60"]


@pytest.mark.parametrize("bad", ["", "a,b", "0,30,30", "0,60,30", "-1,30"])
def test_bad_specs(bad: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_bucket_spec(bad)
    with pytest.raises(InvalidInputError):
        parse_bucket_spec("0", basis="invoice")


def test_case_sql_matches_bucket_for() -> None:
    import sqlite3

    spec = parse_bucket_spec("0,30,60,90,120")
    con = sqlite3.connect(":memory:")
    for days in range(-3, 200):
        (index,) = con.execute(f"SELECT {spec.case_sql('?')}", [days] * 5).fetchone()
        assert index == bucket_for(days, spec).index


def test_age_per_currency_with_credits_apart() -> None:
    as_of = day(2025, 3, 31)
    items = [
        AgeingItem(D("100"), day(2025, 3, 1), day(2025, 3, 31), "EUR", key="A"),
        AgeingItem(D("200"), day(2025, 1, 1), day(2025, 1, 31), "EUR", key="A"),
        AgeingItem(D("-50"), day(2025, 2, 1), day(2025, 2, 1), "EUR", kind="credit_note", key="A"),
        AgeingItem(D("-20"), day(2025, 3, 2), day(2025, 3, 2), "EUR", kind="unapplied_cash"),
        AgeingItem(D("70"), day(2024, 1, 1), day(2024, 1, 31), "USD", key="B"),
    ]
    tables = age(items, as_of, parse_bucket_spec())
    eur, usd = tables["EUR"], tables["USD"]
    assert [(b.bucket.label, b.amount, b.count) for b in eur.buckets if b.count] == [
        ("Not due", D(100), 1), ("31–60", D(200), 1)]
    assert (eur.credit_notes, eur.unapplied_cash, eur.invoices_total, eur.total) == (D(-50), D(-20), D(300),
                                                                                     D(230))
    assert eur.by_key["A"][0] == 100 and usd.buckets[-1].amount == 70
    inv = age(items, as_of, parse_bucket_spec("0,30,60,90", basis="invoice"))["EUR"]
    assert [(b.bucket.label, b.amount) for b in inv.buckets if b.count] == [("0–30", D(100)), ("61–90", D(200))]
    assert age([], as_of, parse_bucket_spec()) == {}
