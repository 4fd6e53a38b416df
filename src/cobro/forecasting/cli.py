"""`cobro predict`: payment-date predictions and their evaluation on files, without a database; and
`cobro predict refresh`, which stores the predictions of every open instalment in the database."""

from __future__ import annotations

import json
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cobro.kernel.cells import as_number, csv_writer
from cobro.kernel.errors import CobroError
from cobro.platform.cli.compose import Section

if TYPE_CHECKING:  # polars and the ledger readers load in the commands, not for `cobro --help`
    import polars as pl

    from cobro.platform.uow import UnitOfWork

app = typer.Typer(help="Payment-date model on files: predict open invoices, evaluate against baselines.",
                  no_args_is_help=True)

PRED_COLUMNS = ("invoice_number", "p10_days", "p50_days", "p90_days", "p_late")
WEEKLY_COLUMNS = ("week_start", "currency", "p10", "p50", "p90")
# Columns an open-book file may lack although the history mapping names them.
_SETTLEMENT_FIELDS = ("settled_date",)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _check_mapping(mapping: Path) -> None:
    if not mapping.exists():
        raise _fail(f"mapping file not found: {mapping}")


def read_history(path: Path, mapping: Path) -> pl.DataFrame:
    from cobro.ledger.imports.frame import read_ledger_frame

    return read_ledger_frame(path, mapping)


def read_open(path: Path, mapping: Path) -> pl.DataFrame:
    """Read an open-book file with the history mapping, tolerating absent settlement columns."""
    import yaml

    from cobro.ledger.imports.frame import read_ledger_frame
    from cobro.ledger.imports.tabular import open_table
    from cobro.platform.yamlsafe import YamlError, read_yaml_file

    try:
        raw = read_yaml_file(mapping) or {}  # bounded: size, depth, aliases; duplicate keys refused
    except YamlError as exc:
        raise _fail(f"{mapping}: {exc}") from exc
    columns = raw.get("columns") if isinstance(raw, dict) else None
    if not isinstance(columns, dict):
        return read_ledger_frame(path, mapping)
    stream = open_table(path, raw.get("options") or {})
    headers = {h.strip().lower() for h in stream.headers}
    absent = [f for f in _SETTLEMENT_FIELDS if f in columns and str(columns[f]).strip().lower() not in headers]
    if not absent:
        return read_ledger_frame(path, mapping)
    trimmed = dict(raw, columns={k: v for k, v in columns.items() if k not in absent})
    with tempfile.TemporaryDirectory() as tmp:
        tmp_mapping = Path(tmp) / mapping.name
        tmp_mapping.write_text(yaml.safe_dump(trimmed, sort_keys=False), encoding="utf-8")
        return read_ledger_frame(path, tmp_mapping)


def _invoices_only(frame: pl.DataFrame) -> pl.DataFrame:
    import polars as pl

    if "kind" not in frame.columns:
        return frame
    return frame.filter(pl.col("kind").fill_null("invoice").is_in(["invoice", "instalment", ""]))


def _as_of(history: pl.DataFrame) -> date:
    """The day after the latest event in the history: everything in the file is known."""
    latest = [d for d in (history["settled_date"].max(), history["issue_date"].max()) if isinstance(d, date)]
    if not latest:
        raise _fail("the history file has no dated invoices")
    return max(latest) + timedelta(days=1)


@app.command("payments")
def payments(
    ctx: typer.Context,
    history: Annotated[Path, typer.Option("--history", help="Settled invoices (CSV/XLSX).")],
    open_: Annotated[Path, typer.Option("--open", help="Open invoices, without settlement columns.")],
    mapping: Annotated[Path, typer.Option("--mapping", help="Column mapping YAML.")],
    out: Annotated[Path, typer.Option("--out", help="Output CSV: invoice_number,p10_days,p50_days,p90_days,p_late.")],
    horizon_days: Annotated[int, typer.Option("--horizon-days", help="Forecast horizon the features mimic.")] = 91,
    save_model: Annotated[Path | None, typer.Option("--save-model", help="Also save the trained model (JSON).")] = None,
    weekly_out: Annotated[Path | None, typer.Option(
        "--weekly-out", help="Also write week_start,currency,p10,p50,p90: the open invoices' receipts per ISO week "
                             "(p50 the expected receipts; p10/p90 of the summed distribution).")] = None,
) -> None:
    """Train on HISTORY and predict when each invoice of OPEN gets paid (days from its invoice date)."""
    from cobro.forecasting.paydate.model import fit
    from cobro.platform.cli.context import state

    _check_mapping(mapping)
    try:
        hist = _invoices_only(read_history(history, mapping))
        book = read_open(open_, mapping)
    except CobroError as exc:
        raise _fail(str(exc)) from exc
    cutoff = _as_of(hist)
    model = fit(hist, cutoff, horizon_days=horizon_days, now=state(ctx).container().clock.now())
    if model.message:
        typer.echo(f"warning: {model.message}", err=True)
    pred = model.predict(book.drop("settled_date"), hist, cutoff)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv_writer(fh)
        writer.writerow(PRED_COLUMNS)
        for row in pred.select(PRED_COLUMNS).iter_rows():
            writer.writerow([row[0], *(as_number(f"{v:.2f}") for v in row[1:4]), as_number(f"{row[4]:.4f}")])
    if save_model is not None:
        model.save(save_model)
    if weekly_out is not None:
        weeks = write_weekly(weekly_out, book, pred, cutoff)
        typer.echo(f"{weeks} weekly rows written to {weekly_out}", err=True)
    typer.echo(f"{pred.height} predictions written to {out} (model: {model.kind}, trained on history to "
               f"{cutoff - timedelta(days=1)}, conformal margin {model.margin:.2f} d)", err=True)


def write_weekly(path: Path, book: pl.DataFrame, pred: pl.DataFrame, cutoff: date) -> int:
    """The weekly file of `payments --weekly-out` (forecasting.paydate.weekly); returns its number of rows."""
    from decimal import Decimal

    import numpy as np

    from cobro.forecasting.paydate.weekly import weekly_receipts
    from cobro.kernel.money import quantum

    amounts = np.array([float(a) for a in book["amount"].to_list()], dtype=np.float64)  # a statistical estimate
    rows = weekly_receipts(book["due_date"].to_list(), [str(c) for c in book["currency"].to_list()], amounts,
                           pred["d10"].to_numpy(), pred["d50"].to_numpy(), pred["d90"].to_numpy(), cutoff)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv_writer(fh)
        writer.writerow(WEEKLY_COLUMNS)
        for r in rows:
            grid = quantum(r.currency)
            writer.writerow([r.week_start.isoformat(), r.currency,
                             *(as_number(str(Decimal(f"{x:.6f}").quantize(grid))) for x in (r.p10, r.p50, r.p90))])
    return len(rows)


@app.command("refresh")
def refresh(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Score the instalments open on this day (default: today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score every open instalment in the database and store the predictions of the as-of date (replacing a
    previous refresh of the same date): expected date, p10/p50/p90, P(late), P(not paid within 180 days), reasons."""
    from cobro.forecasting.service import refresh as run
    from cobro.platform.cli.context import day_or_today, fail, print_json, state

    day = day_or_today(ctx, as_of)
    container = state(ctx).container()
    try:
        with container.uow() as uow:
            result = run(uow, day, Path(container.settings.model_dir))
            uow.commit()
    except (CobroError, ValueError) as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(result.as_json())
        return
    typer.echo(f"{result.scored} open instalments scored as of {day} ({result.replaced} earlier predictions of "
               f"that day replaced); model {result.model_version}: {result.model_note}")


def customer_predictions(uow: UnitOfWork, code: str, as_of: date) -> Section:
    """The stored predictions' part of `cobro customers show`: `payment_predictions` in the JSON, one line per
    open instalment (the latest refresh on or before the as-of date)."""
    from cobro.forecasting.service import list_predictions

    found = list_predictions(uow, as_of, customer=code)
    if not found:
        return Section("payment_predictions", [], ("payment predictions: none stored (run `cobro predict refresh`)",))
    lines = tuple(f"predicted: {p.instalment} due {p.due_date} -> expected {p.expected_date} (p10 {p.p10_date}, "
                  f"p90 {p.p90_date}), P(late) {p.p_late:.0%}, P(unpaid 180 d) {p.p_unpaid_180:.0%}; "
                  f"{', '.join(p.reasons)}" for p in found)
    return Section("payment_predictions", [p.as_json() for p in found],
                   (f"payment predictions as of {found[0].as_of} ({found[0].model_version}):", *lines))


@app.command("evaluate")
def evaluate(
    file: Annotated[Path, typer.Option("--file", help="Ledger file with settled invoices.")],
    mapping: Annotated[Path, typer.Option("--mapping", help="Column mapping YAML.")],
    split_date: Annotated[str, typer.Option("--split-date", help="Train before this date, test from it (YYYY-MM-DD).")],
    end_date: Annotated[str | None, typer.Option("--end-date", help="Test only invoices issued before this date.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Time-split evaluation: cobro next to the data README's baselines (MAE, AUC, coverage, pinball, WAPE)."""
    from cobro.forecasting.paydate.evaluate import evaluate_split, format_table

    _check_mapping(mapping)
    try:
        cutoff = date.fromisoformat(split_date)
        end = date.fromisoformat(end_date) if end_date else None
    except ValueError as exc:
        raise _fail(f"dates must be YYYY-MM-DD: {exc}") from exc
    try:
        frame = _invoices_only(read_history(file, mapping))
        result = evaluate_split(frame, cutoff, end)
    except (CobroError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    typer.echo(json.dumps(result, indent=2) if as_json else format_table(result))
