"""Cash forecast: conservation of the open amount, promises as strong evidence, backtest."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from cobro.forecasting.forecast import backtest, forecast_cash, history_at, open_book_at
from cobro.forecasting.paydate.model import fit

AS_OF = date(2023, 1, 1)


def _setup(ledger: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    known = history_at(ledger, AS_OF)
    model = fit(known, AS_OF)
    book = open_book_at(ledger, AS_OF).drop("settled_date")
    return book, model.predict(book, known, AS_OF)


def test_expected_cash_conserves_the_open_amount(ledger: pl.DataFrame) -> None:
    book, pred = _setup(ledger)
    fc = forecast_cash(book, pred, AS_OF, freq="week", horizon_days=200, n_sims=300)
    assert fc.columns == ["currency", "period_start", "expected", "p10", "p50", "p90"]
    total = float(fc["expected"].cast(pl.Float64).sum())
    assert abs(total - float(book["amount"].sum())) < 0.05 * fc.height
    assert (fc["period_start"] >= date(2022, 12, 26)).all()  # nothing before the as-of week
    assert (fc["p10"] <= fc["p90"]).all()
    monthly = forecast_cash(book, pred, AS_OF, freq="month", horizon_days=200, n_sims=300)
    assert abs(float(monthly["expected"].cast(pl.Float64).sum()) - total) < 0.05 * fc.height


def test_a_promise_overrides_the_model_for_its_amount(ledger: pl.DataFrame) -> None:
    book, pred = _setup(ledger)
    inv = book.sort("amount", descending=True).row(0, named=True)
    promise = pl.DataFrame({"invoice_number": [inv["invoice_number"]], "promise_date": [date(2023, 3, 15)],
                            "amount": [inv["amount"]]})
    daily = forecast_cash(book.filter(pl.col("invoice_number") == inv["invoice_number"]),
                          pred, AS_OF, freq="day", horizon_days=120, promises=promise, n_sims=200)
    hit = daily.filter(pl.col("period_start") == date(2023, 3, 15))
    assert float(hit["expected"].cast(pl.Float64)[0]) == round(inv["amount"], 2)
    assert float(daily["expected"].cast(pl.Float64).sum()) == round(inv["amount"], 2)
    assert float(hit["p10"].cast(pl.Float64)[0]) == round(inv["amount"], 2)


def test_backtest_reports_wape_and_band_coverage(ledger: pl.DataFrame) -> None:
    rows = backtest(ledger, [date(2022, 10, 1), AS_OF], horizon_weeks=8, n_sims=200)
    assert [r["cutoff"] for r in rows] == ["2022-10-01", "2023-01-01"]
    for r in rows:
        assert np.isfinite(r["wape"]) and 0 <= r["band_coverage"] <= 1 and r["n_open"] > 0
