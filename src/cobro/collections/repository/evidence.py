"""Queries behind the evidence pack: promises broken, disputes, flags (the demands made are
`repository.agency.demands`, shared with the agency export)."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.collections.records import (
    CustomerFlagRow,
    DisputeRow,
    PromiseRow,
)
from cobro.ledger.records import InvoiceRow


def credit_stopped(session: Session, customer_id: int) -> bool:
    return session.scalar(select(CustomerFlagRow.id).where(
        CustomerFlagRow.customer_id == customer_id, CustomerFlagRow.flag == "credit_stop",
        CustomerFlagRow.active.is_(True))) is not None


def broken_promises(session: Session, customer_id: int) -> list[PromiseRow]:
    return list(session.scalars(select(PromiseRow).where(PromiseRow.customer_id == customer_id,
                                                         PromiseRow.status == "broken").order_by(PromiseRow.due_on)))


def disputes(session: Session, customer_id: int) -> list[tuple[DisputeRow, list[str]]]:
    """The customer's disputes with the numbers of the invoices each one names."""
    rows = list(session.scalars(select(DisputeRow).where(DisputeRow.customer_id == customer_id)
                                .order_by(DisputeRow.opened_on)))
    ids_of = {d.id: [int(i) for i in json.loads(d.invoice_ids_json)] for d in rows}
    wanted = {i for ids in ids_of.values() for i in ids}
    numbers = {int(i): str(n) for i, n in session.execute(
        select(InvoiceRow.id, InvoiceRow.number).where(InvoiceRow.id.in_(wanted)))} if wanted else {}
    return [(d, [numbers.get(i, str(i)) for i in ids_of[d.id]]) for d in rows]
