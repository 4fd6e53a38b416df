"""Database-free loading: a ledger export read straight into a polars DataFrame.

Used by `cobro analyze` and `cobro predict`, which must work on a raw file with no database set up.  The
rows go through the same validation as `cobro import invoices`, so both paths agree on what a file means.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl

from cobro.kernel.errors import InvalidInputError, Problem
from cobro.kernel.money import exponent
from cobro.ledger.imports.mapping import load_mapping
from cobro.ledger.imports.records import InvoiceLine
from cobro.ledger.imports.rows import RowReader, read_invoices
from cobro.ledger.imports.tabular import open_table

LEDGER_SCHEMA: dict[str, pl.DataType] = {
    "invoice_number": pl.String(),
    "customer_code": pl.String(),
    "customer_name": pl.String(),
    "issue_date": pl.Date(),
    "due_date": pl.Date(),
    "amount": pl.Decimal(18, 2),
    "amount_minor": pl.Int64(),
    "currency": pl.String(),
    "kind": pl.String(),
    "disputed": pl.Boolean(),
    "settled_date": pl.Date(),
    "channel": pl.String(),
    "segment": pl.String(),
    "country": pl.String(),
    "terms": pl.String(),
}


def read_ledger_frame(path: Path, mapping_path: Path | None = None) -> pl.DataFrame:
    """Read and validate an invoice export; raise `InvalidInputError` listing every bad row."""
    mapping = load_mapping(mapping_path, "invoices")
    reader = RowReader(open_table(path, mapping.options), mapping, "invoices")
    columns: dict[str, list[object]] = {name: [] for name in LEDGER_SCHEMA}
    problems: list[Problem] = []
    for item in read_invoices(reader, default_terms=str(mapping.defaults.get("terms", "net 30"))):
        if isinstance(item, Problem):
            if item.severity == "error":
                problems.append(item)
            continue
        _append(columns, item)
    if problems:
        shown = "; ".join(str(p) for p in problems[:20])
        raise InvalidInputError(f"{path.name}: {len(problems)} invalid row(s): {shown}", problems)
    return pl.DataFrame(columns, schema=LEDGER_SCHEMA)


def _append(columns: dict[str, list[object]], line: InvoiceLine) -> None:
    columns["invoice_number"].append(line.number)
    columns["customer_code"].append(line.customer_code)
    columns["customer_name"].append(line.customer_name or line.customer_code)
    columns["issue_date"].append(line.issue_date)
    columns["due_date"].append(line.due_date)
    columns["amount"].append(Decimal(line.amount_minor).scaleb(-exponent(line.currency)))
    columns["amount_minor"].append(line.amount_minor)
    columns["currency"].append(line.currency)
    columns["kind"].append(line.kind)
    columns["disputed"].append(line.disputed)
    columns["settled_date"].append(line.settled_date)
    columns["channel"].append(line.channel)
    columns["segment"].append(line.segment)
    columns["country"].append(line.country)
    columns["terms"].append(line.terms)
