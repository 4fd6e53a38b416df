"""message.sent and message.bounced are queued with the outbox row's status change, on SQLite and PostgreSQL:
a sent message and a hard bounce each queue their event for a subscriber; a send interrupted before its outcome
commits queues nothing; without a subscription nothing is written."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from cobro.delivery.service.deliver import Deliverer, make_deliverer
from cobro.platform.container import Container
from cobro.platform.settings import Settings
from cobro.webhooks import service as webhooks
from cobro.webhooks.records import WebhookDeliveryRow, WebhookEventRow
from tests.integration.delivery.builders import add_messages
from tests.integration.delivery.servers import start_smtp
from tests.integration.delivery.test_deliver import MovableClock

T0 = dt.datetime(2026, 2, 21, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def smtp() -> Iterator[tuple[int, object]]:
    controller, sink = start_smtp()
    yield controller.port, sink
    controller.stop()


def _deliverer(container: Container, port: int, **kw: object) -> Deliverer:
    settings = Settings(database_url=str(container.engine.url), smtp_url=f"smtp://127.0.0.1:{port}")
    return make_deliverer(settings=settings, sessions=container.sessions, clock=MovableClock(T0), **kw)  # type: ignore[arg-type]


def _subscribe(container: Container, events: list[str]) -> None:
    with container.uow() as uow:
        webhooks.subscribe(uow, url="https://crm.example/hooks", events=events)
        uow.commit()


def _deliveries(container: Container) -> int:
    with container.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(WebhookDeliveryRow)) or 0)


def _events(container: Container) -> list[tuple[str, str, dict[str, Any]]]:
    """The message.* events (a bounce also raises an alert, whose alert.raised event is not this test's)."""
    with container.sessions() as session:
        rows = session.execute(select(WebhookEventRow.type, WebhookEventRow.entity, WebhookEventRow.payload_json)
                               .where(WebhookEventRow.type.like("message.%")).order_by(WebhookEventRow.id)).all()
    return [(t, e, json.loads(p)) for t, e, p in rows]


def test_sent_and_bounced_messages_queue_their_events(container: Container, smtp: tuple[int, object]) -> None:
    port, sink = smtp
    sink.refuse.add("gone@customer.example")  # type: ignore[attr-defined]
    _subscribe(container, ["message.sent", "message.bounced"])
    [sent] = add_messages(container.sessions, 1)
    [bounced] = add_messages(container.sessions, 1, recipient="gone@customer.example")
    report = _deliverer(container, port).deliver()
    assert (report.sent, report.dead) == ([sent], [bounced])
    (t1, e1, p1), (t2, e2, p2) = _events(container)
    assert (t1, e1, p1["id"], p1["channel"]) == ("message.sent", f"message:{sent}", sent, "email")
    assert p1["message_id"] == sink.message_ids[0] and p1["at"] == T0.isoformat()  # type: ignore[attr-defined]
    assert (t2, e2, p2["recipient"]) == ("message.bounced", f"message:{bounced}", "gone@customer.example")
    assert p2["reason"] and _deliveries(container) == 2  # one each to the subscription


def test_nothing_without_a_subscription_or_before_the_outcome_commits(container: Container,
                                                                      smtp: tuple[int, object]) -> None:
    port, _sink = smtp
    add_messages(container.sessions, 1)
    _deliverer(container, port).deliver()
    assert _events(container) == []  # nobody subscribed: no event row either
    _subscribe(container, ["*"])
    add_messages(container.sessions, 1, recipient="other@customer.example")

    def crash(stage: str, _sends: int) -> None:
        if stage == "after_send":
            raise RuntimeError("worker killed between the send and its commit")

    with pytest.raises(RuntimeError):
        _deliverer(container, port, crash_hook=crash).deliver()
    assert _events(container) == [] and _deliveries(container) == 0  # the row is still "sending": no event yet
