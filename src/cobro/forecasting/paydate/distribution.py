"""Per-invoice predictive distribution of the payment delay and weekly cash bucketing.

The model gives three quantiles (q10, q50, q90) of the delay ``d``.  We turn them into a full distribution
with a piecewise-linear quantile function through (0.1, q10), (0.5, q50), (0.9, q90), and linear tails to
p=0 and p=1 whose length (0.75 x the neighbouring inner half-width) matches the tail mean of a normal.
From it we get exact expected receipts per day (CDF differences) or Monte Carlo samples.

Weeks follow pandas ``W-SUN`` periods (Monday to Sunday); a week is labelled by its Monday.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

_PROBS = np.array([0.0, 0.1, 0.5, 0.9, 1.0])
_TAIL = 0.75
_EPS = 1e-6


def knots(q10: np.ndarray, q50: np.ndarray, q90: np.ndarray) -> np.ndarray:
    """Knot values (n, 5) of the quantile function at probabilities 0, .1, .5, .9, 1 (strictly increasing)."""
    q10, q50, q90 = (np.asarray(a, dtype=np.float64) for a in (q10, q50, q90))
    lo = np.minimum(q10, q50)
    hi = np.maximum(q90, q50)
    v = np.column_stack([
        lo - np.maximum(_TAIL * (q50 - lo), 1.0), lo, q50, hi, hi + np.maximum(_TAIL * (hi - q50), 1.0),
    ])
    # Enforce strict monotonicity so the CDF is well defined even for a degenerate interval.
    for j in range(1, 5):
        v[:, j] = np.maximum(v[:, j], v[:, j - 1] + _EPS)
    return v


def cdf(v: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(d <= x) for each row of knot values ``v`` (n, 5) and points ``x`` (n, m)."""
    out = np.empty(x.shape, dtype=np.float64)
    for i in range(v.shape[0]):
        out[i] = np.interp(x[i], v[i], _PROBS, left=0.0, right=1.0)
    return out


def daily_mass(v: np.ndarray, floor_day: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Probability of payment on each integer delay day: returns (first_day (n,), mass (n, m)).

    ``floor_day`` conditions on "not paid before that delay" (an invoice still open at the as-of date).
    """
    start = np.floor(v[:, 0] - 0.5).astype(np.int64)
    if floor_day is not None:
        start = np.maximum(start, floor_day)
    width = int(np.max(np.ceil(v[:, 4] + 0.5).astype(np.int64) - start)) + 1 if v.size else 1
    days = start[:, None] + np.arange(max(width, 1))[None, :]
    mass = np.diff(cdf(v, np.concatenate([days - 0.5, days[:, -1:] + 0.5], axis=1)), axis=1)
    if floor_day is not None:
        mass[days < floor_day[:, None]] = 0.0
    total = mass.sum(axis=1, keepdims=True)
    empty = total[:, 0] <= 0
    mass[empty] = 0.0
    mass[empty, 0] = 1.0  # all mass already "passed": pay on the floor day
    total[empty] = 1.0
    return start, mass / total


def sample(v: np.ndarray, n_sims: int, seed: int = 7, floor_day: np.ndarray | None = None) -> np.ndarray:
    """Monte Carlo delays (n, n_sims) rounded to days; conditioned on ``d >= floor_day`` when given."""
    rng = np.random.default_rng(seed)
    lo_u = np.zeros(v.shape[0]) if floor_day is None else cdf(v, floor_day[:, None] - 0.5)[:, 0]
    lo_u = np.minimum(lo_u, 1.0 - 1e-9)
    u = lo_u[:, None] + (1.0 - lo_u[:, None]) * rng.random((v.shape[0], n_sims))
    out = np.empty_like(u)
    for i in range(v.shape[0]):
        out[i] = np.interp(u[i], _PROBS, v[i])
    days = np.rint(out).astype(np.int64)
    if floor_day is not None:
        days = np.maximum(days, floor_day[:, None])
    return days


def week_start(ordinal: np.ndarray) -> np.ndarray:
    """Monday (as ordinal) of the W-SUN week of each date ordinal (ordinal 1 = 0001-01-01, a Monday)."""
    return np.asarray(ordinal - (ordinal - 1) % 7, dtype=np.int64)


def from_ordinal(ordinal: int) -> date:
    return date.fromordinal(int(ordinal))


def weekly_sum(ordinals: np.ndarray, weights: np.ndarray) -> dict[int, float]:
    """Sum ``weights`` by W-SUN week of ``ordinals``: {monday ordinal: total}."""
    weeks = week_start(np.asarray(ordinals, dtype=np.int64).ravel())
    w = np.asarray(weights, dtype=np.float64).ravel()
    uniq, inv = np.unique(weeks, return_inverse=True)
    sums = np.bincount(inv, weights=w, minlength=uniq.size)
    return {int(k): float(s) for k, s in zip(uniq, sums, strict=True)}


def weekly_errors(forecast: dict[int, float], actual: dict[int, float]) -> dict[str, float]:
    """Weekly MAE and WAPE = sum|F-A| / sum A over the union of weeks with forecast or actual cash."""
    weeks = sorted(set(forecast) | set(actual))
    f = np.array([forecast.get(w, 0.0) for w in weeks])
    a = np.array([actual.get(w, 0.0) for w in weeks])
    err = np.abs(f - a)
    return {
        "weekly_mae": float(err.mean()) if weeks else 0.0,
        "wape": float(err.sum() / a.sum()) if a.sum() > 0 else float("nan"),
        "n_weeks": float(len(weeks)),
    }


def monday(d: date) -> date:
    return d - timedelta(days=d.weekday())
