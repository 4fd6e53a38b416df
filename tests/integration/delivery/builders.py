"""Outbox rows for delivery tests, queued through the one writer (`cobro.delivery.service.outbox`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cobro.delivery.records import OutboxMessageRow
from cobro.delivery.schemas import CreditorPart, CustomerPart, MessageContext, MessageItem, OutboxMessage
from cobro.delivery.service.outbox import enqueue
from cobro.kernel.money import Money
from cobro.ledger.records import CustomerRow, TenantRow

CONTEXT = MessageContext(
    customer=CustomerPart(code="C001", legal_name="Ferretería Martínez S.L.", tax_id="B12345678"),
    creditor=CreditorPart(name="Suministros Cobro S.A.", email="cobros@example.com"),
    as_of=dt.date(2026, 2, 21),
    items=(MessageItem(invoice="F-1", seq=1, issue_date=dt.date(2026, 1, 10), due_date=dt.date(2026, 2, 9),
                       days_past_due=12, open=Decimal("1234.56"), currency="EUR"),),
    total=Money(Decimal("1234.56"), "EUR"),
    step="reminder_1", step_channel="email",
)


def _tenant(session: Session, customer: bool) -> int:
    tenant_id = session.scalar(select(TenantRow.id).where(TenantRow.code == "default"))
    assert tenant_id is not None
    if customer and session.scalar(select(CustomerRow.id).where(CustomerRow.code == "C001")) is None:
        session.add(CustomerRow(tenant_id=tenant_id, code="C001", legal_name="Ferretería Martínez S.L."))
    return tenant_id


def add_messages(sessions: sessionmaker[Session], n: int, *, channel: str = "email", template: str = "reminder_1",
                 recipient: str = "ap{i}@customer.example", customer: bool = True,
                 context: MessageContext = CONTEXT) -> list[int]:
    with sessions() as session, session.begin():
        tenant_id = _tenant(session, customer)
        start = session.scalar(select(func.count()).select_from(OutboxMessageRow)) or 0
        last = session.scalar(select(func.max(OutboxMessageRow.id))) or 0
        enqueue(session, tenant_id, [OutboxMessage(
            channel=channel, template=template, idempotency_key=f"C001:EUR:{template}:{k}", context=context,
            recipient=recipient.format(i=k), recipient_name=f"Contact {k}", language="es" if k % 2 == 0 else "en",
            tone="friendly") for k in range(start, start + n)])
        return list(session.scalars(select(OutboxMessageRow.id).where(OutboxMessageRow.id > last)
                                    .order_by(OutboxMessageRow.id)))


def add_raw_message(sessions: sessionmaker[Session], context_json: str) -> int:
    """A row no writer can produce (a corrupt or hand-edited context), written past the outbox service."""
    with sessions() as session, session.begin():
        tenant_id = _tenant(session, True)
        row = OutboxMessageRow(tenant_id=tenant_id, channel="email", recipient="raw@customer.example",
                               recipient_name="Raw", language="es", template="reminder_1", tone="friendly",
                               context_json=context_json, idempotency_key=f"raw:{context_json[:40]}")
        session.add(row)
        session.flush()
        return int(row.id)


def statuses(sessions: sessionmaker[Session]) -> dict[int, tuple[str, int, str]]:
    with sessions() as session:
        return {r.id: (r.status, r.attempts, r.last_error) for r in session.scalars(select(OutboxMessageRow))}
