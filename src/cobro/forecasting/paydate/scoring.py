"""Scoring open instalments for storage: dates, probabilities and reasons from the payment-date model.

The model gives, per instalment, three quantiles of the delay ``d = settled - due`` among invoices that get paid
(`distribution.knots` turns them into a full quantile function).  An instalment still open at the as-of date has
not been paid before ``floor = as_of + 1 - due``, so every figure here is conditional on ``d >= floor``:

- p10/p50/p90 dates: the conditional quantiles, ``u = F(floor) + q (1 - F(floor))``;
- expected date: the conditional mean of the daily payment mass (`distribution.daily_mass`);
- probability not paid within 180 days of the due date: the model learns only from paid invoices, so the chance of
  never paying comes from the censored ones.  ``pi`` is the customer's share of matured instalments (due at least
  180 days before the as-of date) that were not paid within 180 days, shrunk toward the ledger-wide share with 10
  pseudo-instalments.  Being still open at ``floor`` is evidence for that group: by Bayes,
  ``w = pi / (pi + (1 - pi) S(floor))`` with ``S`` the payers' survival (`payer_survival`: heavy-tailed past q90), and
  ``p_unpaid_180 = w + (1 - w) P(d > 180 | d >= floor, payer)``; 1 once the instalment is over 180 days past due;
- probability late: 1 once the due date has passed unpaid, else ``w + (1 - w) p_late(model)``.

Reasons are the three features with the largest contribution to the median delay (LightGBM's per-prediction
contributions, in days), or, for the empirical fallback, the customer statistics it used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import numpy as np
import polars as pl

from cobro.forecasting.paydate.distribution import _PROBS, cdf, daily_mass, knots
from cobro.forecasting.paydate.features import build_features
from cobro.forecasting.paydate.model import FORMAT_VERSION, PaydateModel

UNPAID_DAYS = 180
_SHRINK = 10.0  # pseudo-instalments pulling a customer's unpaid share toward the ledger's
_LIMIT = 3650  # delays are clipped to ±10 years so a wild quantile cannot make an impossible date
_REASON_FEATURES = ("d_median", "late_rate", "n_hist")


def model_version(model: PaydateModel) -> str:
    """Names the model: kind, file format, training cutoff and a digest of its trees (or "baseline")."""
    digest = (hashlib.sha256(json.dumps(model.boosters, sort_keys=True).encode()).hexdigest()[:10]
              if model.boosters else "empirical")
    return f"paydate-{model.kind}-v{FORMAT_VERSION}-{model.trained_until.isoformat()}-{digest}"


def unpaid_shares(history: pl.DataFrame, as_of: dt.date) -> tuple[dict[str, float], float]:
    """Per customer code, the shrunk share of matured instalments not paid within `UNPAID_DAYS` of their due
    date as known at `as_of`; and the ledger-wide share (the prior)."""
    matured = history.filter(pl.col("due_date") <= as_of - dt.timedelta(days=UNPAID_DAYS))
    if matured.height == 0:
        return {}, 0.0
    unpaid = matured.with_columns(
        (pl.col("settled_date").is_null()
         | ((pl.col("settled_date") - pl.col("due_date")).dt.total_days() > UNPAID_DAYS)).alias("unpaid"))
    prior = int(unpaid["unpaid"].sum()) / unpaid.height
    per = unpaid.group_by("customer_code").agg(pl.col("unpaid").sum().alias("k"), pl.len().alias("n"))
    shares = {str(code): (k + _SHRINK * prior) / (n + _SHRINK) for code, k, n in per.iter_rows()}
    return shares, prior


def payer_survival(v: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(d > x) among payers: the quantile function's up to q90, then an exponential tail (10 % at q90, scale
    max(q90 - q50, 7 days)).  The cash forecast's linear tail ends a few days after q90; for the never-pays
    posterior that would call every instalment that outlived it a non-payer, so the tail here is a heavy one."""
    q50, q90 = v[:, 2], v[:, 3]
    inner = 1.0 - cdf(v, x[:, None])[:, 0]
    scale = np.maximum(q90 - q50, 7.0)
    far = 0.1 * np.exp(-np.maximum(x - q90, 0.0) / scale)
    return np.asarray(np.where(x <= q90, inner, far), dtype=np.float64)


def _reasons(model: PaydateModel, feats: pl.DataFrame) -> list[list[str]]:
    if model.kind == "gbm":
        x = feats.select(model.features).to_numpy().astype(np.float64)
        contrib = np.asarray(model._booster("q50").predict(x, pred_contrib=True))[:, :-1]  # last column: bias
        out = []
        for row in contrib:
            top = np.argsort(-np.abs(row), kind="stable")[:3]
            out.append([f"{model.features[j]} {row[j]:+.1f} d" for j in top])
        return out
    rows = feats.select(_REASON_FEATURES).iter_rows()
    return [[f"customer median delay {med:+.1f} d", f"late rate {late:.0%}", f"{int(n)} past instalments"]
            for med, late, n in rows]


def score_open(model: PaydateModel, book: pl.DataFrame, history: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """One row per instalment of `book` (open at `as_of`): invoice_number, expected/p10/p50/p90 dates, p_late,
    p_unpaid_180 (floats in [0, 1]) and reasons (a list of strings).  `history` is the ledger known at `as_of`."""
    cutoff = as_of + dt.timedelta(days=1)
    targets = book.drop("settled_date") if "settled_date" in book.columns else book
    feats = build_features(targets, history, cutoff)
    due = targets["due_date"]
    terms = (due - targets["issue_date"]).dt.total_days().cast(pl.Float64).to_numpy()
    pred = model.predict_frame(feats, terms)
    v = knots(pred["d10"].to_numpy(), pred["d50"].to_numpy(), pred["d90"].to_numpy())
    due_ord = np.array([d.toordinal() for d in due.to_list()], dtype=np.int64)
    floor = cutoff.toordinal() - due_ord
    f_floor = np.minimum(cdf(v, floor[:, None] - 0.5)[:, 0], 1.0)
    survive = 1.0 - f_floor
    quant = {}
    for name, q in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9)):
        u = f_floor + q * survive
        d = np.array([np.interp(u[i], _PROBS, v[i]) for i in range(v.shape[0])])
        quant[name] = np.clip(np.maximum(np.rint(d), floor), -_LIMIT, _LIMIT).astype(np.int64)
    start, mass = daily_mass(v, floor)
    expected = (mass * (start[:, None] + np.arange(mass.shape[1])[None, :])).sum(axis=1)
    expected_d = np.clip(np.maximum(np.rint(expected), floor), -_LIMIT, _LIMIT).astype(np.int64)
    shares, prior = unpaid_shares(history, as_of)
    pi = np.array([shares.get(str(c), prior) for c in targets["customer_code"].to_list()], dtype=np.float64)
    alive = payer_survival(v, floor - 0.5)
    denom = pi + (1.0 - pi) * alive
    w = np.divide(pi, denom, out=np.ones_like(pi), where=denom > 0)
    beyond = payer_survival(v, np.full(v.shape[0], UNPAID_DAYS + 0.5))
    tail = np.divide(beyond, alive, out=np.zeros_like(beyond), where=alive > 0)
    p_unpaid = np.where(floor > UNPAID_DAYS, 1.0, w + (1.0 - w) * np.clip(tail, 0.0, 1.0))
    p_late = np.where(floor > 0, 1.0, w + (1.0 - w) * pred["p_late"].to_numpy())

    def dates(days: np.ndarray) -> list[dt.date]:
        return [dt.date.fromordinal(int(o + d)) for o, d in zip(due_ord, days, strict=True)]

    return pl.DataFrame({
        "invoice_number": targets["invoice_number"],
        "expected_date": dates(expected_d),
        "p10_date": dates(quant["p10"]), "p50_date": dates(quant["p50"]), "p90_date": dates(quant["p90"]),
        "p_late": np.clip(p_late, 0.0, 1.0), "p_unpaid_180": np.clip(p_unpaid, 0.0, 1.0),
        "reasons": _reasons(model, feats),
    }, schema_overrides={"reasons": pl.List(pl.String())})
