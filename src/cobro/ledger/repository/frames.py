"""The database ledger as the polars frames the payment-date model and the cash forecast read.

One row per **instalment** of an invoice (credit notes are not receivables to predict): its due date, amount and
the date it was fully settled, derived from the allocations dated on or before the as-of date (the date of the
allocation that completed it).  An invoice with several instalments gives rows ``NUMBER/1``, ``NUMBER/2`` ...;
a single-instalment invoice keeps its number.  `open_minor` is what was still open at the as-of date, so part
payments are forecast on the rest only.

Known limit: `disputed` is the invoice's current flag, not its flag at a past as-of date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from cobro.kernel.money import exponent
from cobro.ledger.imports.frame import LEDGER_SCHEMA
from cobro.ledger.repository import open_items

FAR_FUTURE = dt.date(9999, 12, 31)
FRAME_SCHEMA: dict[str, pl.DataType] = {
    **LEDGER_SCHEMA,
    "invoice": pl.String(),
    "customer_id": pl.Int64(),
    "open_minor": pl.Int64(),
    "open_amount": pl.Decimal(18, 2),
}


def as_date(value: object) -> dt.date:
    """SQLite hands back dates as text in raw SQL; PostgreSQL as dates."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def has_table(session: Session, name: str) -> bool:
    return bool(inspect(session.get_bind()).has_table(name))


# the ledger's open-as-of rule (`open_items`): receivable instalments issued by :as_of, allocations dated ≤ :as_of
_SQL = ("SELECT i.number, s.seq, c.code, c.legal_name, i.issue_date, s.due_date, s.amount_minor, i.currency, "
        "i.disputed, i.channel, c.segment, c.country, i.terms, c.id, COALESCE(p.paid, 0), p.last_paid "
        + open_items.from_sql(joins="JOIN customers c ON c.id = i.customer_id", last_paid=True)
        + " ORDER BY i.issue_date, i.id, s.seq")


def ledger_frame(session: Session, tenant: int, as_of: dt.date | None = None) -> pl.DataFrame:
    """Every instalment issued by `as_of` with its settlement date as known on `as_of` (None: everything)."""
    rows = list(session.execute(text(_SQL), {"t": tenant, "as_of": as_of or FAR_FUTURE}))
    per_invoice = Counter(str(r[0]) for r in rows)
    cols: dict[str, list[Any]] = {k: [] for k in FRAME_SCHEMA}
    for (number, seq, code, name, issue, due, amount_raw, cur, disputed, channel, segment, country, terms, cid,
         paid_raw, last) in rows:
        amount, paid, currency = int(amount_raw), int(paid_raw), str(cur)
        open_minor = max(amount - paid, 0)  # an allocation never exceeds its instalment
        unit = -exponent(currency)
        cols["invoice_number"].append(str(number) if per_invoice[str(number)] == 1 else f"{number}/{seq}")
        cols["invoice"].append(str(number))
        cols["customer_code"].append(str(code))
        cols["customer_name"].append(str(name))
        cols["issue_date"].append(as_date(issue))
        cols["due_date"].append(as_date(due))
        cols["amount"].append(Decimal(amount).scaleb(unit))
        cols["amount_minor"].append(amount)
        cols["currency"].append(currency)
        cols["kind"].append("invoice")
        cols["disputed"].append(bool(disputed))
        cols["settled_date"].append(as_date(last) if open_minor == 0 and last is not None else None)
        cols["channel"].append(str(channel or ""))
        cols["segment"].append(str(segment or ""))
        cols["country"].append(str(country or ""))
        cols["terms"].append(str(terms or ""))
        cols["customer_id"].append(int(cid))
        cols["open_minor"].append(open_minor)
        cols["open_amount"].append(Decimal(open_minor).scaleb(unit))
    return pl.DataFrame(cols, schema=FRAME_SCHEMA)


def open_book(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows still open at the frame's as-of date, with `amount` = the open part (what the forecast needs)."""
    return (frame.filter(pl.col("settled_date").is_null() & (pl.col("open_minor") > 0))
            .with_columns(pl.col("open_amount").alias("amount")))


def promises_frame(session: Session, tenant: int, book: pl.DataFrame, as_of: dt.date) -> pl.DataFrame | None:
    """Pending promises to pay spread over the customer's open items, oldest due first (the forecast joins
    promises by invoice).  None when the promises table does not exist (collections not installed)."""
    if not has_table(session, "promises"):
        return None
    sql = """SELECT customer_id, currency, amount_minor, paid_minor, due_on FROM promises
             WHERE tenant_id = :t AND status = 'pending' AND due_on >= :as_of AND promised_on <= :as_of"""
    out: dict[str, list[Any]] = {"invoice_number": [], "promise_date": [], "amount": []}
    items = book.sort("due_date").select("customer_id", "currency", "invoice_number", "open_amount")
    for cid, cur, amount, paid, due in session.execute(text(sql), {"t": tenant, "as_of": as_of}):
        left = Decimal(int(amount) - int(paid or 0)).scaleb(-exponent(str(cur)))
        mine = items.filter((pl.col("customer_id") == int(cid)) & (pl.col("currency") == str(cur)))
        for number, _, _, open_amount in ((r[2], r[0], r[1], r[3]) for r in mine.iter_rows()):
            if left <= 0:
                break
            part = min(left, Decimal(open_amount))
            out["invoice_number"].append(number)
            out["promise_date"].append(as_date(due))
            out["amount"].append(float(part))  # the forecast works in floats and rounds its output to the grid
            left -= part
    return pl.DataFrame(out, schema={"invoice_number": pl.String(), "promise_date": pl.Date(),
                                     "amount": pl.Float64()})
