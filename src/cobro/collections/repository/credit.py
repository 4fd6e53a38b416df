"""Queries behind the credit check: customers' limits, open exposure per currency on a date, limit exceptions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cobro.collections.domain.credit import LimitException
from cobro.collections.records import PolicyExceptionRow
from cobro.ledger.records import AllocationRow, CustomerRow, InvoiceRow, PaymentRow

Exposure = dict[int, dict[str, int]]  # customer id → currency → minor units


def customers(session: Session, tenant: int, code: str = "") -> list[CustomerRow]:
    stmt = select(CustomerRow).where(CustomerRow.tenant_id == tenant)
    if code:
        stmt = stmt.where(CustomerRow.code == code)
    return list(session.scalars(stmt.order_by(CustomerRow.code)))


def open_invoices(session: Session, tenant: int, as_of: dt.date, customer_id: int | None = None) -> Exposure:
    """Open amount of invoices issued by `as_of`, less what was allocated to them by `as_of`."""
    paid = (select(AllocationRow.invoice_id.label("iid"), func.sum(AllocationRow.amount_minor).label("paid"))
            .where(AllocationRow.tenant_id == tenant, AllocationRow.date <= as_of)
            .group_by(AllocationRow.invoice_id).subquery())
    open_expr = InvoiceRow.amount_minor - func.coalesce(paid.c.paid, 0)
    flt = [InvoiceRow.tenant_id == tenant, InvoiceRow.kind == "invoice", InvoiceRow.issue_date <= as_of,
           open_expr > 0]
    if customer_id is not None:
        flt.append(InvoiceRow.customer_id == customer_id)
    stmt = (select(InvoiceRow.customer_id, InvoiceRow.currency, func.sum(open_expr))
            .select_from(InvoiceRow).outerjoin(paid, paid.c.iid == InvoiceRow.id)
            .where(*flt).group_by(InvoiceRow.customer_id, InvoiceRow.currency))
    out: Exposure = defaultdict(dict)
    for cid, cur, total in session.execute(stmt):
        out[int(cid)][str(cur)] = int(total or 0)
    return out


def credits(session: Session, tenant: int, as_of: dt.date, customer_id: int | None = None) -> Exposure:
    """Credit the customer has with us: open credit notes issued and unapplied cash received by `as_of`.

    Both at their current open amounts (the ledger does not date how credit notes and unapplied cash were used).
    """
    out: Exposure = defaultdict(lambda: defaultdict(int))
    notes = [InvoiceRow.tenant_id == tenant, InvoiceRow.kind == "credit_note", InvoiceRow.issue_date <= as_of,
             InvoiceRow.open_minor > 0]
    cash = [PaymentRow.tenant_id == tenant, PaymentRow.date <= as_of, PaymentRow.unapplied_minor > 0]
    if customer_id is not None:
        notes.append(InvoiceRow.customer_id == customer_id)
        cash.append(PaymentRow.customer_id == customer_id)
    for cid, cur, total in session.execute(
            select(InvoiceRow.customer_id, InvoiceRow.currency, func.sum(InvoiceRow.open_minor)).where(*notes)
            .group_by(InvoiceRow.customer_id, InvoiceRow.currency)):
        out[int(cid)][str(cur)] += int(total or 0)
    for cid, cur, total in session.execute(
            select(PaymentRow.customer_id, PaymentRow.currency, func.sum(PaymentRow.unapplied_minor)).where(*cash)
            .group_by(PaymentRow.customer_id, PaymentRow.currency)):
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
