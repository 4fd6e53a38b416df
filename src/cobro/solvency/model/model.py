"""Bankruptcy-probability model: LightGBM gradient boosting with CV Platt calibration, saved as versioned JSON.

Defaults are chosen on principle, not tuned on the Polish files (the model is judged on data we do not have):

* ``learning_rate=0.05`` with ``n_estimators=500``: small shrinkage with more trees (Friedman 2001) is the
  usual robust choice; the product (25) is in the range where boosting has converged on a few thousand rows.
* ``num_leaves=31``, ``min_child_samples=20``: LightGBM's own defaults.
* ``subsample=0.8`` (every iteration) and ``colsample_bytree=0.8``: stochastic gradient boosting (Friedman
  2002) reduces variance on small samples; 0.8 is the customary value.
* ``reg_lambda=1.0``: XGBoost's default L2 penalty on leaf values; stabilises leaves with few positives.
* no class weighting: weights distort probabilities, and we want calibrated P(default), not a ranking only.
* missing values (ARFF ``?``) go to LightGBM as NaN, which learns a default direction per split.
* calibration ``sigmoid`` (Platt) fitted on held-out folds (5-fold, like scikit-learn's
  ``CalibratedClassifierCV(ensemble=True)``): two parameters per fold are safe with ~100 positives, where
  isotonic regression overfits (scikit-learn advises isotonic only with >~1000 calibration samples).
  The final model is the average of the 5 calibrated fold models.

The saved file is gzip-compressed JSON: format name and version, training date, feature names, library
versions, parameters, CV metrics, and the LightGBM boosters as text (no pickle, so no code runs on load).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import math
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FORMAT_NAME = "cobro-solvency-model"
FORMAT_VERSION = 1
MIN_PER_CLASS = 10

Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class ModelFormatError(ValueError):
    """A model file that cannot be used: not a cobro model, or written by another format version."""


class InsufficientDataError(ValueError):
    """Too few rows or too few examples of a class to train or cross-validate."""


@dataclass(frozen=True, slots=True)
class ModelParams:
    n_estimators: int = 500
    learning_rate: float = 0.05
    num_leaves: int = 31
    min_child_samples: int = 20
    subsample: float = 0.8
    colsample_bytree: float = 0.8
    reg_lambda: float = 1.0
    calibration: str = "sigmoid"  # "sigmoid" | "isotonic" | "none"
    calibration_folds: int = 5
    seed: int = 0

    def lgb_params(self) -> dict[str, Any]:
        return {
            "objective": "binary", "learning_rate": self.learning_rate, "num_leaves": self.num_leaves,
            "min_child_samples": self.min_child_samples, "bagging_fraction": self.subsample,
            "bagging_freq": 1 if self.subsample < 1 else 0, "feature_fraction": self.colsample_bytree,
            "lambda_l2": self.reg_lambda, "seed": self.seed, "deterministic": True,
            "force_col_wise": True, "verbosity": -1, "num_threads": 1,
        }


@dataclass(slots=True)
class Metrics:
    auc: float
    pr_auc: float
    brier: float
    log_loss: float
    n_rows: int
    n_positive: int
    folds: int
    reliability: list[dict[str, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sigmoid(z: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0))), dtype=np.float64)


@dataclass(slots=True)
class _Member:
    """One boosted model and its calibration map from raw margin to probability."""

    booster_text: str
    calibration: dict[str, Any]
    _booster: Any = None

    def booster(self) -> Any:
        if self._booster is None:
            import lightgbm as lgb

            self._booster = lgb.Booster(model_str=self.booster_text)
        return self._booster

    def margin(self, x: Array) -> Array:
        return np.asarray(self.booster().predict(x, raw_score=True), dtype=np.float64)

    def proba(self, x: Array) -> Array:
        m = self.margin(x)
        kind = self.calibration.get("kind", "none")
        if kind == "sigmoid":
            return _sigmoid(self.calibration["a"] * m + self.calibration["b"])
        if kind == "isotonic":
            return np.asarray(np.interp(m, self.calibration["x"], self.calibration["y"]), dtype=np.float64)
        return _sigmoid(m)


def _fit_booster(x: Array, y: IntArray, params: ModelParams) -> str:
    import lightgbm as lgb

    data = lgb.Dataset(x, label=y, params={"verbosity": -1})
    booster = lgb.train(params.lgb_params(), data, num_boost_round=params.n_estimators)
    return str(booster.model_to_string())


def _fit_calibration(margin: Array, y: IntArray, kind: str) -> dict[str, Any]:
    if kind == "sigmoid":
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
        lr.fit(margin.reshape(-1, 1), y)
        return {"kind": "sigmoid", "a": float(lr.coef_[0, 0]), "b": float(lr.intercept_[0])}
    if kind == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(margin, y)
        return {"kind": "isotonic", "x": [float(v) for v in iso.X_thresholds_],
                "y": [float(v) for v in iso.y_thresholds_]}
    return {"kind": "none"}


def check_trainable(y: IntArray, folds: int) -> None:
    n_pos, n_neg = int((y == 1).sum()), int((y == 0).sum())
    need = max(MIN_PER_CLASS, folds)
    if n_pos < need or n_neg < need:
        raise InsufficientDataError(
            f"too little data to train: {n_pos} positive (bankrupt) and {n_neg} negative rows; "
            f"need at least {need} of each (with {folds} folds)")


def _fit_members(x: Array, y: IntArray, params: ModelParams) -> list[_Member]:
    if params.calibration == "none":
        return [_Member(_fit_booster(x, y, params), {"kind": "none"})]
    from sklearn.model_selection import StratifiedKFold

    k = min(params.calibration_folds, int((y == 1).sum()), int((y == 0).sum()))
    if k < 2:
        raise InsufficientDataError("too few examples of a class to calibrate; use calibration='none'")
    members = []
    for fit_idx, cal_idx in StratifiedKFold(k, shuffle=True, random_state=params.seed).split(x, y):
        member = _Member(_fit_booster(x[fit_idx], y[fit_idx], params), {})
        member.calibration = _fit_calibration(member.margin(x[cal_idx]), y[cal_idx], params.calibration)
        members.append(member)
    return members


def reliability_table(y: IntArray, p: Array, bins: int = 10) -> list[dict[str, float]]:
    """Quantile bins of the predicted probability: mean predicted vs observed default rate per bin."""
    order = np.argsort(p, kind="stable")
    out = []
    for chunk in np.array_split(order, bins):
        if len(chunk) == 0:
            continue
        out.append({"n": float(len(chunk)), "p_min": float(p[chunk].min()), "p_max": float(p[chunk].max()),
                    "mean_predicted": float(p[chunk].mean()), "observed_rate": float(y[chunk].mean())})
    return out


def expected_calibration_error(table: list[dict[str, float]]) -> float:
    n = sum(b["n"] for b in table)
    return sum(b["n"] / n * abs(b["mean_predicted"] - b["observed_rate"]) for b in table) if n else math.nan


def score_predictions(y: IntArray, p: Array, folds: int) -> Metrics:
    from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

    return Metrics(
        auc=float(roc_auc_score(y, p)), pr_auc=float(average_precision_score(y, p)),
        brier=float(brier_score_loss(y, p)), log_loss=float(log_loss(y, np.clip(p, 1e-15, 1 - 1e-15))),
        n_rows=len(y), n_positive=int(y.sum()), folds=folds, reliability=reliability_table(y, p),
    )


def deduplicate(x: Array, y: IntArray) -> npt.NDArray[np.intp]:
    """Indices of the first occurrence of each distinct (row, label); NaN equals NaN."""
    seen: set[bytes] = set()
    keep = []
    clean = np.where(np.isnan(x), 1.2345e300, x) + 0.0  # NaN → a sentinel; −0.0 → 0.0
    for i in range(x.shape[0]):
        key = clean[i].tobytes() + int(y[i]).to_bytes(8, "little", signed=True)
        if key not in seen:
            seen.add(key)
            keep.append(i)
    return np.asarray(keep, dtype=np.intp)


def cross_validate(x: Array, y: IntArray, params: ModelParams | None = None, *, folds: int = 5,
                   seed: int = 0) -> tuple[Array, Metrics]:
    """Stratified k-fold (shuffle, `seed`) out-of-fold probabilities and their metrics."""
    from sklearn.model_selection import StratifiedKFold

    params = params or ModelParams()
    check_trainable(y, folds)
    oof = np.zeros(len(y), dtype=np.float64)
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
        members = _fit_members(x[train_idx], y[train_idx], params)
        oof[test_idx] = np.mean([m.proba(x[test_idx]) for m in members], axis=0)
    return oof, score_predictions(y, oof, folds)


@dataclass(slots=True)
class SolvencyModel:
    feature_names: list[str]
    members: list[_Member]
    params: ModelParams
    trained_at: str
    n_rows: int
    n_positive: int
    cv_metrics: dict[str, Any] | None = None
    versions: dict[str, str] = field(default_factory=dict)
    feature_medians: list[float] = field(default_factory=list)  # training medians (NaN if all missing)

    def _check(self, x: Array) -> Array:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != len(self.feature_names):
            raise ValueError(f"the model expects {len(self.feature_names)} features, got "
                             f"{x.shape[1] if x.ndim == 2 else x.shape}")
        return x

    def predict_proba(self, x: Array) -> Array:
        """P(default) per row: the mean of the calibrated fold models."""
        x = self._check(x)
        return np.asarray(np.mean([m.proba(x) for m in self.members], axis=0), dtype=np.float64)

    def contributions(self, x: Array) -> Array:
        """TreeSHAP contributions in log-odds (columns: features…, bias), averaged over fold models."""
        x = self._check(x)
        parts = [np.asarray(m.booster().predict(x, pred_contrib=True), dtype=np.float64)
                 for m in self.members]
        return np.asarray(np.mean(parts, axis=0), dtype=np.float64)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {
            "format": FORMAT_NAME, "format_version": FORMAT_VERSION, "trained_at": self.trained_at,
            "feature_names": self.feature_names, "params": asdict(self.params), "n_rows": self.n_rows,
            "n_positive": self.n_positive, "cv_metrics": self.cv_metrics, "versions": self.versions,
            "feature_medians": [None if math.isnan(v) else v for v in self.feature_medians],
            "members": [{"booster": m.booster_text, "calibration": m.calibration} for m in self.members],
        }
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            json.dump(doc, fh)
        return path

    @classmethod
    def load(cls, path: str | Path) -> SolvencyModel:
        path = Path(path)
        hint = f"retrain with `cobro solvency train --arff FILE --out {path}`"
        if not path.exists():
            raise ModelFormatError(f"no model at {path}; train one first: {hint}")
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                doc = json.load(fh)
        except (OSError, EOFError, ValueError, UnicodeDecodeError) as exc:
            raise ModelFormatError(f"{path} is not a cobro solvency model ({exc}); {hint}") from exc
        if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
            raise ModelFormatError(f"{path} is not a cobro solvency model; {hint}")
        version = doc.get("format_version")
        if version != FORMAT_VERSION:
            raise ModelFormatError(
                f"{path} was saved with model format version {version!r}; this cobro reads version "
                f"{FORMAT_VERSION}. {hint[0].upper()}{hint[1:]}")
        return cls(
            feature_names=list(doc["feature_names"]),
            members=[_Member(m["booster"], m["calibration"]) for m in doc["members"]],
            params=ModelParams(**doc["params"]), trained_at=doc["trained_at"], n_rows=doc["n_rows"],
            n_positive=doc["n_positive"], cv_metrics=doc.get("cv_metrics"), versions=doc.get("versions", {}),
            feature_medians=[math.nan if v is None else float(v) for v in doc.get("feature_medians", [])],
        )


def library_versions() -> dict[str, str]:
    import lightgbm
    import sklearn

    return {"lightgbm": str(lightgbm.__version__), "scikit-learn": str(sklearn.__version__),
            "numpy": str(np.__version__)}


def train(x: Array, y: IntArray, feature_names: list[str], params: ModelParams | None = None, *,
          folds: int = 5, seed: int = 0, now: dt.datetime) -> SolvencyModel:
    """Fit on all labelled rows; with ``folds >= 2`` also record out-of-fold CV metrics in the model.

    `now` is the training time recorded in the model (`trained_at`): the entrypoint reads it from its clock.
    """
    params = params or ModelParams()
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    check_trainable(y, max(folds, 2))
    cv = cross_validate(x, y, params, folds=folds, seed=seed)[1].as_dict() if folds >= 2 else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column has no median
        medians = [float(v) for v in np.nanmedian(x, axis=0)] if len(y) else []
    return SolvencyModel(
        feature_names=list(feature_names), members=_fit_members(x, y, params), params=params,
        trained_at=now.isoformat(timespec="seconds"),
        n_rows=len(y), n_positive=int(y.sum()), cv_metrics=cv, versions=library_versions(),
        feature_medians=medians,
    )
