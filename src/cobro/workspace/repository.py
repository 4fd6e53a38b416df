"""Read-only queries for the dashboard and the JSON API: ranked debtors and a paged customer list.

Open amounts follow the ledger's one rule (`cobro.ledger.repository.open_items`): the top debtors as of the
overview's date, the customer list as the ledger stands now.  Everything is filtered by tenant.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from cobro.ledger.records import CustomerRow
from cobro.ledger.repository import open_items as ledger_open
from cobro.platform.db.like import ESCAPE, contains
from cobro.platform.uow import RepositoryKey
from cobro.workspace.schemas import CustomerListRow, DebtorRow, RiskRow


def top_debtors(session: Session, tenant: int, currency: str, as_of: dt.date, limit: int = 10) -> list[DebtorRow]:
    """The customers with the largest open balance in `currency` at `as_of`, with their overdue part then."""
    o = ledger_open.open_instalments(tenant, as_of)
    overdue = func.sum(case((o.c.due_date < as_of, o.c.open_minor), else_=0))
    total = func.sum(o.c.open_minor)
    stmt = (
        select(CustomerRow.code, CustomerRow.legal_name, CustomerRow.country, CustomerRow.collector,
               total, overdue, func.count(func.distinct(o.c.invoice_id)), func.min(o.c.due_date))
        .select_from(o)
        .join(CustomerRow, CustomerRow.id == o.c.customer_id)
        .where(o.c.currency == currency)
        .group_by(CustomerRow.id, CustomerRow.code, CustomerRow.legal_name, CustomerRow.country,
                  CustomerRow.collector)
        .order_by(total.desc(), CustomerRow.code)
        .limit(limit)
    )
    out = []
    for code, name, country, collector, open_minor, overdue_minor, n, oldest in session.execute(stmt):
        oldest_day = oldest if isinstance(oldest, dt.date) else dt.date.fromisoformat(str(oldest))
        out.append(DebtorRow(code, name, country, collector, currency, int(open_minor or 0), int(overdue_minor or 0),
                             int(n), max(0, (as_of - oldest_day).days)))
    return out


def customer_page(session: Session, tenant: int, *, search: str = "", limit: int = 25,
                  offset: int = 0) -> tuple[list[CustomerListRow], int]:
    """One page of customers by code, with open balances per currency, and the total count matching `search`."""
    where = [CustomerRow.tenant_id == tenant]
    if search:
        like = contains(search)  # `%` and `_` are searched for, not wildcards
        where.append(CustomerRow.code.ilike(like, escape=ESCAPE)
                     | CustomerRow.legal_name.ilike(like, escape=ESCAPE)
                     | CustomerRow.tax_id.ilike(like, escape=ESCAPE))
    total = session.scalar(select(func.count()).select_from(CustomerRow).where(*where)) or 0
    # by code: balances in different currencies have no common order (top debtors rank within one currency)
    stmt = select(CustomerRow).where(*where).order_by(CustomerRow.code).limit(limit).offset(offset)
    rows = list(session.scalars(stmt))
    balances: dict[int, dict[str, int]] = {}
    counts: dict[int, int] = {}
    if rows:
        o = ledger_open.open_instalments(tenant, None, customer_ids=[r.id for r in rows])
        for cid, cur, amount, n in session.execute(
            select(o.c.customer_id, o.c.currency, func.sum(o.c.open_minor), func.count(func.distinct(o.c.invoice_id)))
            .group_by(o.c.customer_id, o.c.currency)
        ):
            balances.setdefault(int(cid), {})[str(cur)] = int(amount or 0)
            counts[int(cid)] = counts.get(int(cid), 0) + int(n)
    page = [CustomerListRow(r.code, r.legal_name, r.country, r.segment, r.collector, counts.get(r.id, 0),
                            dict(sorted(balances.get(r.id, {}).items()))) for r in rows]
    return page, int(total)


def latest_risk(session: Session, tenant: int, code: str, as_of: dt.date) -> RiskRow | None:
    """The customer's latest stored risk score on or before `as_of` (the risk feature writes them)."""
    import json

    from cobro.risk.records import RiskScoreRow  # optional feature: callers check it is installed

    row = session.scalar(
        select(RiskScoreRow).join(CustomerRow, CustomerRow.id == RiskScoreRow.customer_id)
        .where(RiskScoreRow.tenant_id == tenant, CustomerRow.code == code, RiskScoreRow.as_of <= as_of)
        .order_by(RiskScoreRow.as_of.desc()).limit(1))
    if row is None:
        return None
    reasons = json.loads(row.reasons_json or "[]")
    return RiskRow(row.as_of, row.score, row.grade, row.days_beyond_terms, row.broken_promises,
                   [str(r) for r in reasons] if isinstance(reasons, list) else [])


class WorkspaceRepository(Protocol):
    """What the dashboard's services read (``uow.repo(WORKSPACE)``), scoped to the unit of work's tenant."""

    def top_debtors(self, currency: str, as_of: dt.date, limit: int = 10) -> list[DebtorRow]: ...

    def customer_page(self, *, search: str = "", limit: int = 25,
                      offset: int = 0) -> tuple[list[CustomerListRow], int]: ...

    def latest_risk(self, code: str, as_of: dt.date) -> RiskRow | None: ...


class SqlWorkspaceRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def top_debtors(self, currency: str, as_of: dt.date, limit: int = 10) -> list[DebtorRow]:
        return top_debtors(self.session, self.tenant, currency, as_of, limit)

    def customer_page(self, *, search: str = "", limit: int = 25,
                      offset: int = 0) -> tuple[list[CustomerListRow], int]:
        return customer_page(self.session, self.tenant, search=search, limit=limit, offset=offset)

    def latest_risk(self, code: str, as_of: dt.date) -> RiskRow | None:
        return latest_risk(self.session, self.tenant, code, as_of)


WORKSPACE: RepositoryKey[WorkspaceRepository] = RepositoryKey("workspace", SqlWorkspaceRepository)
