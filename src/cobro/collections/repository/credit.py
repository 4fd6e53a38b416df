"""Queries behind the credit check: customers' limits, open exposure per currency on a date, limit exceptions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from cobro.collections.domain.credit import LimitException
from cobro.collections.records import PolicyExceptionRow
from cobro.ledger.records import CustomerRow
from cobro.ledger.repository import open_items

Exposure = dict[int, dict[str, int]]  # customer id → currency → minor units


def customers(session: Session, tenant: int, code: str = "") -> list[CustomerRow]:
    stmt = select(CustomerRow).where(CustomerRow.tenant_id == tenant)
    if code:
        stmt = stmt.where(CustomerRow.code == code)
    return list(session.scalars(stmt.order_by(CustomerRow.code)))


def open_invoices(session: Session, tenant: int, as_of: dt.date, customer_id: int | None = None) -> Exposure:
    """Open amount at `as_of` per customer and currency (the ledger's open-as-of rule, `open_items`)."""
    o = open_items.open_instalments(tenant, as_of, customer_ids=None if customer_id is None else [customer_id])
    stmt = select(o.c.customer_id, o.c.currency, func.sum(o.c.open_minor)).group_by(o.c.customer_id, o.c.currency)
    out: Exposure = defaultdict(dict)
    for cid, cur, total in session.execute(stmt):
        out[int(cid)][str(cur)] = int(total or 0)
    return out


def credits(session: Session, tenant: int, as_of: dt.date, customer_id: int | None = None) -> Exposure:
    """Credit the customer has with us: open credit notes issued and unapplied cash received by `as_of`.

    Both at their current open amounts (the ledger does not date how credit notes and unapplied cash were used).
    """
    out: Exposure = defaultdict(lambda: defaultdict(int))
    params = {"t": tenant, "as_of": as_of, "c": customer_id}
    mine = " AND {}.customer_id = :c" if customer_id is not None else ""
    for sql in ("SELECT i.customer_id, i.currency, SUM(i.open_minor) " + open_items.credit_notes_from_sql()
                + mine.format("i") + " GROUP BY i.customer_id, i.currency",
                "SELECT q.customer_id, q.currency, SUM(q.unapplied_minor) " + open_items.unapplied_cash_from_sql()
                + mine.format("q") + " GROUP BY q.customer_id, q.currency"):
        for cid, cur, total in session.execute(text(sql), params):
            out[int(cid)][str(cur)] += int(total or 0)
    return {cid: dict(by) for cid, by in out.items()}


def limit_exceptions(session: Session, tenant: int, customer_id: int | None = None) -> dict[int, list[LimitException]]:
    """Every `higher_limit` exception, whatever its status (the domain decides which is in force)."""
    stmt = select(PolicyExceptionRow).where(PolicyExceptionRow.tenant_id == tenant,
                                            PolicyExceptionRow.kind == "higher_limit")
    if customer_id is not None:
        stmt = stmt.where(PolicyExceptionRow.customer_id == customer_id)
    out: dict[int, list[LimitException]] = defaultdict(list)
    for r in session.scalars(stmt.order_by(PolicyExceptionRow.id)):
        out[r.customer_id].append(LimitException(int(r.id), r.value, r.status, r.expires_on, r.requested_by,
                                                 r.approved_by or ""))
    return out
