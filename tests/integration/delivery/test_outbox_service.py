"""`cobro.delivery.service.outbox`, the one writer of outbox rows: bulk and single queuing, idempotency, the
typed listing, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from cobro.delivery.records import OutboxMessageRow
from cobro.delivery.schemas import OutboxMessage, OutboxStatus, read_context
from cobro.delivery.service import outbox
from cobro.platform.container import Container
from tests.integration.delivery.builders import CONTEXT


def _message(k: int, **kw: str) -> OutboxMessage:
    fields = {"recipient": f"ap{k}@customer.example", "recipient_name": f"Contact {k}", "tone": "neutral", **kw}
    return OutboxMessage(channel="email", template="reminder_1", idempotency_key=f"C001:EUR:reminder_1:{k}",
                         context=CONTEXT, **fields)


def test_bulk_and_single_queuing(container: Container) -> None:
    with container.uow() as uow:
        tenant = outbox.tenant_id(uow, "default")
        assert tenant is not None and outbox.tenant_id(uow, "nobody") is None
        outbox.enqueue(uow, tenant, [_message(1), _message(2, skip_reason="no contact with email")],
                       action_ids=[None, None])
        first = outbox.enqueue_one(uow, tenant, _message(3))
        again = outbox.enqueue_one(uow, tenant, _message(3, recipient_name="someone else"))
        uow.commit()
    assert first.created and not again.created and again.id == first.id
    assert (again.channel, again.recipient, again.status) == ("email", "ap3@customer.example", OutboxStatus.PENDING)

    with container.uow() as uow:
        rows = list(uow.session.scalars(select(OutboxMessageRow).order_by(OutboxMessageRow.id)))
        listing = outbox.list_messages(uow, tenant, limit=10)
        skipped = outbox.list_messages(uow, tenant, status="skipped")
    assert [(r.status, r.last_error, r.attempts, r.tone) for r in rows] == [
        ("pending", "", 0, "neutral"), ("skipped", "no contact with email", 0, "neutral"), ("pending", "", 0, "neutral")]
    assert all(read_context(r.context_json) == CONTEXT for r in rows)
    assert json.loads(rows[0].context_json)["total"] == {"amount": "1234.56", "currency": "EUR"}
    assert rows[2].recipient_name == "Contact 3"  # the second queuing of key 3 wrote nothing
    assert [m.id for m in listing.messages] == [r.id for r in rows]
    assert listing.counts == {"pending": 2, "skipped": 1}
    assert [m.status for m in skipped.messages] == [OutboxStatus.SKIPPED]

    with container.uow() as uow:
        assert outbox.retry(uow, tenant, rows[1].id)
        assert not outbox.retry(uow, tenant, rows[0].id)  # pending already
        assert outbox.opt_out(uow, tenant, "email", "AP1@customer.example", reason="asked")
        assert not outbox.opt_out(uow, tenant, "email", "ap1@customer.example")
        assert outbox.opt_out(uow, tenant, "email", "ap1@customer.example", remove=True)
        uow.commit()
        assert outbox.list_messages(uow, tenant).counts == {"pending": 3}


def test_bulk_queuing_checks_its_action_ids(container: Container) -> None:
    with container.uow() as uow, pytest.raises(ValueError, match="2 action ids for 1 messages"):
        outbox.enqueue(uow, 1, [_message(1)], action_ids=[None, None])
