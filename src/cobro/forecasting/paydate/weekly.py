"""Weekly cash receipts of a set of open invoices from their predictive distributions (`--weekly-out`).

Each invoice's delay ``d`` (settled - due) follows the piecewise-linear quantile function through its predicted
q10/q50/q90 (`distribution.knots`), conditioned on not being paid before the cutoff (``d >= cutoff - due``).  Per
currency and ISO week (labelled by its Monday):

- p50 is the expected receipts of the week: the sum over invoices of amount x P(paid that week), exact from the daily
  probability mass (`distribution.daily_mass`);
- p10 and p90 are the 10th and 90th percentiles of the week's total over `n_sims` joint draws (Monte Carlo with a
  fixed seed, invoices independent), so the band is the band of the sum, not a sum of per-invoice bands.

The weeks run from the cutoff's week to the last week with any probability of payment.  Amounts are floats here
(a statistical estimate); the caller puts them on the currency's grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from cobro.forecasting.paydate.distribution import daily_mass, knots, sample, week_start

CHUNK = 2000  # invoices sampled at a time: memory is CHUNK x n_sims draws


@dataclass(frozen=True, slots=True)
class WeekReceipts:
    week_start: date
    currency: str
    p10: float
    p50: float
    p90: float


def weekly_receipts(due: list[date], currency: list[str], amount: np.ndarray, d10: np.ndarray, d50: np.ndarray,
                    d90: np.ndarray, cutoff: date, *, n_sims: int = 1000, seed: int = 20240601) -> list[WeekReceipts]:
    """Rows ordered by currency then week; see the module docstring."""
    if not due:
        return []
    v = knots(d10, d50, d90)
    due_ord = np.array([d.toordinal() for d in due], dtype=np.int64)
    floor = cutoff.toordinal() - due_ord
    cur = np.array(currency)
    amount = np.asarray(amount, dtype=np.float64)
    out: list[WeekReceipts] = []
    for code in sorted(set(currency)):
        idx = np.flatnonzero(cur == code)
        start, mass = daily_mass(v[idx], floor[idx])
        days = due_ord[idx, None] + start[:, None] + np.arange(mass.shape[1])[None, :]
        first = int(week_start(np.array([min(cutoff.toordinal(), int(days.min()))]))[0])
        last = int(week_start(np.array([int(days.max())]))[0])
        n_weeks = (last - first) // 7 + 1
        expected = np.bincount(((week_start(days) - first) // 7).ravel(),
                               weights=(mass * amount[idx, None]).ravel(), minlength=n_weeks)
        totals = np.zeros(n_sims * n_weeks)
        for k in range(0, idx.size, CHUNK):
            part = idx[k:k + CHUNK]
            paid = due_ord[part, None] + sample(v[part], n_sims, seed=seed + k, floor_day=floor[part])
            week = np.clip((week_start(paid) - first) // 7, 0, n_weeks - 1)
            sim = np.broadcast_to(np.arange(n_sims)[None, :], paid.shape)
            totals += np.bincount((sim * n_weeks + week).ravel(),
                                  weights=np.repeat(amount[part], n_sims), minlength=n_sims * n_weeks)
        lo, hi = np.quantile(totals.reshape(n_sims, n_weeks), [0.1, 0.9], axis=0)
        for w in range(n_weeks):
            mid = float(expected[w])
            out.append(WeekReceipts(date.fromordinal(first + 7 * w), code, min(float(lo[w]), mid), mid,
                                    max(float(hi[w]), mid)))
    return out
