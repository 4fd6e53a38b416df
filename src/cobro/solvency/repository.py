"""Stored financial statements: upsert by (tenant, customer, year), and load them back as domain statements.

Amounts go in and out as integer minor units; `statements` turns them into the pure domain's
`FinancialStatement` (currency units as floats, which are ratio inputs, not money at rest).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.kernel.money import exponent
from cobro.ledger.records import CustomerRow, InvoiceRow
from cobro.solvency.domain import FinancialStatement
from cobro.solvency.records import STATEMENT_LINES, FinancialStatementRow


@dataclass(frozen=True, slots=True)
class StoredStatement:
    customer_code: str
    year: int
    currency: str
    statement: FinancialStatement


def content_hash(currency: str, minor: Mapping[str, int | None]) -> str:
    text = currency + "|" + "|".join("" if minor.get(k) is None else str(minor[k]) for k in STATEMENT_LINES)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def existing(session: Session, tenant: int) -> dict[tuple[int, int], FinancialStatementRow]:
    rows = session.scalars(select(FinancialStatementRow).where(FinancialStatementRow.tenant_id == tenant))
    return {(r.customer_id, r.year): r for r in rows}


def save(session: Session, tenant: int, customer_id: int, year: int, currency: str, minor: Mapping[str, int | None],
         *, source: str, current: FinancialStatementRow | None) -> str:
    """Insert or update one statement; returns "created", "updated" or "unchanged"."""
    digest = content_hash(currency, minor)
    if current is not None and current.content_hash == digest:
        return "unchanged"
    row = current or FinancialStatementRow(tenant_id=tenant, customer_id=customer_id, year=year)
    row.currency = currency
    for line in STATEMENT_LINES:
        setattr(row, f"{line}_minor", minor.get(line))
    row.source, row.content_hash = source[:200], digest
    if current is None:
        session.add(row)
        return "created"
    return "updated"


def customers(session: Session, tenant: int) -> list[CustomerRow]:
    """Every customer of the tenant (the statement file names them by code, tax id or legal name)."""
    return list(session.scalars(select(CustomerRow).where(CustomerRow.tenant_id == tenant).order_by(CustomerRow.id)))


def customer_currencies(session: Session, tenant: int) -> dict[int, str]:
    """Each customer's usual currency: its credit limit's, else the one most of its invoices are in."""
    out: dict[int, str] = {}
    counts = session.execute(select(InvoiceRow.customer_id, InvoiceRow.currency, func.count())
                             .where(InvoiceRow.tenant_id == tenant)
                             .group_by(InvoiceRow.customer_id, InvoiceRow.currency)
                             .order_by(InvoiceRow.customer_id, func.count().desc(), InvoiceRow.currency))
    for cid, cur, _ in counts:
        out.setdefault(int(cid), str(cur))
    limits = session.execute(select(CustomerRow.id, CustomerRow.credit_limit_currency)
                             .where(CustomerRow.tenant_id == tenant, CustomerRow.credit_limit_currency != ""))
    out.update({int(cid): str(cur) for cid, cur in limits})
    return out


def _statement(row: FinancialStatementRow) -> FinancialStatement:
    scale = 10 ** exponent(row.currency)
    values: dict[str, float | None] = {}
    for line in STATEMENT_LINES:
        v = getattr(row, f"{line}_minor")
        values[line] = None if v is None else int(v) / scale
    return FinancialStatement(year=row.year, **values)


def statements(session: Session, tenant: int, *, until: dt.date | None = None) -> dict[str, list[StoredStatement]]:
    """Stored statements per customer code, oldest year first; `until` drops fiscal years after its year."""
    query = (select(FinancialStatementRow, CustomerRow.code)
             .join(CustomerRow, CustomerRow.id == FinancialStatementRow.customer_id)
             .where(FinancialStatementRow.tenant_id == tenant)
             .order_by(CustomerRow.code, FinancialStatementRow.year))
    if until is not None:
        query = query.where(FinancialStatementRow.year <= until.year)
    out: dict[str, list[StoredStatement]] = defaultdict(list)
    for row, code in session.execute(query):
        out[str(code)].append(StoredStatement(str(code), row.year, row.currency, _statement(row)))
    return dict(out)
