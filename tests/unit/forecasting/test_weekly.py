"""The weekly receipts of open invoices (`cobro predict payments --weekly-out`): the sum of each invoice's
predictive distribution per currency and ISO week, not of point dates; and the file the command writes."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from cobro.forecasting.cli import app
from cobro.forecasting.paydate.weekly import weekly_receipts

from .test_cli import _files

CUTOFF = date(2024, 1, 1)  # a Monday


def test_an_invoice_spread_over_two_weeks_is_expected_in_both() -> None:
    # due Monday 8 Jan; delay between about 0 and 10 days: some cash in the week of the 8th, some in the next
    rows = weekly_receipts([date(2024, 1, 8)], ["EUR"], np.array([1000.0]), np.array([1.0]), np.array([5.0]),
                           np.array([9.0]), CUTOFF)
    by_week = {r.week_start: r for r in rows}
    assert all(w.weekday() == 0 for w in by_week)
    first, second = by_week[date(2024, 1, 8)], by_week[date(2024, 1, 15)]
    assert 0 < first.p50 < 1000 and 0 < second.p50 < 1000  # a point date would put all 1000 in one week
    assert abs(sum(r.p50 for r in rows) - 1000) < 1e-6  # the expected receipts add up to the open amount
    assert all(r.p10 <= r.p50 <= r.p90 for r in rows)
    assert first.p10 == 0 and first.p90 == 1000  # one invoice: either all of it arrives that week or nothing


def test_many_invoices_give_a_band_of_the_sum_and_currencies_stay_apart() -> None:
    n = 200
    due = [date(2024, 1, 15)] * n + [date(2024, 1, 15)]
    cur = ["EUR"] * n + ["USD"]
    amount = np.array([10.0] * n + [500.0])
    d10, d50, d90 = np.full(n + 1, -2.0), np.full(n + 1, 3.0), np.full(n + 1, 12.0)
    rows = weekly_receipts(due, cur, amount, d10, d50, d90, CUTOFF)
    again = weekly_receipts(due, cur, amount, d10, d50, d90, CUTOFF)
    assert rows == again  # a fixed seed
    eur = [r for r in rows if r.currency == "EUR"]
    usd = [r for r in rows if r.currency == "USD"]
    assert abs(sum(r.p50 for r in eur) - 2000) < 1e-6 and abs(sum(r.p50 for r in usd) - 500) < 1e-6
    busiest = max(eur, key=lambda r: r.p50)
    # 200 independent invoices: the week's total is much tighter than the all-or-nothing of one invoice
    assert 0 < busiest.p90 - busiest.p10 < 0.5 * busiest.p50
    assert [r.week_start for r in eur] == sorted(r.week_start for r in eur)


def test_predict_payments_writes_the_weekly_file(tmp_path: Path) -> None:
    history, open_, mapping, book = _files(tmp_path)
    out, weekly = tmp_path / "pred.csv", tmp_path / "weeks" / "weekly.csv"
    result = CliRunner().invoke(app, ["payments", "--history", str(history), "--open", str(open_),
                                      "--mapping", str(mapping), "--out", str(out), "--weekly-out", str(weekly)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(weekly.open()))
    assert rows[0] == ["week_start", "currency", "p10", "p50", "p90"]
    assert rows[1:] and {r[1] for r in rows[1:]} == {"EUR"}
    assert all(date.fromisoformat(r[0]).weekday() == 0 for r in rows[1:])
    for r in rows[1:]:
        p10, p50, p90 = map(float, r[2:])
        assert p10 <= p50 <= p90 and all(len(x.split(".")[1]) == 2 for x in r[2:])
    total = sum(float(r[3]) for r in rows[1:])
    assert abs(total - float(book["amount"].sum())) < 0.01 * len(rows)  # every open euro expected once
