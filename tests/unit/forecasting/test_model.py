"""Quantile model, conformal calibration, persistence and the small-history fallback."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from cobro.forecasting.paydate.features import delay_days
from cobro.forecasting.paydate.model import (
    MIN_TRAIN,
    ModelVersionError,
    PaydateModel,
    conformal_margin,
    cqr_scores,
    fit,
)

from .conftest import make_ledger

CUTOFF = date(2023, 1, 1)


def test_split_conformal_margin_reaches_nominal_coverage() -> None:
    rng = np.random.default_rng(3)
    hits = []
    for _ in range(200):
        # A deliberately too-narrow base interval (+-0.5) around a noisy truth.
        y_cal, y_test = rng.normal(0, 2, 200), rng.normal(0, 2, 500)
        margin = conformal_margin(cqr_scores(y_cal, np.full(200, -0.5), np.full(200, 0.5)), 0.8)
        hits.append(np.mean((y_test >= -0.5 - margin) & (y_test <= 0.5 + margin)))
    assert 0.79 <= float(np.mean(hits)) <= 0.83


def test_model_intervals_cover_near_nominal_on_synthetic_data() -> None:
    ledger = make_ledger(seed=5, n_customers=60, per_customer=24)
    model = fit(ledger, CUTOFF)
    assert model.kind == "gbm" and model.metrics["n_calibration"] >= 30
    test = ledger.filter(pl.col("issue_date") >= CUTOFF)
    pred = model.predict(test.drop("settled_date"), ledger, CUTOFF)
    y = delay_days(test)
    coverage = float(np.mean((y >= pred["d10"].to_numpy()) & (y <= pred["d90"].to_numpy())))
    assert 0.72 <= coverage <= 0.90
    assert (pred["p10_days"] <= pred["p50_days"]).all() and (pred["p50_days"] <= pred["p90_days"]).all()
    assert pred["p_late"].is_between(0, 1).all()
    # days are counted from the invoice date: p50 = terms (30) + predicted delay
    assert np.allclose(pred["p50_days"].to_numpy() - pred["d50"].to_numpy(), 30.0)


def test_save_load_roundtrip_and_metadata(tmp_path: Path, ledger: pl.DataFrame) -> None:
    model = fit(ledger, CUTOFF)
    path = tmp_path / "paydate.json"
    model.save(path)
    doc = json.loads(path.read_text())
    assert doc["trained_until"] == "2023-01-01" and doc["features"] and "n_train" in doc["metrics"]
    loaded = PaydateModel.load(path)
    test = ledger.filter(pl.col("issue_date") >= CUTOFF).drop("settled_date")
    a = model.predict(test, ledger, CUTOFF)
    b = loaded.predict(test, ledger, CUTOFF)
    assert a.equals(b)


def test_unknown_format_version_is_a_clear_error(tmp_path: Path, ledger: pl.DataFrame) -> None:
    path = tmp_path / "old.json"
    fit(ledger.head(30), CUTOFF).save(path)
    doc = json.loads(path.read_text())
    doc["format_version"] = 0
    path.write_text(json.dumps(doc))
    with pytest.raises(ModelVersionError, match="retrain"):
        PaydateModel.load(path)


def test_tiny_history_falls_back_to_the_empirical_baseline(ledger: pl.DataFrame) -> None:
    tiny = ledger.filter(pl.col("issue_date") < date(2022, 3, 1)).head(MIN_TRAIN - 10)
    model = fit(tiny, CUTOFF)
    assert model.kind == "baseline"
    assert "need 50" in model.message and "empirical" in model.message
    test = ledger.filter(pl.col("issue_date") >= CUTOFF).drop("settled_date")
    pred = model.predict(test, tiny, CUTOFF)
    assert (pred["method"] == "baseline").all()
    assert pred["p50_days"].is_finite().all() and pred["p_late"].is_between(0, 1).all()


def test_created_at_is_the_callers_time(tmp_path: Path, ledger: pl.DataFrame) -> None:
    from datetime import UTC, datetime

    at = datetime(2026, 11, 25, 9, 30, 15, 999, tzinfo=UTC)  # the entrypoint's clock
    for history in (ledger, ledger.head(30)):  # a fitted model and the small-history baseline
        model = fit(history, CUTOFF, now=at)
        assert model.created_at == "2026-11-25T09:30:15+00:00"
        path = tmp_path / f"{model.kind}.json"
        model.save(path)
        assert PaydateModel.load(path).created_at == "2026-11-25T09:30:15+00:00"
    assert fit(ledger.head(30), CUTOFF).created_at == ""  # fitted for one prediction: no clock read
