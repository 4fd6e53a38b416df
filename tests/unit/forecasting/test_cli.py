"""`cobro predict payments` / `evaluate` on small synthetic files in the IBM layout."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from cobro.forecasting.cli import app

from .conftest import make_ledger

MAPPING = """kind: invoices
columns:
  invoice_number: invoiceNumber
  customer_code: customerID
  issue_date: InvoiceDate
  due_date: DueDate
  amount: InvoiceAmount
  disputed: Disputed
  settled_date: SettledDate
  channel: PaperlessBill
  segment: countryCode
defaults:
  currency: EUR
options:
  date_format: "%m/%d/%Y"
values:
  disputed: {"Yes": true, "No": false}
"""


def _write(path: Path, frame: pl.DataFrame, settled: bool) -> None:
    us = "%m/%d/%Y"
    header = ["countryCode", "customerID", "invoiceNumber", "InvoiceDate", "DueDate", "InvoiceAmount",
              "Disputed", "PaperlessBill"] + (["SettledDate"] if settled else [])
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in frame.iter_rows(named=True):
            row = [r["segment"], r["customer_code"], r["invoice_number"], r["issue_date"].strftime(us),
                   r["due_date"].strftime(us), f"{r['amount']:.2f}", "Yes" if r["disputed"] else "No",
                   r["channel"].capitalize()]
            w.writerow(row + ([r["settled_date"].strftime(us)] if settled else []))


def _files(tmp_path: Path, cutoff: date = date(2023, 1, 1)) -> tuple[Path, Path, Path, pl.DataFrame]:
    ledger = make_ledger(seed=2, n_customers=15, per_customer=12)
    hist = ledger.filter((pl.col("issue_date") < cutoff) & (pl.col("settled_date") < cutoff))
    book = ledger.filter(pl.col("issue_date") >= cutoff)
    paths = tmp_path / "history.csv", tmp_path / "open.csv", tmp_path / "map.yaml"
    _write(paths[0], hist, settled=True)
    _write(paths[1], book, settled=False)
    paths[2].write_text(MAPPING)
    return *paths, book


def test_predict_payments_writes_the_exact_columns(tmp_path: Path) -> None:
    history, open_, mapping, book = _files(tmp_path)
    out = tmp_path / "out" / "pred.csv"
    result = CliRunner().invoke(app, ["payments", "--history", str(history), "--open", str(open_),
                                      "--mapping", str(mapping), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["invoice_number", "p10_days", "p50_days", "p90_days", "p_late"]
    assert [r[0] for r in rows[1:]] == book["invoice_number"].to_list()  # order and leading zeros kept
    assert all(r[0].startswith("0") for r in rows[1:])
    for r in rows[1:]:
        p10, p50, p90, p_late = map(float, r[1:])
        assert p10 <= p50 <= p90 and 0 <= p_late <= 1


def test_predict_payments_with_tiny_history_warns_and_falls_back(tmp_path: Path) -> None:
    history, open_, mapping, _ = _files(tmp_path, cutoff=date(2022, 2, 20))
    out = tmp_path / "pred.csv"
    result = CliRunner().invoke(app, ["payments", "--history", str(history), "--open", str(open_),
                                      "--mapping", str(mapping), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "empirical" in result.output and "baseline" in result.output
    assert out.exists()


def test_missing_mapping_is_a_clear_error(tmp_path: Path) -> None:
    history, open_, _, _ = _files(tmp_path)
    result = CliRunner().invoke(app, ["payments", "--history", str(history), "--open", str(open_),
                                      "--mapping", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "p.csv")])
    assert result.exit_code == 2 and "mapping file not found" in result.output


def test_evaluate_prints_cobro_next_to_baselines(tmp_path: Path) -> None:
    history, _, mapping, _ = _files(tmp_path)
    result = CliRunner().invoke(app, ["evaluate", "--file", str(history), "--mapping", str(mapping),
                                      "--split-date", "2022-10-01", "--json"])
    assert result.exit_code == 0, result.output
    assert '"B1b customer median"' in result.output and '"cobro"' in result.output


def test_a_saved_model_records_the_entrypoint_clock(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from cobro.forecasting.paydate.model import PaydateModel
    from cobro.kernel.clock import FixedClock
    from cobro.platform.cli.context import State
    from cobro.platform.container import build
    from cobro.platform.settings import Settings

    history, open_, mapping, _ = _files(tmp_path)
    container = build(Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}"),
                      clock=FixedClock(datetime(2026, 11, 25, 9, 30, 15, tzinfo=UTC)))
    saved = tmp_path / "model.json"
    result = CliRunner().invoke(app, ["payments", "--history", str(history), "--open", str(open_), "--mapping",
                                      str(mapping), "--out", str(tmp_path / "p.csv"), "--save-model", str(saved)],
                                obj=State(container))
    container.close()
    assert result.exit_code == 0, result.output
    assert PaydateModel.load(saved).created_at == "2026-11-25T09:30:15+00:00"
