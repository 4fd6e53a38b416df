"""Payment-date model and cash forecast on the database ledger (`cobro model ...`, `cobro forecast ...`).

The frames come from the forecasting repository (``uow.repo(FORECASTING)``: settlement dates from allocations, as
known on the as-of date); the model, evaluation and forecast are the database-free ones of `cobro.forecasting`.  A
model is saved per tenant as ``paydate-<tenant>.json`` in the model directory (``COBRO_MODEL_DIR`` /
settings.model_dir), with its training date, features and metrics.  Only `refresh` writes to the database: the
stored predictions of each open instalment (forecasting.records), which `predictions_for` reads back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from cobro.forecasting import forecast as fc
from cobro.forecasting.paydate.model import ModelError, PaydateModel, fit
from cobro.forecasting.repository import FORECASTING, PREDICTIONS
from cobro.forecasting.schemas import (
    Backtest,
    BacktestHorizon,
    BacktestResult,
    CashForecast,
    CurrencyForecast,
    EvaluatedModel,
    Evaluation,
    ForecastPeriod,
    ModelKind,
    RefreshResult,
    StoredPrediction,
    TrainedModel,
)
from cobro.kernel.errors import InvalidInputError, NotFoundError
from cobro.kernel.money import Money, exponent, quantum
from cobro.platform.uow import Uow


def model_path(model_dir: Path, tenant_code: str) -> Path:
    return Path(model_dir) / f"paydate-{tenant_code}.json"


def _cutoff(as_of: dt.date) -> dt.date:
    return as_of + dt.timedelta(days=1)  # settlements dated on the as-of day are known


def _open_book(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows still open at the frame's as-of date, with `amount` = the open part (what the forecast needs)."""
    return (frame.filter(pl.col("settled_date").is_null() & (pl.col("open_minor") > 0))
            .with_columns(pl.col("open_amount").alias("amount")))


def train(uow: Uow, as_of: dt.date, model_dir: Path, *, now: dt.datetime) -> TrainedModel:
    """Train on everything settled by `as_of` and save the model (created at `now`, the entrypoint's clock);
    returns what was trained, where."""
    frame = uow.repo(FORECASTING).ledger_frame(as_of)
    if frame.height == 0:
        raise InvalidInputError("the ledger has no invoices to learn from; import invoices and payments first")
    model = fit(frame, _cutoff(as_of), now=now)
    path = model_path(model_dir, uow.tenant.code)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    return TrainedModel(path, ModelKind(model.kind), as_of, tuple(model.features), dict(model.metrics),
                        model.message, frame.height, int(frame["settled_date"].is_not_null().sum()))


def evaluate(uow: Uow, split_date: dt.date, end: dt.date | None = None) -> Evaluation:
    """The time-split evaluation of `forecasting.paydate.evaluate` (cobro next to the baselines) on the ledger."""
    from cobro.forecasting.paydate.evaluate import evaluate_split

    frame = uow.repo(FORECASTING).ledger_frame()
    try:
        out = evaluate_split(frame, split_date, end)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from exc
    model = out["model"]
    return Evaluation(dt.date.fromisoformat(out["cutoff"]), dt.date.fromisoformat(out["end"]) if out["end"] else None,
                      int(out["n_train"]), int(out["n_test"]), out["test_late_rate"], out["cash_total"],
                      EvaluatedModel(ModelKind(model["kind"]), str(model["message"]), dict(model["metrics"])),
                      {name: dict(m) for name, m in out["rows"].items()})


@dataclass(frozen=True)
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


def predict_open(uow: Uow, as_of: dt.date, model_dir: Path | None) -> OpenPrediction:
    frame = uow.repo(FORECASTING).ledger_frame(as_of)
    book = _open_book(frame)
    model, note = load_or_fit(frame, as_of, model_dir, uow.tenant.code)
    if model.message:
        note += f"; {model.message}"
    targets = book.drop("settled_date")
    preds = (model.predict(targets, frame, _cutoff(as_of)) if book.height
             else pl.DataFrame(schema={"invoice_number": pl.String(), "d10": pl.Float64(), "d50": pl.Float64(),
                                       "d90": pl.Float64(), "p_late": pl.Float64()}))
    return OpenPrediction(as_of, book, preds, model, note, frame)


def _money(value: Decimal, currency: str) -> Money:
    """On the currency's grid: CLP has no decimals, so "1802447", not "1802447.00"."""
    return Money(Decimal(value).quantize(quantum(currency)), currency)


def forecast(uow: Uow, as_of: dt.date, *, horizon_weeks: int = 13, model_dir: Path | None = None,
             freq: fc.Freq = "week") -> CashForecast:
    """The cash-in view per currency: expected and p10/p50/p90 per week for `horizon_weeks` from `as_of`."""
    if not 1 <= horizon_weeks <= 104:
        raise InvalidInputError("--horizon-weeks must be between 1 and 104")
    op = predict_open(uow, as_of, model_dir)
    promises = uow.repo(FORECASTING).promises_frame(op.book, as_of)
    currencies: list[CurrencyForecast] = []
    if op.book.height:
        table = fc.forecast_cash(op.book.drop("settled_date"), op.predictions, as_of, freq=freq,
                                 horizon_days=7 * horizon_weeks, promises=promises)
        open_by_cur = {str(c): Decimal(v) for c, v in
                       op.book.group_by("currency").agg(pl.col("open_amount").sum()).iter_rows()}
        for cur in table["currency"].unique().sort().to_list():
            rows = table.filter(pl.col("currency") == cur)
            periods = tuple(ForecastPeriod(r["period_start"], _money(r["expected"], cur), _money(r["p10"], cur),
                                           _money(r["p50"], cur), _money(r["p90"], cur))
                            for r in rows.iter_rows(named=True))
            total = sum((p.expected.amount for p in periods), Decimal(0))
            currencies.append(CurrencyForecast(cur, _money(open_by_cur.get(cur, Decimal(0)), cur), _money(total, cur),
                                               periods))
    return CashForecast(as_of, horizon_weeks, freq, ModelKind(op.model.kind), op.model_note, op.book.height,
                        None if promises is None else promises.height, tuple(currencies))


def backtest(uow: Uow, cutoffs: list[dt.date] | None = None, *, horizon_weeks: int = 13,
             n_cutoffs: int = 3) -> Backtest:
    """Replay past as-of dates (default: the last `n_cutoffs` quarter steps with 13 weeks of outcome after them)."""
    frame = uow.repo(FORECASTING).ledger_frame()
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
    return Backtest(tuple(cutoffs), horizon_weeks, tuple(
        BacktestResult(dt.date.fromisoformat(r["cutoff"]), str(r["currency"]), ModelKind(r["model"]), int(r["n_open"]),
                       r["actual_total"], r["forecast_total"], r["weekly_mae"], r["wape"], r["band_coverage"],
                       int(r["n_weeks"])) for r in results),
        tuple(BacktestHorizon(str(h["currency"]), int(h["horizon_week"]), int(h["n_cutoffs"]), h["actual_total"],
                              h["forecast_total"], h["wape"], h["band_coverage"], int(h["n_weeks"]))
              for h in fc.horizon_table(results)))


# --- stored predictions ----------------------------------------------------------------------------------------

def _bp(p: float) -> int:
    return round(p * 10_000)


def refresh(uow: Uow, as_of: dt.date, model_dir: Path | None) -> RefreshResult:
    """Score every instalment open at `as_of` with the payment-date model (the saved one when it was trained by
    then, else one fitted now, as `forecast` does) and store the predictions of `as_of`, replacing any stored
    before for that date.  One audit entry per refresh (the rows are derived data, recomputed at will)."""
    from cobro.audit.schemas import Change
    from cobro.audit.service import record
    from cobro.forecasting.paydate.scoring import model_version, score_open

    frame = uow.repo(FORECASTING).ledger_frame(as_of)
    book = _open_book(frame)
    model, note = load_or_fit(frame, as_of, model_dir, uow.tenant.code)
    if model.message:
        note += f"; {model.message}"
    version = model_version(model)
    store = uow.repo(PREDICTIONS)
    keys = store.instalment_keys(as_of) if book.height else {}
    rows: list[dict[str, object]] = []
    if book.height:
        scored = score_open(model, book, frame, as_of)
        opened = book.select("invoice_number", "currency", "open_minor", "due_date")
        for s, (_, currency, open_minor, due) in zip(scored.iter_rows(named=True), opened.iter_rows(), strict=True):
            instalment_id, invoice_id, customer_id = keys[s["invoice_number"]]
            rows.append({"instalment_id": instalment_id, "invoice_id": invoice_id, "customer_id": customer_id,
                         "label": s["invoice_number"], "currency": currency, "open_minor": int(open_minor),
                         "due_date": due, "expected_date": s["expected_date"], "p10_date": s["p10_date"],
                         "p50_date": s["p50_date"], "p90_date": s["p90_date"], "p_late_bp": _bp(s["p_late"]),
                         "p_unpaid_180_bp": _bp(s["p_unpaid_180"]), "model_version": version,
                         "reasons": json.dumps(list(s["reasons"]))})
    replaced = store.replace(as_of, rows)
    record(uow, Change("payment_predictions", as_of.isoformat(), "refresh", {"rows": replaced} if replaced else None,
                       {"rows": len(rows), "model_version": version}, "cobro predict refresh"))
    uow.flush()
    return RefreshResult(as_of, len(rows), replaced, ModelKind(model.kind), version, note)


def _stored(as_of: dt.date, rows: list[tuple[Any, str, str]]) -> list[StoredPrediction]:
    out = []
    for row, code, number in rows:
        out.append(StoredPrediction(
            as_of, code, number, row.label, row.customer_id,
            Money(Decimal(row.open_minor).scaleb(-exponent(row.currency)), row.currency), row.due_date,
            row.expected_date, row.p10_date, row.p50_date, row.p90_date, Decimal(row.p_late_bp).scaleb(-4),
            Decimal(row.p_unpaid_180_bp).scaleb(-4), row.model_version, tuple(json.loads(row.reasons))))
    return out


def predictions_for(uow: Uow, customer_ids: Collection[int] | None, as_of: dt.date) -> list[StoredPrediction]:
    """The stored predictions of the latest refresh on or before `as_of` (of `customer_ids`; None: every customer);
    empty when nothing was refreshed by then.  What the worklist, the recommendation and the pages read."""
    store = uow.repo(PREDICTIONS)
    day = store.latest_as_of(as_of)
    if day is None:
        return []
    return _stored(day, store.stored(day, customer_ids=customer_ids))


def list_predictions(uow: Uow, as_of: dt.date, *, customer: str | None = None, invoice: str | None = None,
                     after: tuple[str, dt.date, str] | None = None,
                     limit: int | None = None) -> list[StoredPrediction]:
    """`predictions_for` by customer code and/or invoice number (the API and `customers show`), ordered by
    customer code, due date and instalment; `after` such a key (the API's cursor) and at most `limit` rows.  An
    unknown customer is NotFound."""
    store = uow.repo(PREDICTIONS)
    ids: list[int] | None = None
    if customer is not None:
        cid = store.customer_id(customer)
        if cid is None:
            raise NotFoundError(f"customer: no customer {customer!r}")
        ids = [cid]
    day = store.latest_as_of(as_of)
    if day is None:
        return []
    return _stored(day, store.stored(day, customer_ids=ids, invoice=invoice, after=after, limit=limit))
