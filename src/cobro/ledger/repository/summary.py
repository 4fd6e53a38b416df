"""Ledger queries: open items, payments with allocations, summaries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.orm import Session

from cobro.kernel.money import Money
from cobro.ledger.domain.payments import Allocation, OpenItem
from cobro.ledger.domain.status import status_for
from cobro.ledger.records import AllocationRow, CustomerRow, InstalmentRow, InvoiceRow, PaymentRow
from cobro.ledger.repository import open_items


def open_items_by_customer(session: Session, tenant: int, customer_ids: set[int]) -> dict[int, list[tuple[int, OpenItem]]]:
    """Instalments of the given customers open now: customer id → [(instalment id, OpenItem)]."""
    result: dict[int, list[tuple[int, OpenItem]]] = defaultdict(list)
    ids = sorted(customer_ids)
    for start in range(0, len(ids), 2000):
        o = open_items.open_instalments(tenant, None, customer_ids=ids[start:start + 2000])
        stmt = select(o.c.instalment_id, o.c.customer_id, o.c.number, o.c.seq, o.c.due_date, o.c.open_minor,
                      o.c.currency)
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
    current = session.scalar(select(InvoiceRow.status).where(InvoiceRow.id == invoice_id)) or ""
    session.execute(update(InvoiceRow).where(InvoiceRow.id == invoice_id).values(
        open_minor=open_minor, status=status_for(int(open_minor), current)))


def summary(session: Session, tenant: int, as_of: dt.date | None) -> dict[str, object]:
    """Counts, open amounts and the credit kept apart, now or as of `as_of` (`open_items`' rule).

    `open_invoices` counts invoices with an instalment open; `open_amount` is gross of credit notes and
    unapplied cash, which `unapplied_credit` totals (issued and received by `as_of`)."""
    customers = session.scalar(select(func.count()).select_from(CustomerRow).where(CustomerRow.tenant_id == tenant))
    invoice_filter = [InvoiceRow.tenant_id == tenant, InvoiceRow.kind == "invoice"]
    if as_of is not None:
        invoice_filter.append(InvoiceRow.issue_date <= as_of)
    invoices = session.scalar(select(func.count()).select_from(InvoiceRow).where(*invoice_filter))
    open_amount: dict[str, int] = defaultdict(int)
    open_count = 0
    o = open_items.open_instalments(tenant, as_of)
    for cur, n, total in session.execute(select(o.c.currency, func.count(func.distinct(o.c.invoice_id)),
                                                func.sum(o.c.open_minor)).group_by(o.c.currency)):
        open_amount[str(cur)] += int(total or 0)
        open_count += int(n)
    credits: dict[str, int] = defaultdict(int)
    for by_customer in credit_totals(session, tenant, as_of).values():
        for cur, minor in by_customer.items():
            credits[cur] += minor
    return {
        "customers": int(customers or 0),
        "invoices": int(invoices or 0),
        "open_invoices": open_count,
        "open_amount": {c: Money.from_minor(v, c).format_plain() for c, v in sorted(open_amount.items())},
        "unapplied_credit": {c: Money.from_minor(v, c).format_plain() for c, v in sorted(credits.items())},
    }


def credit_totals(session: Session, tenant: int, as_of: dt.date | None, *, customer_id: int | None = None,
                  split: bool = False) -> dict[int, dict[str, int]]:
    """Credit kept apart per customer and currency (positive minor units): open credit notes issued and unapplied
    cash received by `as_of` (None: all).  With `split`, credit notes under key 0 and cash under key 1 instead."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    params: dict[str, object] = {"t": tenant, "as_of": as_of, "c": customer_id}
    day = ":as_of" if as_of is not None else None
    mine = " AND {}.customer_id = :c" if customer_id is not None else ""
    for key, sql in ((0, "SELECT i.customer_id, i.currency, SUM(i.open_minor) "
                          + open_items.credit_notes_from_sql(as_of=day) + mine.format("i")
                          + " GROUP BY i.customer_id, i.currency"),
                     (1, "SELECT q.customer_id, q.currency, SUM(q.unapplied_minor) "
                          + open_items.unapplied_cash_from_sql(as_of=day) + mine.format("q")
                          + " GROUP BY q.customer_id, q.currency")):
        for cid, cur, total in session.execute(text(sql), params):
            out[key if split else int(cid)][str(cur)] += int(total or 0)
    return {k: dict(v) for k, v in out.items()}


def customer_open_items(session: Session, customer_id: int) -> list[tuple[InvoiceRow, InstalmentRow]]:
    """One customer's items open now, by due date: its open invoice instalments and the instalments of its open
    credit notes (whose open amount is the credit note's)."""
    tenant = session.scalar(select(CustomerRow.tenant_id).where(CustomerRow.id == customer_id))
    o = open_items.open_instalments(int(tenant or 0), None, customer_ids=[customer_id])
    notes = text("SELECT i.id " + open_items.credit_notes_from_sql(as_of=None) + " AND i.customer_id = :c")
    note_ids = [int(i) for i in session.scalars(notes, {"t": tenant, "c": customer_id})]
    stmt = (select(InvoiceRow, InstalmentRow).join(InstalmentRow, InstalmentRow.invoice_id == InvoiceRow.id)
            .where(or_(InstalmentRow.id.in_(select(o.c.instalment_id)), InvoiceRow.id.in_(note_ids)))
            .order_by(InstalmentRow.due_date, InvoiceRow.number, InstalmentRow.seq))
    return [(inv, inst) for inv, inst in session.execute(stmt)]


def customer_items(session: Session, tenant: int, customer_id: int,
                   as_of: dt.date) -> list[tuple[InvoiceRow, int, dt.date, int]]:
    """One customer's items as of `as_of`, by due date: (invoice, instalment seq, due date, open minor units).

    Invoice instalments open at `as_of`, and open credit notes issued by then (one row each, at the credit
    note's own due date and open amount: credit is kept apart, never netted into an instalment)."""
    o = open_items.open_instalments(tenant, as_of, customer_ids=[customer_id])
    rows = [(inv, int(seq), due, int(minor)) for inv, seq, due, minor in session.execute(
        select(InvoiceRow, o.c.seq, o.c.due_date, o.c.open_minor).join(o, o.c.invoice_id == InvoiceRow.id))]
    notes = text("SELECT i.id " + open_items.credit_notes_from_sql() + " AND i.customer_id = :c")
    ids = [int(i) for i in session.scalars(notes, {"t": tenant, "as_of": as_of, "c": customer_id})]
    if ids:
        rows += [(inv, 1, inv.due_date, inv.open_minor)
                 for inv in session.scalars(select(InvoiceRow).where(InvoiceRow.id.in_(ids)))]
    return sorted(rows, key=lambda r: (r[2], r[0].number, r[1]))


def customer_unapplied(session: Session, tenant: int, customer_id: int, as_of: dt.date) -> dict[str, int]:
    """Unapplied cash of one customer received by `as_of` (what is still unapplied today)."""
    sql = text("SELECT q.currency, SUM(q.unapplied_minor) " + open_items.unapplied_cash_from_sql()
               + " AND q.customer_id = :c GROUP BY q.currency")
    return {str(cur): int(total or 0)
            for cur, total in session.execute(sql, {"t": tenant, "as_of": as_of, "c": customer_id})}


def customer_payments(session: Session, customer_id: int, as_of: dt.date | None = None,
                      limit: int = 20) -> list[PaymentRow]:
    """The customer's latest payments (received by `as_of`), newest first."""
    stmt = select(PaymentRow).where(PaymentRow.customer_id == customer_id)
    if as_of is not None:
        stmt = stmt.where(PaymentRow.date <= as_of)
    return list(session.scalars(stmt.order_by(PaymentRow.date.desc(), PaymentRow.id.desc()).limit(limit)))
