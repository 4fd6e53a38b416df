"""`cobro forecast backtest` per horizon week: WAPE and band coverage of each week-ahead over the cutoffs."""

from __future__ import annotations

import math
from datetime import date

import polars as pl

from cobro.forecasting.forecast import backtest, horizon_table


def _week(h: int, actual: float, expected: float, p10: float, p90: float) -> dict[str, float]:
    return {"horizon": h, "actual": actual, "expected": expected, "p10": p10, "p90": p90}


def test_the_horizon_table_pools_each_week_ahead_over_the_cutoffs() -> None:
    results = [
        {"currency": "EUR", "weeks": [_week(1, 100, 80, 50, 120), _week(2, 0, 0, 0, 0)]},
        {"currency": "EUR", "weeks": [_week(1, 50, 90, 60, 100), _week(2, 0, 10, 0, 20)]},
        {"currency": "USD", "weeks": [_week(1, 10, 10, 5, 15)]},
    ]
    table = {(r["currency"], r["horizon_week"]): r for r in horizon_table(results)}
    first = table[("EUR", 1)]
    assert first["n_cutoffs"] == 2 and first["actual_total"] == 150 and first["forecast_total"] == 170
    assert math.isclose(first["wape"], (20 + 40) / 150)
    assert first["band_coverage"] == 0.5 and first["n_weeks"] == 2  # 100 in [50, 120]; 50 not in [60, 100]
    second = table[("EUR", 2)]
    assert math.isnan(second["wape"])  # nothing came in that week at either cutoff
    assert second["n_weeks"] == 1 and second["band_coverage"] == 1.0  # the week with cash expected only
    assert table[("USD", 1)]["wape"] == 0.0 and list(table) == [("EUR", 1), ("EUR", 2), ("USD", 1)]


def test_backtest_reports_each_week_it_forecast(ledger: pl.DataFrame) -> None:
    rows = backtest(ledger, [date(2022, 10, 1), date(2023, 1, 1)], horizon_weeks=6, n_sims=200)
    table = horizon_table(rows)
    assert {r["n_cutoffs"] for r in table} == {2}
    assert [r["horizon_week"] for r in table] == list(range(1, len(table) + 1)) and len(table) >= 6
    for r in rows:  # the weeks add up to the cutoff's totals
        assert math.isclose(sum(w["actual"] for w in r["weeks"]), r["actual_total"], rel_tol=1e-9)
    assert math.isclose(sum(r["actual_total"] for r in table), sum(r["actual_total"] for r in rows), rel_tol=1e-9)
    assert all(0 <= r["band_coverage"] <= 1 for r in table if r["n_weeks"])
