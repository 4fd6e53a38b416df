"""Shared fixtures for the solvency tests: a small synthetic bankruptcy data set."""

from __future__ import annotations

import numpy as np
import pytest

FEATURES = ["net profit / total assets", "total liabilities / total assets", "working capital / total assets",
            "noise a", "noise b"]


def make_synthetic(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, len(FEATURES)))
    logit = -2.0 - 1.8 * x[:, 0] + 1.5 * x[:, 1] - 0.8 * x[:, 2]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    x[rng.random(x.shape) < 0.05] = np.nan  # ARFF '?' cells
    return x, y


@pytest.fixture
def synthetic() -> tuple[np.ndarray, np.ndarray]:
    return make_synthetic()


@pytest.fixture
def feature_names() -> list[str]:
    return list(FEATURES)
