"""Payment-date model: quantile gradient boosting with split-conformal (CQR) intervals + late classifier.

Target ``d = settled - due`` in signed days.  Three LightGBM quantile models give q10/q50/q90 of ``d``; a
LightGBM binary model gives ``p_late = P(d > 0)``.  The q10-q90 interval is widened (or narrowed) by
conformalized quantile regression on a time-ordered calibration slice of the training rows, aiming at
``coverage`` (0.80).  Predictions are reported in days from the invoice date: ``terms + d``.

Hyperparameters are fixed on principle for small ledgers (hundreds to a few thousand invoices): shallow
trees, large leaves, L2 regularisation, subsampling, a small learning rate.  They were not tuned on any
test period.  With fewer than ``MIN_TRAIN`` settled invoices the model is not fitted: predictions come
from the shrunk customer/global empirical quantiles and are flagged ``method="baseline"``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl

from cobro.forecasting.paydate.features import (
    FEATURES,
    Mode,
    build_features,
    delay_days,
    training_as_of,
    training_rows,
)

FORMAT_VERSION = 1
MIN_TRAIN = 50
MIN_CALIBRATION = 30
QUANTILES = (0.1, 0.5, 0.9)
BASE_PARAMS: dict[str, Any] = {
    "learning_rate": 0.03,
    "num_leaves": 7,
    "max_depth": 3,
    "min_data_in_leaf": 40,
    "lambda_l2": 10.0,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "verbose": -1,
    "seed": 20240601,
    "deterministic": True,
    "num_threads": 1,
}
NUM_ROUNDS = 300


class ModelError(ValueError):
    """A model file that cannot be used."""


class ModelVersionError(ModelError):
    """A model file written by another format version."""


def _matrix(frame: pl.DataFrame, features: tuple[str, ...]) -> np.ndarray:
    return frame.select(features).to_numpy().astype(np.float64)


def _train_booster(x: np.ndarray, y: np.ndarray, objective: str, alpha: float | None = None) -> lgb.Booster:
    params = dict(BASE_PARAMS, objective=objective)
    if alpha is not None:
        params["alpha"] = alpha
    data = lgb.Dataset(x, label=y, free_raw_data=True)
    return lgb.train(params, data, num_boost_round=NUM_ROUNDS)


def conformal_margin(scores: np.ndarray, coverage: float) -> float:
    """Split-conformal margin: the ceil((n+1)·coverage)/n empirical quantile of the conformity scores."""
    n = scores.size
    if n == 0:
        return 0.0
    level = min(1.0, math.ceil((n + 1) * coverage) / n)
    return float(np.quantile(scores, level, method="higher"))


def cqr_scores(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """CQR conformity scores: how far the truth falls outside [lo, hi] (negative when inside)."""
    return np.asarray(np.maximum(lo - y, y - hi), dtype=np.float64)


def calibration_split(rows: pl.DataFrame, cutoff: date, share: float = 0.25) -> np.ndarray:
    """Boolean mask of the calibration slice: the latest ``share`` of the *mature* training rows.

    Rows issued in the last weeks before the cutoff are only present when paid early (the late ones are
    still open, hence censored); calibrating on them would make intervals too narrow.  "Mature" = issued
    at least the 95th percentile of issue-to-settlement days before the cutoff.
    """
    to_settle = (rows["settled_date"] - rows["issue_date"]).dt.total_days().to_numpy()
    maturity = int(np.quantile(to_settle, 0.95)) if to_settle.size else 0
    mature_before = cutoff - timedelta(days=maturity)
    issued = rows["issue_date"].to_numpy()
    mature = rows["issue_date"] < mature_before
    mature_idx = np.flatnonzero(mature.to_numpy())
    n_cal = round(share * mature_idx.size)
    mask = np.zeros(rows.height, dtype=bool)
    if n_cal == 0:
        return mask
    order = mature_idx[np.argsort(issued[mature_idx], kind="stable")]
    mask[order[-n_cal:]] = True
    return mask


@dataclass
class PaydateModel:
    """A fitted payment-date model (or its empirical fallback) with what is needed to audit it."""

    trained_until: date
    kind: str  # "gbm" or "baseline"
    features: tuple[str, ...] = FEATURES
    mode: Mode = "frozen"
    horizon_days: int = 91
    coverage: float = 0.8
    margin: float = 0.0
    metrics: dict[str, float] = field(default_factory=dict)
    message: str = ""
    boosters: dict[str, str] = field(default_factory=dict)
    # when it was fitted, from the caller's clock (`fit(now=...)`); "" for a model fitted for one prediction
    # and never saved, where no one reads it
    created_at: str = ""
    format_version: int = FORMAT_VERSION
    _cache: dict[str, lgb.Booster] = field(default_factory=dict, repr=False, compare=False)

    # --- prediction ------------------------------------------------------------------------------------
    def _booster(self, name: str) -> lgb.Booster:
        if name not in self._cache:
            self._cache[name] = lgb.Booster(model_str=self.boosters[name])
        return self._cache[name]

    def predict_frame(self, feats: pl.DataFrame, terms: np.ndarray) -> pl.DataFrame:
        """Predictions from an already-built feature frame (``build_features`` output)."""
        if self.kind == "gbm":
            x = _matrix(feats, self.features)
            q = np.column_stack([self._booster(f"q{int(a * 100)}").predict(x) for a in QUANTILES])
            q = np.sort(q, axis=1)
            p_late = np.clip(self._booster("late").predict(x), 0.0, 1.0)
        else:
            q = np.sort(feats.select("d_q10", "d_median", "d_q90").to_numpy().astype(np.float64), axis=1)
            p_late = feats["late_rate"].to_numpy().astype(np.float64)
        d10, d50, d90 = q[:, 0] - self.margin, q[:, 1], q[:, 2] + self.margin
        d10 = np.minimum(d10, d50)
        d90 = np.maximum(d90, d50)
        return pl.DataFrame({
            "invoice_number": feats["invoice_number"],
            "d10": d10, "d50": d50, "d90": d90,
            "p10_days": terms + d10, "p50_days": terms + d50, "p90_days": terms + d90,
            "p_late": p_late,
            "method": [self.kind] * feats.height,
        })

    def predict(self, targets: pl.DataFrame, history: pl.DataFrame, as_of: date | None = None,
                mode: Mode = "frozen") -> pl.DataFrame:
        """Predict open invoices ``targets`` from settled ``history`` known at ``as_of``.

        ``as_of`` defaults to the model's training date (everything it was trained on is known).
        """
        when = as_of or self.trained_until
        feats = build_features(targets, history, when, mode=mode)
        terms = (targets["due_date"] - targets["issue_date"]).dt.total_days().cast(pl.Float64).to_numpy()
        return self.predict_frame(feats, terms)

    # --- persistence -----------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        doc = {
            "format_version": self.format_version, "kind": self.kind, "created_at": self.created_at,
            "trained_until": self.trained_until.isoformat(), "features": list(self.features),
            "mode": self.mode, "horizon_days": self.horizon_days, "coverage": self.coverage,
            "margin": self.margin, "metrics": self.metrics, "message": self.message,
            "boosters": self.boosters,
        }
        path.write_text(json.dumps(doc, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> PaydateModel:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelError(f"cannot read model file {path}: {exc}") from exc
        version = doc.get("format_version") if isinstance(doc, dict) else None
        if version != FORMAT_VERSION:
            raise ModelVersionError(
                f"model file {path} has format version {version!r}, this cobro reads version "
                f"{FORMAT_VERSION}; retrain the model (`cobro model train`, or run `cobro predict payments` "
                "which trains from the history file)"
            )
        features = tuple(doc["features"])
        if set(features) - set(FEATURES):
            raise ModelError(f"model file {path} uses unknown features; retrain the model")
        return cls(
            trained_until=date.fromisoformat(doc["trained_until"]), kind=doc["kind"], features=features,
            mode=doc["mode"], horizon_days=int(doc["horizon_days"]), coverage=float(doc["coverage"]),
            margin=float(doc["margin"]), metrics=dict(doc["metrics"]), message=doc.get("message", ""),
            boosters=dict(doc["boosters"]), created_at=doc["created_at"],
        )


def fit(history: pl.DataFrame, cutoff: date, *, coverage: float = 0.8, horizon_days: int = 91,
        mode: Mode = "frozen", now: datetime | None = None) -> PaydateModel:
    """Train on invoices issued and settled before ``cutoff`` (features point-in-time, see features.py).

    ``now`` is the fitting time recorded as ``created_at`` (the entrypoint reads it from its clock); leave it out
    only for a model that is used once and not saved.
    """
    created_at = "" if now is None else now.isoformat(timespec="seconds")
    rows = training_rows(history, cutoff)
    if rows.height < MIN_TRAIN:
        return PaydateModel(
            trained_until=cutoff, kind="baseline", mode=mode, horizon_days=horizon_days, coverage=coverage,
            created_at=created_at,
            metrics={"n_train": float(rows.height)},
            message=(f"only {rows.height} settled invoices before {cutoff} (need {MIN_TRAIN}): using the "
                     "customer/global empirical delay quantiles instead of a fitted model"),
        )
    as_of = training_as_of(rows["issue_date"], cutoff, horizon_days, mode)
    feats = build_features(rows, history, as_of, mode="frozen")
    x = _matrix(feats, FEATURES)
    y = delay_days(rows)
    late = (y > 0).astype(np.float64)
    cal = calibration_split(rows, cutoff)
    metrics: dict[str, float] = {"n_train": float(rows.height), "n_calibration": float(cal.sum())}
    margin = 0.0
    message = ""
    if cal.sum() >= MIN_CALIBRATION:
        lo = _train_booster(x[~cal], y[~cal], "quantile", QUANTILES[0]).predict(x[cal])
        hi = _train_booster(x[~cal], y[~cal], "quantile", QUANTILES[2]).predict(x[cal])
        lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)
        scores = cqr_scores(y[cal], lo, hi)
        margin = conformal_margin(scores, coverage)
        metrics["calibration_coverage_raw"] = float(np.mean(scores <= 0))
        metrics["calibration_coverage"] = float(np.mean(scores <= margin))
    else:
        message = f"calibration slice too small ({int(cal.sum())} rows): intervals are not conformalized"
    metrics["conformal_margin_days"] = margin
    boosters = {
        f"q{int(a * 100)}": _train_booster(x, y, "quantile", a).model_to_string() for a in QUANTILES
    }
    boosters["late"] = _train_booster(x, late, "binary").model_to_string()
    return PaydateModel(
        trained_until=cutoff, kind="gbm", mode=mode, horizon_days=horizon_days, coverage=coverage,
        margin=margin, metrics=metrics, message=message, boosters=boosters, created_at=created_at,
    )
