"""Bankruptcy model: train, save, load, explain; format-version errors; too little data."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from cobro.solvency.model.explain import top_factors
from cobro.solvency.model.model import (
    FORMAT_VERSION,
    InsufficientDataError,
    ModelFormatError,
    ModelParams,
    SolvencyModel,
    cross_validate,
    deduplicate,
    train,
)

FAST = ModelParams(n_estimators=60, calibration="sigmoid", calibration_folds=3)
NOW = dt.datetime(2026, 11, 25, 9, 30, 15, 123456, tzinfo=dt.UTC)  # the caller's clock, as the CLI passes it


def test_train_save_load_round_trip(tmp_path: Path, synthetic: tuple[np.ndarray, np.ndarray],
        feature_names: list[str]) -> None:
    x, y = synthetic
    model = train(x, y, feature_names, FAST, folds=3, now=NOW)
    assert model.cv_metrics is not None and model.cv_metrics["auc"] > 0.7
    p = model.predict_proba(x)
    assert p.shape == (len(y),) and np.all((p >= 0) & (p <= 1))
    path = model.save(tmp_path / "m" / "solvency.model")
    loaded = SolvencyModel.load(path)
    np.testing.assert_allclose(loaded.predict_proba(x), p)
    assert loaded.feature_names == feature_names
    assert loaded.versions["lightgbm"] and loaded.trained_at == "2026-11-25T09:30:15+00:00"  # the caller's time
    assert loaded.cv_metrics == model.cv_metrics
    assert len(loaded.feature_medians) == len(feature_names)
    np.testing.assert_allclose(loaded.feature_medians, np.nanmedian(x, axis=0))


def test_top_factors_are_readable(synthetic: tuple[np.ndarray, np.ndarray],
        feature_names: list[str]) -> None:
    x, y = synthetic
    model = train(x, y, feature_names, FAST, folds=0, now=NOW)
    factors = top_factors(model, x[:5], k=3)
    assert len(factors) == 5 and all(len(f) == 3 for f in factors)
    assert {f.feature for row in factors for f in row} <= set(feature_names)
    first = [row[0].feature for row in top_factors(model, x, k=1)]
    assert first.count("net profit / total assets") + first.count("total liabilities / total assets") > 200


def test_old_format_version_is_a_clear_error(tmp_path: Path, synthetic: tuple[np.ndarray, np.ndarray],
        feature_names: list[str]) -> None:
    x, y = synthetic
    path = train(x, y, feature_names, ModelParams(n_estimators=10, calibration="none"), folds=0, now=NOW).save(
        tmp_path / "old.model")
    with gzip.open(path, "rt") as fh:
        doc = json.load(fh)
    doc["format_version"] = FORMAT_VERSION - 1 if FORMAT_VERSION > 1 else 0
    with gzip.open(path, "wt") as fh:
        json.dump(doc, fh)
    with pytest.raises(ModelFormatError, match=r"format version 0.*[Rr]etrain with `cobro solvency train"):
        SolvencyModel.load(path)
    garbage = tmp_path / "garbage.model"
    garbage.write_bytes(b"\x80\x04pickle")
    with pytest.raises(ModelFormatError, match="not a cobro solvency model"):
        SolvencyModel.load(garbage)


def test_too_little_data() -> None:
    x = np.random.default_rng(0).normal(size=(30, 2))
    y = np.array([1] * 3 + [0] * 27)
    with pytest.raises(InsufficientDataError, match="3 positive"):
        cross_validate(x, y, FAST, folds=5)


def test_deduplicate_treats_nan_as_equal() -> None:
    x = np.array([[1.0, np.nan], [1.0, np.nan], [1.0, 2.0], [-0.0, 1.0], [0.0, 1.0]])
    y = np.array([0, 0, 0, 1, 1])
    assert deduplicate(x, y).tolist() == [0, 2, 3]
