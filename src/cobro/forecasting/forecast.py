"""Cash-in forecast for an open book, with p10/p50/p90 bands, by currency; and its backtest.

Each open invoice gets a predictive distribution of its payment delay (the payment-date model's q10/q50/q90
turned into a piecewise-linear quantile function, see ``paydate.distribution``), conditioned on "not paid
before the as-of date".  The expected cash per period is exact (probability mass per day x amount); the
bands come from a Monte Carlo simulation with a fixed seed (invoices drawn independently, so bands are
narrower than reality when customers' payments move together).  A promise to pay (date, amount) is strong
evidence: the promised amount lands on the promised date, only the rest follows the model.  A promise dated
before the as-of date on a still-open invoice is broken and ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

import numpy as np
import polars as pl

from cobro.forecasting.paydate import distribution as dist
from cobro.forecasting.paydate.model import PaydateModel, fit
from cobro.kernel.money import exponent

Freq = Literal["day", "week", "month"]


def _period(ordinals: np.ndarray, freq: Freq) -> np.ndarray:
    if freq == "day":
        return ordinals
    if freq == "week":
        return dist.week_start(ordinals)
    firsts = [date.fromordinal(int(o)).replace(day=1).toordinal() for o in np.unique(ordinals)]
    lookup = dict(zip(np.unique(ordinals).tolist(), firsts, strict=True))
    return np.array([lookup[int(o)] for o in ordinals.ravel()], dtype=np.int64).reshape(ordinals.shape)


def _promised(open_book: pl.DataFrame, promises: pl.DataFrame | None, as_of: date) -> tuple[np.ndarray, np.ndarray]:
    """Per open invoice: promised amount still to come and its date ordinal (0 when none)."""
    amount = np.zeros(open_book.height)
    when = np.zeros(open_book.height, dtype=np.int64)
    if promises is None or promises.height == 0:
        return amount, when
    valid = promises.filter(pl.col("promise_date") >= as_of)
    pos = {inv: i for i, inv in enumerate(open_book["invoice_number"].to_list())}
    open_amount = open_book["amount"].cast(pl.Float64).to_numpy()
    for inv, day, amt in valid.select("invoice_number", "promise_date", "amount").iter_rows():
        i = pos.get(inv)
        if i is None:
            continue
        amount[i] = min(open_amount[i], amount[i] + float(amt))
        when[i] = max(when[i], day.toordinal())
    return amount, when


def forecast_cash(
    open_book: pl.DataFrame,
    predictions: pl.DataFrame,
    as_of: date,
    *,
    freq: Freq = "week",
    horizon_days: int = 91,
    promises: pl.DataFrame | None = None,
    n_sims: int = 2000,
    seed: int = 7,
) -> pl.DataFrame:
    """Expected cash-in per period in [as_of, as_of + horizon) with p10/p50/p90 bands, by currency.

    ``open_book``: canonical frame of open invoices (``amount`` = amount still open).  ``predictions``:
    ``invoice_number, d10, d50, d90`` from ``PaydateModel.predict``.  ``promises``: optional
    ``invoice_number, promise_date, amount``.  Returns ``currency, period_start, expected, p10, p50, p90``
    (Decimal, in the currency's minor unit).
    """
    book = open_book.join(predictions.select("invoice_number", "d10", "d50", "d90"), on="invoice_number",
                          how="left", maintain_order="left")
    if book["d50"].null_count():
        missing = book.filter(pl.col("d50").is_null())["invoice_number"].head(5).to_list()
        raise ValueError(f"no prediction for open invoice(s) {', '.join(map(str, missing))}")
    start, end = as_of.toordinal(), as_of.toordinal() + horizon_days
    due = np.array([d.toordinal() for d in book["due_date"].to_list()], dtype=np.int64)
    amount = book["amount"].cast(pl.Float64).to_numpy()
    promised, promise_day = _promised(book, promises, as_of)
    rest = amount - promised
    v = dist.knots(*(book[c].to_numpy() for c in ("d10", "d50", "d90")))
    floor = start - due
    first, mass = dist.daily_mass(v, floor)
    pay_days = due[:, None] + first[:, None] + np.arange(mass.shape[1])[None, :]
    sims = due[:, None] + dist.sample(v, n_sims, seed, floor)
    currencies = book["currency"].fill_null("XXX").to_numpy()
    out: list[dict[str, Any]] = []
    for cur in sorted(set(currencies.tolist())):
        m = currencies == cur
        ords = np.concatenate([pay_days[m].ravel(), promise_day[m]])
        wts = np.concatenate([(mass[m] * rest[m][:, None]).ravel(), promised[m]])
        keep = (ords >= start) & (ords < end)
        expected = _sum_by(_period(ords[keep], freq), wts[keep])
        periods = sorted(set(expected) | set(_period(np.arange(start, end), freq).tolist()))
        index = {p: j for j, p in enumerate(periods)}
        totals = np.zeros((n_sims, len(periods)))
        sim_ords = sims[m]
        in_h = (sim_ords >= start) & (sim_ords < end)
        cols = np.array([index.get(int(p), -1) for p in _period(np.clip(sim_ords, start, end - 1), freq).ravel()])
        cols = cols.reshape(sim_ords.shape)
        for i in range(sim_ords.shape[0]):
            sel = in_h[i]
            np.add.at(totals, (np.flatnonzero(sel), cols[i][sel]), rest[m][i])
        for amt, day in zip(promised[m], promise_day[m], strict=True):
            if amt > 0 and start <= day < end:
                totals[:, index[int(_period(np.array([day]), freq)[0])]] += amt
        bands = np.quantile(totals, [0.1, 0.5, 0.9], axis=0)
        q = Decimal(1).scaleb(-exponent(cur))
        for j, p in enumerate(periods):
            out.append({
                "currency": cur, "period_start": date.fromordinal(p),
                "expected": Decimal(repr(expected.get(p, 0.0))).quantize(q),
                "p10": Decimal(repr(float(bands[0, j]))).quantize(q),
                "p50": Decimal(repr(float(bands[1, j]))).quantize(q),
                "p90": Decimal(repr(float(bands[2, j]))).quantize(q),
            })
    scale = max((exponent(c) for c in set(currencies.tolist())), default=2)
    money = pl.Decimal(precision=38, scale=scale)
    schema: dict[str, pl.DataType] = {"currency": pl.String(), "period_start": pl.Date(), "expected": money, "p10": money, "p50": money,
              "p90": money}
    return pl.DataFrame(out, schema=schema)


def _sum_by(keys: np.ndarray, weights: np.ndarray) -> dict[int, float]:
    uniq, inv = np.unique(keys, return_inverse=True)
    sums = np.bincount(inv, weights=weights, minlength=uniq.size)
    return {int(k): float(s) for k, s in zip(uniq, sums, strict=True)}


def open_book_at(frame: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Invoices issued before ``as_of`` and not settled before it (what was open that day)."""
    return frame.filter(
        (pl.col("issue_date") < as_of) & (pl.col("settled_date").is_null() | (pl.col("settled_date") >= as_of))
    )


def history_at(frame: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The ledger as known on ``as_of``: later settlements erased, later invoices dropped."""
    known = frame.filter(pl.col("issue_date") < as_of)
    return known.with_columns(
        pl.when(pl.col("settled_date") < as_of).then(pl.col("settled_date")).otherwise(None).alias("settled_date")
    )


def backtest(
    frame: pl.DataFrame,
    cutoffs: Sequence[date],
    *,
    horizon_weeks: int = 13,
    trainer: Callable[[pl.DataFrame, date], PaydateModel] = fit,
    n_sims: int = 1000,
) -> list[dict[str, Any]]:
    """Replay past as-of dates: forecast the open book's weekly receipts, compare with what came in.

    Reports per cutoff the weekly MAE, WAPE and the share of weeks (with cash expected or received) whose
    actual receipts fell inside the p10-p90 band.  Only data known at each cutoff reaches the model (``history_at``).
    """
    results = []
    for cutoff in cutoffs:
        known = history_at(frame, cutoff)
        model = trainer(known, cutoff)
        book = open_book_at(frame, cutoff)
        if book.height == 0:
            continue
        pred = model.predict(book.drop("settled_date"), known, cutoff)
        fc = forecast_cash(book.drop("settled_date"), pred, cutoff, freq="week",
                           horizon_days=7 * horizon_weeks, n_sims=n_sims)
        end = cutoff + timedelta(days=7 * horizon_weeks)
        paid = book.filter(pl.col("settled_date").is_not_null() & (pl.col("settled_date") < end))
        for cur in fc["currency"].unique().sort().to_list():
            f = fc.filter(pl.col("currency") == cur)
            p = paid.filter(pl.col("currency") == cur)
            actual = dist.weekly_sum(np.array([d.toordinal() for d in p["settled_date"].to_list()], dtype=np.int64),
                                     p["amount"].cast(pl.Float64).to_numpy())
            weeks = [d.toordinal() for d in f["period_start"].to_list()]
            exp = dict(zip(weeks, f["expected"].cast(pl.Float64).to_list(), strict=True))
            err = dist.weekly_errors(exp, actual)
            a = np.array([actual.get(w, 0.0) for w in weeks])
            lo, hi = f["p10"].cast(pl.Float64).to_numpy(), f["p90"].cast(pl.Float64).to_numpy()
            live = (a > 0) | (np.array([exp[w] for w in weeks]) > 0)  # weeks with cash expected or received
            results.append({
                "cutoff": cutoff.isoformat(), "currency": cur, "model": model.kind, "n_open": book.height,
                "actual_total": float(a.sum()), "forecast_total": float(sum(exp.values())),
                "weekly_mae": err["weekly_mae"], "wape": err["wape"],
                "band_coverage": float(np.mean(((a >= lo) & (a <= hi))[live])) if live.any() else float("nan"),
                "n_weeks": int(live.sum()),
                # week by week (horizon 1 = the cutoff's week), for the per-horizon figures of `horizon_table`
                "weeks": [{"horizon": j + 1, "actual": float(a[j]), "expected": float(exp[w]), "p10": float(lo[j]),
                           "p90": float(hi[j])} for j, w in enumerate(weeks)],
            })
    return results


def horizon_table(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per currency and horizon week (1 = the cutoff's week) over all cutoffs of `backtest`: WAPE = sum|F - A| /
    sum A of the expected receipts, and the p10-p90 band coverage of the weeks with cash expected or received."""
    cells: dict[tuple[str, int], list[dict[str, float]]] = {}
    for r in results:
        for w in r.get("weeks", []):
            cells.setdefault((str(r["currency"]), int(w["horizon"])), []).append(w)
    out = []
    for (cur, h), weeks in sorted(cells.items()):
        actual = sum(w["actual"] for w in weeks)
        live = [w for w in weeks if w["actual"] > 0 or w["expected"] > 0]
        inside = sum(1 for w in live if w["p10"] <= w["actual"] <= w["p90"])
        out.append({"currency": cur, "horizon_week": h, "n_cutoffs": len(weeks), "actual_total": actual,
                    "forecast_total": sum(w["expected"] for w in weeks),
                    "wape": sum(abs(w["expected"] - w["actual"]) for w in weeks) / actual if actual > 0
                    else float("nan"),
                    "band_coverage": inside / len(live) if live else float("nan"), "n_weeks": len(live)})
    return out
