"""Synthetic ledgers for the payment-date tests: customers with their own delay habits, disputes, channels."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest


def make_ledger(seed: int = 0, n_customers: int = 40, start: date = date(2022, 1, 1), days: int = 540,
                per_customer: int = 20) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    number = 1000
    for c in range(n_customers):
        habit = rng.normal(-3, 8)
        spread = rng.uniform(2, 8)
        segment = str(100 + c % 4)
        for issue_offset in np.sort(rng.integers(0, days, per_customer)):
            issue = start + timedelta(days=int(issue_offset))
            due = issue + timedelta(days=30)
            disputed = bool(rng.random() < 0.2)
            delay = round(habit + (9 if disputed else 0) + rng.normal(0, spread))
            delay = max(delay, -29)
            number += 1
            rows.append({
                "invoice_number": f"{number:010d}", "customer_code": f"C{c:03d}", "issue_date": issue,
                "due_date": due, "amount": float(np.round(rng.uniform(20, 120), 2)), "currency": "EUR",
                "disputed": disputed, "settled_date": due + timedelta(days=delay),
                "channel": "electronic" if rng.random() < 0.4 else "paper", "country": "ES", "segment": segment,
            })
    return pl.DataFrame(rows).sort("issue_date")


@pytest.fixture
def ledger() -> pl.DataFrame:
    return make_ledger()
