"""Top factors per firm: TreeSHAP contributions (LightGBM ``pred_contrib``) mapped to readable feature names.

A contribution is in log-odds of default, relative to the model's average firm: positive pushes the
probability of default up, negative pushes it down.  They are computed on the uncalibrated boosters (the
Platt map is monotone, so the ranking of factors is the same) and averaged over the fold models.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cobro.solvency.model.model import Array, SolvencyModel


@dataclass(frozen=True, slots=True)
class Factor:
    feature: str
    value: float  # the firm's value of the feature (NaN = missing)
    contribution: float  # log-odds; > 0 raises the default probability

    def describe(self) -> str:
        val = "missing" if math.isnan(self.value) else f"{self.value:.4g}"
        way = "raises" if self.contribution > 0 else "lowers"
        return f"{self.feature} = {val} ({way} risk, {self.contribution:+.2f} log-odds)"


def top_factors(model: SolvencyModel, x: Array, k: int = 3, *, risk_only: bool = False,
                contributions: Array | None = None) -> list[list[Factor]]:
    """For each row, the `k` features with the largest absolute contribution (or largest positive ones
    when `risk_only`), most important first."""
    contrib = model.contributions(x) if contributions is None else contributions
    feats = contrib[:, :-1]  # last column is the bias (expected value)
    out: list[list[Factor]] = []
    for r in range(feats.shape[0]):
        row = feats[r]
        order = np.argsort(-row if risk_only else -np.abs(row), kind="stable")[:k]
        out.append([Factor(model.feature_names[j], float(x[r, j]), float(row[j]))
                    for j in order if not (risk_only and row[j] <= 0)])
    return out


def global_importance(model: SolvencyModel, x: Array) -> list[tuple[str, float]]:
    """Mean |contribution| per feature over the rows of x, largest first."""
    mean_abs = np.abs(model.contributions(x)[:, :-1]).mean(axis=0)
    order = np.argsort(-mean_abs, kind="stable")
    return [(model.feature_names[j], float(mean_abs[j])) for j in order]
