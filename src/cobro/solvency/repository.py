"""Stored financial statements: upsert by (tenant, customer, year), and load them back as domain statements.

Amounts go in and out as integer minor units; `statements` turns them into the pure domain's
`FinancialStatement` (currency units as floats, which are ratio inputs, not money at rest).

Services reach this through the unit of work: ``uow.repo(SOLVENCY)`` is a `SolvencyRepository` (the SQL one
here, an in-memory one in tests/fakes.py), scoped to the unit of work's tenant.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.kernel.money import exponent
from cobro.ledger.records import CustomerRow, InvoiceRow
from cobro.platform.uow import RepositoryKey
from cobro.solvency.domain import FinancialStatement
from cobro.solvency.records import STATEMENT_LINES, FinancialStatementRow
from cobro.solvency.schemas import SaveOutcome, StatementCustomer


@dataclass(frozen=True, slots=True)
class StoredStatement:
    customer_code: str
    year: int
    currency: str
    statement: FinancialStatement


def content_hash(currency: str, minor: Mapping[str, int | None]) -> str:
    text = currency + "|" + "|".join("" if minor.get(k) is None else str(minor[k]) for k in STATEMENT_LINES)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


class SolvencyRepository(Protocol):
    """What the solvency services read and write (one tenant)."""

    def customers(self) -> list[StatementCustomer]:
        """Every customer of the tenant, by id."""
        ...

    def customer_currencies(self) -> dict[int, str]:
        """Each customer's usual currency: its credit limit's, else the one most of its invoices are in."""
        ...

    def statements(self, *, until: dt.date | None = None) -> dict[str, list[StoredStatement]]:
        """Stored statements per customer code, oldest year first; `until` drops fiscal years after its year."""
        ...

    def save(self, customer_id: int, year: int, currency: str, minor: Mapping[str, int | None], *,
             source: str) -> SaveOutcome:
        """Insert or update one statement (unchanged when its content is the stored one)."""
        ...


class SqlSolvencyRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant
        self._current: dict[tuple[int, int], FinancialStatementRow] | None = None

    def customers(self) -> list[StatementCustomer]:
        rows = self.session.execute(select(CustomerRow.id, CustomerRow.code, CustomerRow.tax_id, CustomerRow.legal_name)
                                    .where(CustomerRow.tenant_id == self.tenant).order_by(CustomerRow.id))
        return [StatementCustomer(int(i), str(c), str(t or ""), str(n or "")) for i, c, t, n in rows]

    def customer_currencies(self) -> dict[int, str]:
        out: dict[int, str] = {}
        counts = self.session.execute(select(InvoiceRow.customer_id, InvoiceRow.currency, func.count())
                                      .where(InvoiceRow.tenant_id == self.tenant)
                                      .group_by(InvoiceRow.customer_id, InvoiceRow.currency)
                                      .order_by(InvoiceRow.customer_id, func.count().desc(), InvoiceRow.currency))
        for cid, cur, _ in counts:
            out.setdefault(int(cid), str(cur))
        limits = self.session.execute(select(CustomerRow.id, CustomerRow.credit_limit_currency)
                                      .where(CustomerRow.tenant_id == self.tenant,
                                             CustomerRow.credit_limit_currency != ""))
        out.update({int(cid): str(cur) for cid, cur in limits})
        return out

    def statements(self, *, until: dt.date | None = None) -> dict[str, list[StoredStatement]]:
        query = (select(FinancialStatementRow, CustomerRow.code)
                 .join(CustomerRow, CustomerRow.id == FinancialStatementRow.customer_id)
                 .where(FinancialStatementRow.tenant_id == self.tenant)
                 .order_by(CustomerRow.code, FinancialStatementRow.year))
        if until is not None:
            query = query.where(FinancialStatementRow.year <= until.year)
        out: dict[str, list[StoredStatement]] = defaultdict(list)
        for row, code in self.session.execute(query):
            out[str(code)].append(StoredStatement(str(code), row.year, row.currency, _statement(row)))
        return dict(out)

    def save(self, customer_id: int, year: int, currency: str, minor: Mapping[str, int | None], *,
             source: str) -> SaveOutcome:
        if self._current is None:  # one read of the tenant's statements for a whole import
            rows = self.session.scalars(select(FinancialStatementRow)
                                        .where(FinancialStatementRow.tenant_id == self.tenant))
            self._current = {(r.customer_id, r.year): r for r in rows}
        current = self._current.get((customer_id, year))
        digest = content_hash(currency, minor)
        if current is not None and current.content_hash == digest:
            return SaveOutcome.UNCHANGED
        row = current or FinancialStatementRow(tenant_id=self.tenant, customer_id=customer_id, year=year)
        row.currency = currency
        for line in STATEMENT_LINES:
            setattr(row, f"{line}_minor", minor.get(line))
        row.source, row.content_hash = source[:200], digest
        if current is not None:
            return SaveOutcome.UPDATED
        self.session.add(row)
        self._current[(customer_id, year)] = row
        return SaveOutcome.CREATED


SOLVENCY: RepositoryKey[SolvencyRepository] = RepositoryKey("solvency", SqlSolvencyRepository)


def _statement(row: FinancialStatementRow) -> FinancialStatement:
    scale = 10 ** exponent(row.currency)
    values: dict[str, float | None] = {}
    for line in STATEMENT_LINES:
        v = getattr(row, f"{line}_minor")
        values[line] = None if v is None else int(v) / scale
    return FinancialStatement(year=row.year, **values)
