"""The attribution rule of collector performance, the kept rate, the progress and the period, on small examples."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cobro.collections.domain.performance import (
    Attribution,
    Contact,
    Receipt,
    attribute,
    check_window,
    kept_rate,
    parse_period,
    progress,
    totals,
)

D = dt.date(2026, 12, 10)


def _day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def test_a_receipt_goes_to_the_latest_contact_within_the_window() -> None:
    contacts = [Contact(1, "ana", _day(-10), "email"), Contact(1, "bea", _day(-3), "call"),
                Contact(2, "ana", _day(-15), "email"), Contact(3, "ana", _day(1), "call")]
    receipts = [Receipt(1, D, "EUR", 100), Receipt(2, D, "EUR", 200), Receipt(3, D, "EUR", 300)]
    # customer 1: bea's call (3 days before) is the latest; customer 2: the only contact is 15 days before, out
    # of a 14-day window; customer 3: a call after the payment did not bring it in
    assert attribute(contacts, receipts, window_days=14) == [
        Attribution("bea", "EUR", 100), Attribution("", "EUR", 200), Attribution("", "EUR", 300)]
    assert attribute(contacts, receipts, window_days=15)[1] == Attribution("ana", "EUR", 200)


def test_the_window_includes_both_ends_and_a_call_beats_a_message_on_the_same_day() -> None:
    contacts = [Contact(1, "ana", _day(-7), "email"), Contact(1, "bea", _day(-7), "call"),
                Contact(2, "ana", D, "whatsapp"), Contact(4, "", D, "email")]
    receipts = [Receipt(1, D, "EUR", 10), Receipt(2, D, "USD", 20), Receipt(4, D, "EUR", 40)]
    found = attribute(contacts, receipts, window_days=7)
    assert found == [Attribution("bea", "EUR", 10), Attribution("ana", "USD", 20), Attribution("", "EUR", 40)]
    assert totals([*found, Attribution("bea", "EUR", 5)]) == {("bea", "EUR"): 15, ("ana", "USD"): 20,
                                                              ("", "EUR"): 40}


def test_kept_rate_progress_period_and_window() -> None:
    assert kept_rate(3, 1) == Decimal("75.0") and kept_rate(0, 0) is None and kept_rate(1, 2) == Decimal("33.3")
    assert progress(59378, 50000) == Decimal("118.8") and progress(10, None) is None and progress(10, 0) is None
    assert parse_period("2026-02") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert parse_period("2024-02")[1] == dt.date(2024, 2, 29)
    for bad in ("2026-13", "2026", "dec", ""):
        with pytest.raises(ValueError, match=r"^period:"):
            parse_period(bad)
    assert check_window(0) == 0
    with pytest.raises(ValueError, match=r"^window_days:"):
        check_window(-1)
