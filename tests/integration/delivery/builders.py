"""Outbox rows as the collections cycle writes them (through its ORM class), for delivery tests."""

from __future__ import annotations

import copy
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cobro.collections.records import OutboxMessageRow
from cobro.ledger.records import CustomerRow, TenantRow

CONTEXT: dict[str, Any] = {
    "customer": {"code": "C001", "legal_name": "Ferretería Martínez S.L.", "tax_id": "B12345678"},
    "items": [{"invoice": "F-1", "seq": 1, "issue_date": "2026-01-10", "due_date": "2026-02-09",
               "days_past_due": 12, "open": "1234.56", "currency": "EUR"}],
    "total": {"amount": "1234.56", "currency": "EUR"},
    "step": "reminder_1", "channel": "email", "tone": "friendly", "state_interest": False,
    "state_compensation": False, "as_of": "2026-02-21",
    "creditor": {"name": "Suministros Cobro S.A.", "email": "cobros@example.com"},
}


def add_messages(sessions: sessionmaker[Session], n: int, *, channel: str = "email", template: str = "reminder_1",
                 recipient: str = "ap{i}@customer.example", customer: bool = True,
                 context: dict[str, Any] | None = None) -> list[int]:
    with sessions() as session, session.begin():
        tenant_id = session.scalar(select(TenantRow.id).where(TenantRow.code == "default"))
        assert tenant_id is not None
        if customer and session.scalar(select(CustomerRow.id).where(CustomerRow.code == "C001")) is None:
            session.add(CustomerRow(tenant_id=tenant_id, code="C001", legal_name="Ferretería Martínez S.L."))
        start = session.query(OutboxMessageRow).count()
        rows = []
        for k in range(start, start + n):
            ctx = copy.deepcopy(context or CONTEXT)
            rows.append(OutboxMessageRow(
                tenant_id=tenant_id, channel=channel, recipient=recipient.format(i=k), recipient_name=f"Contact {k}",
                language="es" if k % 2 == 0 else "en", template=template, tone="friendly",
                context_json=json.dumps(ctx), idempotency_key=f"C001:EUR:{template}:{k}"))
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


def statuses(sessions: sessionmaker[Session]) -> dict[int, tuple[str, int, str]]:
    with sessions() as session:
        return {r.id: (r.status, r.attempts, r.last_error) for r in session.scalars(select(OutboxMessageRow))}
