"""Evaluation of the payment-date model next to the data README's baselines, computed in the same run.

Protocol (see ../shared/data/ibm-ar/README.md): "as of T" training uses invoices issued *and* settled before
T; the test set is every invoice issued in [T, end).  Customer history for baselines is frozen at T.
Target ``d = settled - due``; late means ``d > 0``; accuracy predicts late when the score is >= 0.5;
weekly cash buckets are W-SUN weeks of the payment date, WAPE = sum|F - A| / sum A.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import polars as pl
from sklearn.metrics import roc_auc_score

from cobro.forecasting.paydate import distribution as dist
from cobro.forecasting.paydate.features import delay_days, training_rows
from cobro.forecasting.paydate.model import PaydateModel, fit

Metrics = dict[str, float]


def regression_metrics(y: np.ndarray, pred: np.ndarray) -> Metrics:
    err = pred - y
    return {
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "within_3d": float(np.mean(np.abs(err) <= 3)),
        "mae_days_late": float(np.mean(np.abs(np.maximum(pred, 0) - np.maximum(y, 0)))),
    }


def late_metrics(y: np.ndarray, score: np.ndarray) -> Metrics:
    late = y > 0
    auc = float(roc_auc_score(late, score)) if 0 < late.sum() < late.size and np.ptp(score) > 0 else 0.5
    return {
        "accuracy": float(np.mean((score >= 0.5) == late)),
        "auc": auc,
        "brier": float(np.mean((score - late) ** 2)),
    }


def pinball(y: np.ndarray, q: np.ndarray, alpha: float) -> float:
    diff = y - q
    return float(np.mean(np.maximum(alpha * diff, (alpha - 1) * diff)))


def interval_metrics(y: np.ndarray, q10: np.ndarray, q50: np.ndarray, q90: np.ndarray) -> Metrics:
    return {
        "coverage": float(np.mean((y >= q10) & (y <= q90))),
        "width": float(np.mean(q90 - q10)),
        "pinball_q10": pinball(y, q10, 0.1),
        "pinball_q50": pinball(y, q50, 0.5),
        "pinball_q90": pinball(y, q90, 0.9),
    }


def _by_customer(train: pl.DataFrame, y: np.ndarray) -> dict[str, np.ndarray]:
    out: dict[str, list[float]] = {}
    for code, d in zip(train["customer_code"].to_list(), y.tolist(), strict=True):
        out.setdefault(code, []).append(d)
    return {k: np.asarray(v) for k, v in out.items()}


def _per_customer(test: pl.DataFrame, hist: dict[str, np.ndarray], stat: Callable[[np.ndarray], float],
                  fallback: float) -> np.ndarray:
    return np.array([stat(hist[c]) if c in hist else fallback for c in test["customer_code"].to_list()])


def _quantile_of(p: float) -> Callable[[np.ndarray], float]:
    def stat(a: np.ndarray) -> float:
        return float(np.quantile(a, p))

    return stat


def _due_ordinals(test: pl.DataFrame) -> np.ndarray:
    return np.array([d.toordinal() for d in test["due_date"].to_list()], dtype=np.int64)


def point_cash(test: pl.DataFrame, d_hat: np.ndarray) -> dict[int, float]:
    """Weekly receipts when each invoice pays its full amount on due + round(d_hat)."""
    amount = test["amount"].cast(pl.Float64).to_numpy()
    return dist.weekly_sum(_due_ordinals(test) + np.rint(d_hat).astype(np.int64), amount)


def empirical_cash(test: pl.DataFrame, hist: dict[str, np.ndarray], global_d: np.ndarray) -> dict[int, float]:
    """B2: each invoice's amount spread evenly over its customer's past delays (global when none)."""
    ords, weights = [], []
    for due, amount, code in zip(_due_ordinals(test).tolist(), test["amount"].cast(pl.Float64).to_list(),
                                 test["customer_code"].to_list(), strict=True):
        delays = hist.get(code, global_d)
        ords.append(due + np.rint(delays).astype(np.int64))
        weights.append(np.full(delays.size, amount / delays.size))
    return dist.weekly_sum(np.concatenate(ords), np.concatenate(weights))


def model_cash(test: pl.DataFrame, pred: pl.DataFrame) -> dict[int, float]:
    """Expected weekly receipts from the model's per-invoice predictive distributions."""
    v = dist.knots(pred["d10"].to_numpy(), pred["d50"].to_numpy(), pred["d90"].to_numpy())
    start, mass = dist.daily_mass(v)
    amount = test["amount"].cast(pl.Float64).to_numpy()
    ords = _due_ordinals(test)[:, None] + start[:, None] + np.arange(mass.shape[1])[None, :]
    return dist.weekly_sum(ords, mass * amount[:, None])


def evaluate_split(frame: pl.DataFrame, cutoff: date, end: date | None = None,
                   trainer: Callable[[pl.DataFrame, date], PaydateModel] = fit) -> dict[str, Any]:
    """Train as of ``cutoff``, test on invoices issued in [cutoff, end); cobro next to every baseline."""
    train = training_rows(frame, cutoff)
    test = frame.filter((pl.col("issue_date") >= cutoff) & pl.col("settled_date").is_not_null())
    if end is not None:
        test = test.filter(pl.col("issue_date") < end)
    if test.height == 0:
        raise ValueError(f"no settled invoices issued on or after {cutoff} to test on")
    y_tr, y = delay_days(train), delay_days(test)
    hist = _by_customer(train, y_tr)
    g_mean, g_med = float(np.mean(y_tr)), float(np.median(y_tr))
    g_q = np.quantile(y_tr, [0.1, 0.5, 0.9])
    g_late = float(np.mean(y_tr > 0))
    settled = test["settled_date"].to_list()
    actual = dist.weekly_sum(np.array([d.toordinal() for d in settled]), test["amount"].cast(pl.Float64).to_numpy())

    model = trainer(frame, cutoff)
    pred = model.predict(test.drop("settled_date"), frame, cutoff)
    rows: dict[str, Metrics] = {}

    def point(name: str, d_hat: np.ndarray) -> None:
        rows[name] = regression_metrics(y, d_hat) | {
            f"cash_{k}": v for k, v in dist.weekly_errors(point_cash(test, d_hat), actual).items()}

    point("B0 due date", np.zeros(test.height))
    point("B0b due + global mean", np.full(test.height, g_mean))
    point("B0c due + global median", np.full(test.height, g_med))
    point("B1 customer mean", _per_customer(test, hist, np.mean, g_mean))
    point("B1b customer median", _per_customer(test, hist, np.median, g_med))
    rows["B2 customer delay distribution"] = {
        f"cash_{k}": v for k, v in dist.weekly_errors(empirical_cash(test, hist, y_tr), actual).items()}
    rows["always on time (constant rate)"] = late_metrics(y, np.full(test.height, g_late))
    rows["late-rate"] = late_metrics(y, _per_customer(test, hist, lambda a: float(np.mean(a > 0)), g_late))
    rows["disputed flag"] = late_metrics(y, test["disputed"].cast(pl.Float64).to_numpy())
    cq = np.column_stack([_per_customer(test, hist, _quantile_of(p), float(g_q[i]))
                          for i, p in enumerate((0.1, 0.5, 0.9))])
    rows["customer empirical quantiles"] = interval_metrics(y, cq[:, 0], cq[:, 1], cq[:, 2])
    rows["global quantiles"] = interval_metrics(y, *(np.full(test.height, q) for q in g_q))
    d10, d50, d90 = (pred[c].to_numpy() for c in ("d10", "d50", "d90"))
    rows["cobro"] = (
        regression_metrics(y, d50) | late_metrics(y, pred["p_late"].to_numpy())
        | interval_metrics(y, d10, d50, d90)
        | {f"cash_{k}": v for k, v in dist.weekly_errors(model_cash(test, pred), actual).items()}
    )
    return {
        "cutoff": cutoff.isoformat(), "end": end.isoformat() if end else None,
        "n_train": train.height, "n_test": test.height, "test_late_rate": float(np.mean(y > 0)),
        "cash_total": float(sum(actual.values())), "model": {
            "kind": model.kind, "message": model.message, "metrics": model.metrics},
        "rows": rows,
    }


def format_table(result: dict[str, Any]) -> str:
    """A plain-text table of one split's results (missing metrics shown as '-')."""
    cols = ("mae", "rmse", "within_3d", "mae_days_late", "accuracy", "auc", "brier", "coverage", "width",
            "pinball_q10", "pinball_q50", "pinball_q90", "cash_weekly_mae", "cash_wape")
    head = (f"as of {result['cutoff']} (test to {result['end'] or 'end'}): n_train={result['n_train']} "
            f"n_test={result['n_test']} late rate={result['test_late_rate']:.3f}")
    lines = [head, f"{'':32}" + "".join(f"{c[:11]:>12}" for c in cols)]
    for name, m in result["rows"].items():
        cells = "".join(f"{m[c]:12.3f}" if c in m else f"{'-':>12}" for c in cols)
        lines.append(f"{name:32}{cells}")
    return "\n".join(lines)
