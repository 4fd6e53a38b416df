"""Queries behind SEPA direct-debit export: mandates, due EUR instalments, payment-plan instalments."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.cashapp.records import SepaMandateRow
from cobro.collections.records import PaymentPlanRow, PlanInstalmentRow
from cobro.ledger.records import CustomerRow, InstalmentRow, InvoiceRow
from cobro.ledger.repository import open_items as ledger_open


def mandate(session: Session, tenant: int, mandate_id: str) -> SepaMandateRow | None:
    return session.scalar(select(SepaMandateRow).where(SepaMandateRow.tenant_id == tenant,
                                                       SepaMandateRow.mandate_id == mandate_id))


def mandates_signed_by(session: Session, tenant: int, day: dt.date) -> list[SepaMandateRow]:
    return list(session.scalars(select(SepaMandateRow).where(
        SepaMandateRow.tenant_id == tenant, SepaMandateRow.signed_date <= day)))


def due_eur_instalments(session: Session, tenant: int, due_by: dt.date) -> list[tuple[CustomerRow, str, int, int]]:
    """(customer, invoice number, instalment seq, open minor) of undisputed EUR invoice instalments open now (the
    ledger's rule: cancelled and written-off invoices are not collected) and due by then."""
    o = ledger_open.open_instalments(tenant, None)
    stmt = (select(CustomerRow, o.c.number, o.c.seq, o.c.open_minor)
            .select_from(o).join(CustomerRow, CustomerRow.id == o.c.customer_id)
            .where(o.c.due_date <= due_by, o.c.currency == "EUR", o.c.disputed.is_(False))
            .order_by(CustomerRow.code, o.c.due_date, o.c.number))
    return [(c, str(n), int(seq), int(o)) for c, n, seq, o in session.execute(stmt)]


def plan(session: Session, plan_id: int) -> PaymentPlanRow | None:
    return session.get(PaymentPlanRow, plan_id)


def customer(session: Session, customer_id: int) -> CustomerRow | None:
    return session.get(CustomerRow, customer_id)


def invoice_numbers_of_instalments(session: Session, instalment_ids: list[int]) -> list[str]:
    """Invoice numbers of the given instalments, each once, in the order the database returns them."""
    return list(dict.fromkeys(session.scalars(select(InvoiceRow.number).join(
        InstalmentRow, InstalmentRow.invoice_id == InvoiceRow.id).where(InstalmentRow.id.in_(instalment_ids)))))


def plan_instalments(session: Session, plan_id: int) -> list[PlanInstalmentRow]:
    return list(session.scalars(select(PlanInstalmentRow).where(PlanInstalmentRow.plan_id == plan_id)
                                .order_by(PlanInstalmentRow.seq)))
