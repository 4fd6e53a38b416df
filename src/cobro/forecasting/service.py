"""Payment-date model and cash forecast on the database ledger (`cobro model ...`, `cobro forecast ...`).

The frames come from `db.repositories.frames` (settlement dates from allocations, as known on the as-of date);
the model, evaluation and forecast are the database-free ones of `cobro.analytics`.  A model is saved per tenant
as ``paydate-<tenant>.json`` in the model directory (``COBRO_MODEL_DIR`` / settings.model_dir), with its training
date, features and metrics.  Nothing here writes to the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from cobro.forecasting import forecast as fc
from cobro.forecasting.paydate.model import ModelError, PaydateModel, fit
from cobro.kernel.errors import InvalidInputError, NotFoundError
from cobro.kernel.money import quantum
from cobro.ledger.repository import frames, parties


def model_path(model_dir: Path, tenant_code: str) -> Path:
    return Path(model_dir) / f"paydate-{tenant_code}.json"


def _cutoff(as_of: dt.date) -> dt.date:
    return as_of + dt.timedelta(days=1)  # settlements dated on the as-of day are known


def train(session: Session, tenant_code: str, as_of: dt.date, model_dir: Path) -> dict[str, Any]:
    """Train on everything settled by `as_of` and save the model; returns what was trained, where."""
    tenant = parties.tenant_id(session, tenant_code)
    frame = frames.ledger_frame(session, tenant, as_of)
    if frame.height == 0:
        raise InvalidInputError("the ledger has no invoices to learn from; import invoices and payments first")
    model = fit(frame, _cutoff(as_of))
    path = model_path(model_dir, tenant_code)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    return {"path": str(path), "kind": model.kind, "trained_until": as_of.isoformat(),
            "features": list(model.features), "metrics": model.metrics, "message": model.message,
            "invoices": frame.height, "settled": int(frame["settled_date"].is_not_null().sum())}


def evaluate(session: Session, tenant_code: str, split_date: dt.date, end: dt.date | None = None) -> dict[str, Any]:
    """The time-split evaluation of `analytics.paydate.evaluate` (cobro next to the baselines) on the ledger."""
    from cobro.forecasting.paydate.evaluate import evaluate_split

    tenant = parties.tenant_id(session, tenant_code)
    frame = frames.ledger_frame(session, tenant)
    try:
        return evaluate_split(frame, split_date, end)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from exc


@dataclass
class OpenPrediction:
    """The open book at the as-of date with each item's predicted delay (d10/d50/d90 from the due date)."""

    as_of: dt.date
    book: pl.DataFrame
    predictions: pl.DataFrame
    model: PaydateModel
    model_note: str
    frame: pl.DataFrame


def load_or_fit(frame: pl.DataFrame, as_of: dt.date, model_dir: Path | None, tenant_code: str) -> tuple[
        PaydateModel, str]:
    """The saved model when it was trained by `as_of`, else one trained now on the data known at `as_of`."""
    if model_dir is not None:
        path = model_path(model_dir, tenant_code)
        if path.exists():
            try:
                model = PaydateModel.load(path)
            except ModelError as exc:
                raise InvalidInputError(str(exc)) from exc
            if model.trained_until <= _cutoff(as_of):
                return model, f"saved model trained until {model.trained_until - dt.timedelta(days=1)}"
    model = fit(frame, _cutoff(as_of))
    return model, f"model trained now on data known at {as_of} (run `cobro model train` to keep one)"


def predict_open(session: Session, tenant_code: str, as_of: dt.date, model_dir: Path | None) -> OpenPrediction:
    tenant = parties.tenant_id(session, tenant_code)
    frame = frames.ledger_frame(session, tenant, as_of)
    book = frames.open_book(frame)
    model, note = load_or_fit(frame, as_of, model_dir, tenant_code)
    if model.message:
        note += f"; {model.message}"
    targets = book.drop("settled_date")
    preds = (model.predict(targets, frame, _cutoff(as_of)) if book.height
             else pl.DataFrame(schema={"invoice_number": pl.String(), "d10": pl.Float64(), "d50": pl.Float64(),
                                       "d90": pl.Float64(), "p_late": pl.Float64()}))
    return OpenPrediction(as_of, book, preds, model, note, frame)


def _money(value: Decimal, currency: str) -> str:
    """On the currency's grid: CLP has no decimals, so "1802447", not "1802447.00"."""
    return f"{Decimal(value).quantize(quantum(currency)):f}"


def forecast(session: Session, tenant_code: str, as_of: dt.date, *, horizon_weeks: int = 13,
             model_dir: Path | None = None, freq: fc.Freq = "week") -> dict[str, Any]:
    """The cash-in view per currency: expected and p10/p50/p90 per week for `horizon_weeks` from `as_of`."""
    if not 1 <= horizon_weeks <= 104:
        raise InvalidInputError("--horizon-weeks must be between 1 and 104")
    op = predict_open(session, tenant_code, as_of, model_dir)
    tenant = parties.tenant_id(session, tenant_code)
    promises = frames.promises_frame(session, tenant, op.book, as_of)
    out: dict[str, Any] = {"as_of": as_of.isoformat(), "horizon_weeks": horizon_weeks, "freq": freq,
                           "model": {"kind": op.model.kind, "note": op.model_note},
                           "open_items": op.book.height,
                           "promises": None if promises is None else promises.height, "currencies": {}}
    if op.book.height == 0:
        return out
    table = fc.forecast_cash(op.book.drop("settled_date"), op.predictions, as_of, freq=freq,
                             horizon_days=7 * horizon_weeks, promises=promises)
    open_by_cur = {str(c): Decimal(v) for c, v in
                   op.book.group_by("currency").agg(pl.col("open_amount").sum()).iter_rows()}
    for cur in table["currency"].unique().sort().to_list():
        rows = table.filter(pl.col("currency") == cur)
        periods = [{"period_start": r["period_start"].isoformat(), "expected": _money(r["expected"], cur),
                    "p10": _money(r["p10"], cur), "p50": _money(r["p50"], cur), "p90": _money(r["p90"], cur)}
                   for r in rows.iter_rows(named=True)]
        total = sum((Decimal(p["expected"]) for p in periods), Decimal(0))
        out["currencies"][cur] = {"open": _money(open_by_cur.get(cur, Decimal(0)), cur),
                                  "expected_in_horizon": _money(total, cur), "periods": periods}
    return out


def backtest(session: Session, tenant_code: str, cutoffs: list[dt.date] | None = None, *,
             horizon_weeks: int = 13, n_cutoffs: int = 3) -> dict[str, Any]:
    """Replay past as-of dates (default: the last `n_cutoffs` quarter steps with 13 weeks of outcome after them)."""
    tenant = parties.tenant_id(session, tenant_code)
    frame = frames.ledger_frame(session, tenant)
    if frame.height == 0:
        raise NotFoundError("the ledger is empty")
    last = max(d for d in (frame["issue_date"].max(), frame["settled_date"].max()) if isinstance(d, dt.date))
    first = frame["issue_date"].min()
    assert isinstance(first, dt.date)
    if not cutoffs:
        step = dt.timedelta(days=7 * horizon_weeks)
        cutoffs = [last - step * k for k in range(n_cutoffs, 0, -1)]
        cutoffs = [c for c in cutoffs if (c - first).days >= 180]
    if not cutoffs:
        raise InvalidInputError("too little history to backtest: need 180 days before a cutoff and "
                                f"{horizon_weeks} weeks after it")
    results = fc.backtest(frame.drop("open_minor", "open_amount"), cutoffs, horizon_weeks=horizon_weeks)
    return {"cutoffs": [c.isoformat() for c in cutoffs], "horizon_weeks": horizon_weeks, "results": results}
