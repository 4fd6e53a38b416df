"""Scoring open instalments for storage (forecasting.paydate.scoring): conditional dates, the probabilities and
the reasons, on a small synthetic ledger (a fitted model and the empirical fallback)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from cobro.forecasting.paydate.model import fit
from cobro.forecasting.paydate.scoring import model_version, score_open, unpaid_shares
from tests.fakes import ledger_frame

AS_OF = dt.date(2023, 1, 1)


def _frame(seed: int = 3) -> pl.DataFrame:
    """Ten good payers with their own habits, and BAD, who left most of its old invoices unpaid."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(10):
        habit = rng.normal(5, 8)
        for k in range(15):
            issue = dt.date(2022, 1, 1) + dt.timedelta(days=int(rng.integers(0, 360)))
            due = issue + dt.timedelta(days=30)
            settled = due + dt.timedelta(days=max(int(habit + rng.normal(0, 5)), -29))
            rows.append({"invoice": f"F{c:02d}-{k:02d}", "customer": f"C{c:02d}", "customer_id": c + 1,
                         "issue": issue, "due": due, "amount": "100.00",
                         "settled": settled if settled <= AS_OF else None})
    for k in range(8):
        issue = dt.date(2022, 1, 10) + dt.timedelta(days=20 * k)
        paid = k % 4 == 0
        rows.append({"invoice": f"B-{k}", "customer": "BAD", "customer_id": 99, "issue": issue,
                     "due": issue + dt.timedelta(days=30), "amount": "250.00",
                     "settled": issue + dt.timedelta(days=40) if paid else None})
    for name, code, cid in (("B-LATE", "BAD", 99), ("G-LATE", "C00", 1)):  # both a month overdue
        rows.append({"invoice": name, "customer": code, "customer_id": cid, "issue": dt.date(2022, 11, 1),
                     "due": dt.date(2022, 12, 1), "amount": "100.00"})
    rows.append({"invoice": "NEW-1", "customer": "C00", "customer_id": 1, "issue": dt.date(2022, 12, 20),
                 "due": dt.date(2023, 1, 19), "amount": "80.00"})
    return ledger_frame(sorted(rows, key=lambda r: r["issue"]))


def _open(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("settled_date").is_null() & (pl.col("open_minor") > 0))


def test_scores_are_conditional_on_being_open_and_ordered() -> None:
    frame = _frame()
    model = fit(frame, AS_OF + dt.timedelta(days=1))
    assert model.kind == "gbm"
    book = _open(frame)
    scored = score_open(model, book, frame, AS_OF)
    assert scored["invoice_number"].to_list() == book["invoice_number"].to_list()
    for r in scored.iter_rows(named=True):
        assert AS_OF < r["p10_date"] <= r["p50_date"] <= r["p90_date"]  # not paid by the as-of day
        assert r["expected_date"] > AS_OF
        assert 0.0 <= r["p_unpaid_180"] <= 1.0 and 0.0 <= r["p_late"] <= 1.0
        assert len(r["reasons"]) == 3 and all(reason.split()[0] in model.features for reason in r["reasons"])
    by = {r["invoice_number"]: r for r in scored.iter_rows(named=True)}
    due = dict(zip(book["invoice_number"].to_list(), book["due_date"].to_list(), strict=True))
    overdue = [n for n, d in due.items() if d <= AS_OF]
    assert overdue and all(by[n]["p_late"] == 1.0 for n in overdue)  # already past due unpaid: late for sure
    assert by["NEW-1"]["p_late"] < 1.0  # not due yet: a real probability
    # BAD's invoices over 180 days past due are unpaid at 180 days for sure; a month-overdue one of BAD is likelier
    # to stay unpaid than a good payer's of the same age, which is likelier than one not due yet
    assert by["B-1"]["p_unpaid_180"] == 1.0
    assert by["B-LATE"]["p_unpaid_180"] > by["G-LATE"]["p_unpaid_180"] > by["NEW-1"]["p_unpaid_180"]
    assert len({round(v, 6) for v in scored["p_unpaid_180"].to_list()}) > 2  # not a constant
    assert model_version(model).startswith(f"paydate-gbm-v1-{AS_OF + dt.timedelta(days=1)}-")


def test_unpaid_shares_are_shrunk_toward_the_ledger() -> None:
    shares, prior = unpaid_shares(_frame(), AS_OF)
    assert 0 < prior < 0.2
    assert shares["BAD"] > 0.3 > shares["C00"]
    assert shares["BAD"] < 5 / 6  # 5 of BAD's 6 matured items are unpaid, pulled toward the prior


def test_the_empirical_fallback_scores_with_its_own_reasons() -> None:
    frame = _frame().filter(pl.col("customer_code").is_in(["C00", "C01", "BAD"]))
    model = fit(frame, AS_OF + dt.timedelta(days=1))
    assert model.kind == "baseline"
    scored = score_open(model, _open(frame), frame, AS_OF)
    assert scored.height == _open(frame).height > 0
    assert scored["reasons"].to_list()[0][0].startswith("customer median delay")
    assert model_version(model).endswith("-empirical")
