"""Benchmark the solvency model on the Polish bankruptcy data (UCI 365), protocol of the data README.

    .venv/bin/python bench/solvency_polish.py [--data-dir DIR] [--files 1year 5year] [--json]
        [--with-uncalibrated]

Protocol (../shared/data/polish-bankruptcy/README.md): drop exact duplicate rows; stratified 5-fold CV with
shuffle=True, random_state=0; out-of-fold ROC-AUC, PR-AUC, Brier, log-loss and a reliability summary.
In the same run: the logistic-regression baseline (median impute + normal quantile transform) and
scikit-learn HistGradientBoosting with defaults (the README's reference), so cobro is compared on the same
folds; plus a paired bootstrap 95 % interval for AUC(cobro) − AUC(HGB).

cobro's model uses its fixed defaults (see cobro.solvency.model.model); nothing here tunes them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from cobro.solvency.model.arff import read_arff
from cobro.solvency.model.model import (
    ModelParams,
    cross_validate,
    deduplicate,
    expected_calibration_error,
    score_predictions,
)

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "polish-bankruptcy"
FOLDS, SEED = 5, 0

# Published in the data README (deduplicated, stratified 5-fold, shuffle, random_state=0).
REFERENCE: dict[str, dict[str, dict[str, float | None]]] = {
    "1year": {
        "prior (constant), README": {"auc": 0.50, "pr_auc": 0.039, "brier": 0.0375},
        "logistic regression, README": {"auc": 0.816, "pr_auc": 0.323, "brier": 0.0310},
        "HistGradientBoosting defaults, README": {"auc": 0.956, "pr_auc": 0.775, "brier": 0.0166},
    },
    "5year": {
        "prior (constant), README": {"auc": 0.50, "pr_auc": 0.070, "brier": 0.0649},
        "logistic regression, README": {"auc": 0.868, "pr_auc": 0.491, "brier": 0.0465},
        "HistGradientBoosting defaults, README": {"auc": 0.960, "pr_auc": 0.810, "brier": 0.0285},
    },
}


def _oof_sklearn(make: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold

    oof = np.zeros(len(y))
    for tr, te in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x, y):
        oof[te] = make().fit(x[tr], y[tr]).predict_proba(x[te])[:, 1]
    return oof


def logistic_baseline() -> Any:
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import QuantileTransformer

    return make_pipeline(SimpleImputer(strategy="median"),
                         QuantileTransformer(output_distribution="normal", random_state=SEED),
                         LogisticRegression(max_iter=2000))


def hgb_reference() -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(random_state=SEED)


def paired_auc_diff(y: np.ndarray, a: np.ndarray, b: np.ndarray, n: int = 1000) -> tuple[float, float]:
    """95 % percentile interval of AUC(a) − AUC(b) over bootstrap resamples of the rows."""
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(SEED)
    diffs = []
    for _ in range(n):
        idx = rng.integers(0, len(y), len(y))
        if y[idx].min() == y[idx].max():
            continue
        diffs.append(roc_auc_score(y[idx], a[idx]) - roc_auc_score(y[idx], b[idx]))
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return float(lo), float(hi)


def run_file(path: Path, with_uncalibrated: bool) -> dict[str, Any]:
    data = read_arff(path)
    assert data.y is not None
    keep = deduplicate(data.x, data.y)
    x, y = data.x[keep], data.y[keep]
    results: dict[str, dict[str, Any]] = {}
    oofs: dict[str, np.ndarray] = {}
    prior = np.full(len(y), y.mean())
    candidates: list[tuple[str, Any]] = [
        ("prior (constant)", lambda: prior),
        ("logistic regression (median + normal quantile)", lambda: _oof_sklearn(logistic_baseline, x, y)),
        ("HistGradientBoosting defaults (same folds)", lambda: _oof_sklearn(hgb_reference, x, y)),
        ("cobro LightGBM + CV Platt (default)", lambda: cross_validate(x, y, ModelParams(), folds=FOLDS,
                                                                        seed=SEED)[0]),
    ]
    if with_uncalibrated:
        candidates.append(("cobro LightGBM, uncalibrated", lambda: cross_validate(
            x, y, ModelParams(calibration="none"), folds=FOLDS, seed=SEED)[0]))
    for name, fn in candidates:
        t0 = time.perf_counter()
        oof = fn()
        m = score_predictions(y, oof, FOLDS)
        # a constant prediction has one bin; quantile bins would follow file order (sorted by class)
        ece = abs(float(oof[0]) - float(y.mean())) if np.ptp(oof) == 0 else \
            expected_calibration_error(m.reliability)
        results[name] = {"auc": m.auc, "pr_auc": m.pr_auc, "brier": m.brier, "log_loss": m.log_loss,
                         "ece": ece, "seconds": time.perf_counter() - t0,
                         "reliability": m.reliability}
        oofs[name] = oof
    lo, hi = paired_auc_diff(y, oofs["cobro LightGBM + CV Platt (default)"],
                             oofs["HistGradientBoosting defaults (same folds)"])
    return {"file": path.name, "rows_after_dedup": len(y), "positives": int(y.sum()),
            "dropped_duplicates": data.n_rows - len(y), "results": results,
            "reference": REFERENCE.get(path.stem, {}), "auc_diff_cobro_minus_hgb_95ci": [lo, hi]}


def print_report(report: dict[str, Any]) -> None:
    print(f"\n== {report['file']}: {report['rows_after_dedup']} rows after dropping "
          f"{report['dropped_duplicates']} duplicates, {report['positives']} bankrupt ==")
    print(f"{'model':<50} {'AUC':>7} {'PR-AUC':>7} {'Brier':>7} {'logloss':>8} {'ECE':>7} {'sec':>6}")
    for name, r in report["reference"].items():
        print(f"{name:<50} {r['auc']:>7.3f} {r['pr_auc']:>7.3f} {r['brier']:>7.4f} {'':>8} {'':>7} {'':>6}")
    for name, r in report["results"].items():
        print(f"{name:<50} {r['auc']:>7.4f} {r['pr_auc']:>7.4f} {r['brier']:>7.4f} {r['log_loss']:>8.4f} "
              f"{r['ece']:>7.4f} {r['seconds']:>6.1f}")
    lo, hi = report["auc_diff_cobro_minus_hgb_95ci"]
    print(f"AUC(cobro) − AUC(HGB), paired bootstrap 95% interval: [{lo:+.4f}, {hi:+.4f}]")
    print("reliability of cobro (deciles of predicted p): mean predicted → observed rate")
    for b in report["results"]["cobro LightGBM + CV Platt (default)"]["reliability"]:
        print(f"  p∈[{b['p_min']:.4f}, {b['p_max']:.4f}]  n={int(b['n']):>4}  "
              f"{b['mean_predicted']:.4f} → {b['observed_rate']:.4f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--files", nargs="+", default=["1year", "5year"])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--with-uncalibrated", action="store_true")
    args = ap.parse_args(argv)
    reports = []
    for stem in args.files:
        path = args.data_dir / f"{stem}.arff"
        if not path.exists():
            print(f"missing {path}", file=sys.stderr)
            return 2
        reports.append(run_file(path, args.with_uncalibrated))
        if not args.json:
            print_report(reports[-1])
    if args.json:
        print(json.dumps(reports, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
