"""Explanations name promised and disputed amounts as people read them, in the currency's own decimals."""

from __future__ import annotations

import datetime as dt

from cobro.collections.domain.pauses import Dispute, Item, Promise, apply_pauses

DAY = dt.date(2026, 3, 2)


def _item(iid: int, currency: str, minor: int) -> Item:
    return Item(iid, iid, f"F-{iid}", 1, dt.date(2026, 1, 1), dt.date(2026, 2, 1), minor, currency)


def test_promise_and_dispute_amounts_are_formatted() -> None:
    items = [_item(1, "EUR", 900_000), _item(2, "CLP", 70_000_000)]
    result = apply_pauses(items, as_of=DAY,
                          promises=[Promise(7, "EUR", 500_000, dt.date(2026, 3, 10))],
                          disputes=[Dispute(3, frozenset({2}), "price", 12_345_600, "CLP")])
    assert "promise #7 to pay 5,000.00 EUR by 2026-03-10 (paused until 2026-03-13)" in result.notes
    assert "dispute #3 (price) for 12,345,600 CLP" in result.notes
    assert not any("minor" in note for note in result.notes)
