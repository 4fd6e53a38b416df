"""Ledger queries: open items, payments with allocations, summaries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from cobro.kernel.money import Money
from cobro.ledger.domain.payments import Allocation, OpenItem
from cobro.ledger.records import AllocationRow, CustomerRow, InstalmentRow, InvoiceRow, PaymentRow


def open_items_by_customer(session: Session, tenant: int, customer_ids: set[int]) -> dict[int, list[tuple[int, OpenItem]]]:
    """Open instalments of the given customers: customer id → [(instalment id, OpenItem)]."""
    result: dict[int, list[tuple[int, OpenItem]]] = defaultdict(list)
    ids = sorted(customer_ids)
    for start in range(0, len(ids), 2000):
        stmt = (
            select(InstalmentRow.id, InstalmentRow.customer_id, InvoiceRow.number, InstalmentRow.seq,
                   InstalmentRow.due_date, InstalmentRow.open_minor, InstalmentRow.currency)
            .join(InvoiceRow, InvoiceRow.id == InstalmentRow.invoice_id)
            .where(InstalmentRow.tenant_id == tenant, InstalmentRow.customer_id.in_(ids[start:start + 2000]),
                   InstalmentRow.open_minor > 0, InvoiceRow.kind == "invoice")
        )
        for iid, cid, number, seq, due, open_minor, cur in session.execute(stmt):
            result[int(cid)].append((int(iid), OpenItem(number, int(seq), due, Money.from_minor(int(open_minor), cur))))
    return result


def existing_payment_refs(session: Session, tenant: int, refs: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(refs), 5000):
        found.update(session.scalars(select(PaymentRow.reference).where(
            PaymentRow.tenant_id == tenant, PaymentRow.reference.in_(refs[start:start + 5000]))))
    return found


def record_payment(session: Session, tenant: int, *, customer_id: int, reference: str, date: dt.date,
                   amount: Money, allocations: list[tuple[int, Allocation]], unapplied: Money, method: str,
                   source: str) -> int:
    """Insert a payment and its allocations; move paid/open on instalments and invoices."""
    payment = PaymentRow(tenant_id=tenant, customer_id=customer_id, reference=reference, date=date,
                         currency=amount.currency, amount_minor=amount.to_minor(),
                         unapplied_minor=unapplied.to_minor(), method=method, source=source[:200], note="")
    session.add(payment)
    session.flush()
    touched: set[int] = set()
    for instalment_id, alloc in allocations:
        minor = alloc.amount.to_minor()
        inst = session.get(InstalmentRow, instalment_id)
        assert inst is not None
        session.add(AllocationRow(tenant_id=tenant, payment_id=payment.id, instalment_id=instalment_id,
                                  invoice_id=inst.invoice_id, amount_minor=minor, date=date))
        inst.paid_minor += minor
        inst.open_minor -= minor
        touched.add(inst.invoice_id)
    session.flush()
    for invoice_id in touched:
        refresh_invoice(session, invoice_id)
    return int(payment.id)


def refresh_invoice(session: Session, invoice_id: int) -> None:
    open_minor = session.scalar(select(func.coalesce(func.sum(InstalmentRow.open_minor), 0))
                                .where(InstalmentRow.invoice_id == invoice_id)) or 0
    session.execute(update(InvoiceRow).where(InvoiceRow.id == invoice_id).values(
        open_minor=open_minor, status="open" if open_minor > 0 else "paid"))


def summary(session: Session, tenant: int, as_of: dt.date | None) -> dict[str, object]:
    """Counts and open amounts.  With `as_of`, an invoice is open if issued by then and not fully paid by then."""
    customers = session.scalar(select(func.count()).select_from(CustomerRow).where(CustomerRow.tenant_id == tenant))
    invoice_filter = [InvoiceRow.tenant_id == tenant, InvoiceRow.kind == "invoice"]
    if as_of is not None:
        invoice_filter.append(InvoiceRow.issue_date <= as_of)
    invoices = session.scalar(select(func.count()).select_from(InvoiceRow).where(*invoice_filter))
    open_amount: dict[str, int] = defaultdict(int)
    open_count = 0
    if as_of is None:
        stmt = (select(InvoiceRow.currency, func.count(), func.sum(InvoiceRow.open_minor))
                .where(*invoice_filter, InvoiceRow.open_minor > 0).group_by(InvoiceRow.currency))
        for cur, n, total in session.execute(stmt):
            open_amount[str(cur)] += int(total or 0)
            open_count += int(n)
    else:
        paid_by = (select(AllocationRow.invoice_id.label("iid"), func.sum(AllocationRow.amount_minor).label("paid"))
                   .where(AllocationRow.tenant_id == tenant, AllocationRow.date <= as_of)
                   .group_by(AllocationRow.invoice_id).subquery())
        open_expr = InvoiceRow.amount_minor - func.coalesce(paid_by.c.paid, 0)
        stmt = (select(InvoiceRow.currency, func.count(), func.sum(open_expr))
                .select_from(InvoiceRow).outerjoin(paid_by, paid_by.c.iid == InvoiceRow.id)
                .where(*invoice_filter, open_expr > 0).group_by(InvoiceRow.currency))
        for cur, n, total in session.execute(stmt):
            open_amount[str(cur)] += int(total or 0)
            open_count += int(n)
    credits: dict[str, int] = defaultdict(int)
    for cur, total in session.execute(
        select(InvoiceRow.currency, func.sum(InvoiceRow.open_minor))
        .where(InvoiceRow.tenant_id == tenant, InvoiceRow.kind == "credit_note", InvoiceRow.open_minor > 0)
        .group_by(InvoiceRow.currency)
    ):
        credits[str(cur)] += int(total or 0)
    for cur, total in session.execute(
        select(PaymentRow.currency, func.sum(PaymentRow.unapplied_minor))
        .where(PaymentRow.tenant_id == tenant, PaymentRow.unapplied_minor > 0).group_by(PaymentRow.currency)
    ):
        credits[str(cur)] += int(total or 0)
    return {
        "customers": int(customers or 0),
        "invoices": int(invoices or 0),
        "open_invoices": open_count,
        "open_amount": {c: Money.from_minor(v, c).format_plain() for c, v in sorted(open_amount.items())},
        "unapplied_credit": {c: Money.from_minor(v, c).format_plain() for c, v in sorted(credits.items())},
    }


def customer_open_items(session: Session, customer_id: int) -> list[tuple[InvoiceRow, InstalmentRow]]:
    stmt = (select(InvoiceRow, InstalmentRow).join(InstalmentRow, InstalmentRow.invoice_id == InvoiceRow.id)
            .where(InvoiceRow.customer_id == customer_id,
                   or_(InstalmentRow.open_minor > 0, and_(InvoiceRow.kind == "credit_note", InvoiceRow.open_minor > 0)))
            .order_by(InstalmentRow.due_date, InvoiceRow.number, InstalmentRow.seq))
    return [(inv, inst) for inv, inst in session.execute(stmt)]


def customer_unapplied(session: Session, customer_id: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for cur, total in session.execute(
        select(PaymentRow.currency, func.sum(PaymentRow.unapplied_minor))
        .where(PaymentRow.customer_id == customer_id, PaymentRow.unapplied_minor > 0).group_by(PaymentRow.currency)
    ):
        out[str(cur)] = int(total or 0)
    return out


def customer_payments(session: Session, customer_id: int, limit: int = 20) -> list[PaymentRow]:
    return list(session.scalars(select(PaymentRow).where(PaymentRow.customer_id == customer_id)
                                .order_by(PaymentRow.date.desc()).limit(limit)))
