"""Read-only queries for the dashboard and the JSON API: ranked debtors and a paged customer list.

Open amounts follow the ledger's one rule (`cobro.ledger.repository.open_items`): the top debtors as of the
overview's date, the customer list as the ledger stands now.  Everything is filtered by tenant.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from cobro.ledger.records import CustomerRow
from cobro.ledger.repository import open_items as ledger_open
from cobro.platform.db.like import ESCAPE, contains
from cobro.platform.uow import RepositoryKey
from cobro.workspace.schemas import CustomerFacts, CustomerListRow, DebtorRow, RiskRow

# timeline kinds that were a contact with the customer: calls and meetings, promises, messages sent
_CONTACT_KINDS = ("task.%", "promise.%", "email%", "sms%", "whatsapp%", "letter%")


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


def customer_facts(session: Session, tenant: int, codes: list[str], as_of: dt.date) -> dict[str, CustomerFacts]:
    """Per customer code: name, overdue per currency and oldest days late at `as_of`, the last contact on or
    before it, the latest risk grade then.  Four set-based queries whatever the number of customers."""
    from cobro.collections.records import TimelineEventRow  # optional feature: callers check it is installed

    if not codes:
        return {}
    people = {r.id: r for r in session.scalars(select(CustomerRow).where(CustomerRow.tenant_id == tenant,
                                                                          CustomerRow.code.in_(codes)))}
    overdue: dict[int, dict[str, int]] = {}
    oldest: dict[int, dt.date] = {}
    o = ledger_open.open_instalments(tenant, as_of, customer_ids=list(people))
    for cid, cur, minor, first in session.execute(
            select(o.c.customer_id, o.c.currency, func.sum(o.c.open_minor), func.min(o.c.due_date))
            .where(o.c.due_date < as_of).group_by(o.c.customer_id, o.c.currency)):
        overdue.setdefault(int(cid), {})[str(cur)] = int(minor or 0)
        day = first if isinstance(first, dt.date) else dt.date.fromisoformat(str(first))
        oldest[int(cid)] = min(day, oldest.get(int(cid), day))
    contact_kind = or_(*(TimelineEventRow.kind.like(pattern) for pattern in _CONTACT_KINDS))
    last: dict[int, object] = dict(session.execute(
        select(TimelineEventRow.customer_id, func.max(TimelineEventRow.day))
        .where(TimelineEventRow.tenant_id == tenant, TimelineEventRow.customer_id.in_(list(people)),
               TimelineEventRow.day <= as_of, contact_kind)
        .group_by(TimelineEventRow.customer_id)).all())
    grades = _grades(session, tenant, list(people), as_of)
    out = {}
    for cid, row in people.items():
        seen = last.get(cid)
        out[row.code] = CustomerFacts(
            row.code, row.legal_name, row.collector, dict(sorted(overdue.get(cid, {}).items())),
            (as_of - oldest[cid]).days if cid in oldest else 0,
            seen if seen is None or isinstance(seen, dt.date) else dt.date.fromisoformat(str(seen)),
            grades.get(cid, ""))
    return out


def _grades(session: Session, tenant: int, ids: list[int], as_of: dt.date) -> dict[int, str]:
    try:
        from cobro.risk.records import RiskScoreRow
    except ImportError:  # the risk feature is optional
        return {}
    latest = (select(RiskScoreRow.customer_id, func.max(RiskScoreRow.as_of).label("day"))
              .where(RiskScoreRow.tenant_id == tenant, RiskScoreRow.customer_id.in_(ids), RiskScoreRow.as_of <= as_of)
              .group_by(RiskScoreRow.customer_id).subquery())
    rows = session.execute(select(RiskScoreRow.customer_id, RiskScoreRow.grade).join(
        latest, (latest.c.customer_id == RiskScoreRow.customer_id) & (latest.c.day == RiskScoreRow.as_of))
        .where(RiskScoreRow.tenant_id == tenant))
    return {int(cid): str(grade) for cid, grade in rows}


class WorkspaceRepository(Protocol):
    """What the dashboard's services read (``uow.repo(WORKSPACE)``), scoped to the unit of work's tenant."""

    def top_debtors(self, currency: str, as_of: dt.date, limit: int = 10) -> list[DebtorRow]: ...

    def customer_page(self, *, search: str = "", limit: int = 25,
                      offset: int = 0) -> tuple[list[CustomerListRow], int]: ...

    def latest_risk(self, code: str, as_of: dt.date) -> RiskRow | None: ...

    def customer_facts(self, codes: list[str], as_of: dt.date) -> dict[str, CustomerFacts]: ...


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

    def customer_facts(self, codes: list[str], as_of: dt.date) -> dict[str, CustomerFacts]:
        return customer_facts(self.session, self.tenant, codes, as_of)


WORKSPACE: RepositoryKey[WorkspaceRepository] = RepositoryKey("workspace", SqlWorkspaceRepository)
