"""Private loader for the IBM Watson Analytics accounts-receivable sample (until the shared importer exists).

Reads the 12-column IBM CSV into cobro's canonical ledger frame: invoice numbers and country codes stay
strings (leading zeros kept), dates are US ``%m/%d/%Y``.  The label columns ``DaysToSettle`` and
``DaysLate`` are dropped, and ``PaperlessDate`` is never used (it lies in the future for many invoices);
the per-invoice ``PaperlessBill`` is kept as the channel.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

IBM_COLUMNS = (
    "countryCode", "customerID", "PaperlessDate", "invoiceNumber", "InvoiceDate", "DueDate",
    "InvoiceAmount", "Disputed", "SettledDate", "PaperlessBill", "DaysToSettle", "DaysLate",
)
_OPEN_REQUIRED = ("customerID", "invoiceNumber", "InvoiceDate", "DueDate", "InvoiceAmount")


class LedgerFileError(ValueError):
    """A ledger file that cannot be read into the canonical frame."""


def _date(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars().str.to_date("%m/%d/%Y", strict=True)


def read_ibm_csv(path: Path, currency: str = "XXX") -> pl.DataFrame:
    """Read an IBM AR CSV (history or open book) into the canonical ledger frame.

    Settlement columns are optional: an open-book file without ``SettledDate`` gives null settled dates.
    """
    if not path.exists():
        raise LedgerFileError(f"file not found: {path}")
    raw = pl.read_csv(path, infer_schema=False)  # every column as str: keeps the zero padding
    raw = raw.rename({c: c.strip() for c in raw.columns})
    missing = [c for c in _OPEN_REQUIRED if c not in raw.columns]
    if missing:
        raise LedgerFileError(f"{path.name}: missing column(s) {', '.join(missing)}")

    def opt(col: str, default: str) -> pl.Expr:
        return pl.col(col) if col in raw.columns else pl.lit(default, dtype=pl.String).alias(col)

    try:
        frame = raw.select(
            pl.col("invoiceNumber").str.strip_chars().alias("invoice_number"),
            pl.col("customerID").str.strip_chars().alias("customer_code"),
            _date("InvoiceDate").alias("issue_date"),
            _date("DueDate").alias("due_date"),
            pl.col("InvoiceAmount").str.strip_chars().cast(pl.Float64).alias("amount"),
            pl.lit(currency).alias("currency"),
            (opt("Disputed", "No").str.strip_chars().str.to_lowercase() == "yes").alias("disputed"),
            (
                _date("SettledDate") if "SettledDate" in raw.columns else pl.lit(None, dtype=pl.Date)
            ).alias("settled_date"),
            opt("PaperlessBill", "").str.strip_chars().str.to_lowercase().alias("channel"),
            opt("countryCode", "").str.strip_chars().alias("country"),
        )
    except pl.exceptions.PolarsError as exc:
        raise LedgerFileError(f"{path.name}: cannot parse ({exc})") from exc
    return frame
