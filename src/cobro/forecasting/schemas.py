"""What the forecasting services hand back: typed, frozen values; `as_json()` is the JSON `cobro model` and
`cobro forecast` print (amounts as plain strings on the currency's grid, dates as ISO strings).

Evaluation and backtest figures (MAE, WAPE, coverage, cash totals of a replay) are statistics, not money at rest:
they stay floats, as the model computes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from cobro.kernel.money import Money


class ModelKind(StrEnum):
    GBM = "gbm"  # gradient-boosted quantiles
    BASELINE = "baseline"  # too little history: the customers' empirical delays


@dataclass(frozen=True, slots=True)
class TrainedModel:
    path: Path
    kind: ModelKind
    trained_until: dt.date
    features: tuple[str, ...]
    metrics: Mapping[str, float]
    message: str
    invoices: int
    settled: int

    def as_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "kind": str(self.kind), "trained_until": self.trained_until.isoformat(),
                "features": list(self.features), "metrics": dict(self.metrics), "message": self.message,
                "invoices": self.invoices, "settled": self.settled}


@dataclass(frozen=True, slots=True)
class EvaluatedModel:
    kind: ModelKind
    message: str
    metrics: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A time-split evaluation: per method (cobro and each baseline) its metrics."""

    cutoff: dt.date
    end: dt.date | None
    n_train: int
    n_test: int
    test_late_rate: float
    cash_total: float
    model: EvaluatedModel
    rows: Mapping[str, Mapping[str, float]]

    def as_json(self) -> dict[str, Any]:
        return {"cutoff": self.cutoff.isoformat(), "end": self.end.isoformat() if self.end else None,
                "n_train": self.n_train, "n_test": self.n_test, "test_late_rate": self.test_late_rate,
                "cash_total": self.cash_total,
                "model": {"kind": str(self.model.kind), "message": self.model.message,
                          "metrics": dict(self.model.metrics)},
                "rows": {name: dict(m) for name, m in self.rows.items()}}


@dataclass(frozen=True, slots=True)
class ForecastPeriod:
    period_start: dt.date
    expected: Money
    p10: Money
    p50: Money
    p90: Money

    def as_json(self) -> dict[str, Any]:
        return {"period_start": self.period_start.isoformat(), "expected": self.expected.format_plain(),
                "p10": self.p10.format_plain(), "p50": self.p50.format_plain(), "p90": self.p90.format_plain()}


@dataclass(frozen=True, slots=True)
class CurrencyForecast:
    currency: str
    open: Money
    expected_in_horizon: Money
    periods: tuple[ForecastPeriod, ...]

    def as_json(self) -> dict[str, Any]:
        return {"open": self.open.format_plain(), "expected_in_horizon": self.expected_in_horizon.format_plain(),
                "periods": [p.as_json() for p in self.periods]}


@dataclass(frozen=True, slots=True)
class CashForecast:
    as_of: dt.date
    horizon_weeks: int
    freq: str  # day | week | month
    model_kind: ModelKind
    model_note: str  # which model, trained when
    open_items: int
    promises: int | None  # None: the collections feature (promises) is not installed
    currencies: tuple[CurrencyForecast, ...]

    def as_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "horizon_weeks": self.horizon_weeks, "freq": self.freq,
                "model": {"kind": str(self.model_kind), "note": self.model_note}, "open_items": self.open_items,
                "promises": self.promises, "currencies": {c.currency: c.as_json() for c in self.currencies}}


@dataclass(frozen=True, slots=True)
class BacktestResult:
    cutoff: dt.date
    currency: str
    model: ModelKind
    n_open: int
    actual_total: float
    forecast_total: float
    weekly_mae: float
    wape: float
    band_coverage: float  # NaN when no week had cash expected or received
    n_weeks: int

    def as_json(self) -> dict[str, Any]:
        return {"cutoff": self.cutoff.isoformat(), "currency": self.currency, "model": str(self.model),
                "n_open": self.n_open, "actual_total": self.actual_total, "forecast_total": self.forecast_total,
                "weekly_mae": self.weekly_mae, "wape": self.wape, "band_coverage": self.band_coverage,
                "n_weeks": self.n_weeks}


@dataclass(frozen=True, slots=True)
class BacktestHorizon:
    """One currency and horizon week (1 = the cutoff's week) over every cutoff: WAPE of the expected receipts and
    the p10-p90 band coverage of the weeks with cash expected or received (NaN when there were none)."""

    currency: str
    horizon_week: int
    n_cutoffs: int
    actual_total: float
    forecast_total: float
    wape: float
    band_coverage: float
    n_weeks: int

    def as_json(self) -> dict[str, Any]:
        return {"currency": self.currency, "horizon_week": self.horizon_week, "n_cutoffs": self.n_cutoffs,
                "actual_total": self.actual_total, "forecast_total": self.forecast_total, "wape": self.wape,
                "band_coverage": self.band_coverage, "n_weeks": self.n_weeks}


@dataclass(frozen=True, slots=True)
class Backtest:
    cutoffs: tuple[dt.date, ...]
    horizon_weeks: int
    results: tuple[BacktestResult, ...]
    horizons: tuple[BacktestHorizon, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"cutoffs": [c.isoformat() for c in self.cutoffs], "horizon_weeks": self.horizon_weeks,
                "results": [r.as_json() for r in self.results], "horizons": [h.as_json() for h in self.horizons]}


@dataclass(frozen=True, slots=True)
class StoredPrediction:
    """The stored payment-date prediction of one open instalment on an as-of date (`cobro predict refresh`).
    Probabilities are exact four-decimal values; `open` is what was still open at the as-of date."""

    as_of: dt.date
    customer: str
    invoice: str
    instalment: str  # the invoice number, or NUMBER/SEQ for one of several instalments
    customer_id: int
    open: Money
    due_date: dt.date
    expected_date: dt.date
    p10_date: dt.date
    p50_date: dt.date
    p90_date: dt.date
    p_late: Decimal
    p_unpaid_180: Decimal
    model_version: str
    reasons: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "customer": self.customer, "invoice": self.invoice,
                "instalment": self.instalment, "currency": self.open.currency, "open": str(self.open.amount),
                "due_date": self.due_date.isoformat(), "expected_date": self.expected_date.isoformat(),
                "p10_date": self.p10_date.isoformat(), "p50_date": self.p50_date.isoformat(),
                "p90_date": self.p90_date.isoformat(), "p_late": str(self.p_late),
                "p_unpaid_180": str(self.p_unpaid_180), "model_version": self.model_version,
                "reasons": list(self.reasons)}


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What `refresh` stored: how many instalments were scored on `as_of`, how many rows it replaced, which model."""

    as_of: dt.date
    scored: int
    replaced: int
    model_kind: ModelKind
    model_version: str
    model_note: str

    def as_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "scored": self.scored, "replaced": self.replaced,
                "model": {"kind": str(self.model_kind), "version": self.model_version, "note": self.model_note}}
