"""`emit_many` on SQLite and PostgreSQL: the events are not even read when no active subscription wants the type;
otherwise every event gets one delivery per wanting subscription, in the order given, across bulk chunks; a
rolled-back transaction leaves nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from cobro.platform.container import Container
from cobro.webhooks import repository, service
from cobro.webhooks.records import WebhookDeliveryRow, WebhookEventRow


def _never() -> Iterator[tuple[str, dict[str, Any]]]:
    raise AssertionError("events were read although nobody listens")
    yield  # pragma: no cover - makes this a generator


def _counts(container: Container) -> tuple[int, int]:
    with container.uow() as uow:
        return (int(uow.session.scalar(select(func.count()).select_from(WebhookEventRow)) or 0),
                int(uow.session.scalar(select(func.count()).select_from(WebhookDeliveryRow)) or 0))


def test_nobody_listening_reads_and_writes_nothing(container: Container) -> None:
    with container.uow() as uow:
        service.subscribe(uow, url="https://a.example/h", events=["dispute.opened"])
        assert service.emit_many(uow, "action.planned", events=_never()) == 0
        uow.commit()
    assert _counts(container) == (0, 0)
    with pytest.raises(ValueError, match="unknown webhook event type"), container.uow() as uow:
        service.emit_many(uow, "action.invented", events=[])


@pytest.mark.parametrize("copy_from", [1, 1000], ids=["copy", "insert"])  # PostgreSQL COPYs chunks >= copy_from
def test_bulk_events_in_order_for_each_wanting_subscription(container: Container, monkeypatch: pytest.MonkeyPatch,
                                                            copy_from: int) -> None:
    monkeypatch.setattr(repository, "_EMIT_CHUNK", 3)  # 7 events: three chunks
    monkeypatch.setattr(repository, "_COPY_FROM", copy_from)
    with container.uow() as uow:
        a = service.subscribe(uow, url="https://a.example/h", events=["action.planned"]).subscription.id
        b = service.subscribe(uow, url="https://b.example/h", events=["*"]).subscription.id
        service.subscribe(uow, url="https://c.example/h", events=["promise.kept"])
        uow.commit()
    with container.uow() as uow:
        service.emit_many(uow, "action.planned", events=[(f"action:{i}", {"id": i}) for i in range(7)])
        uow.rollback()
    assert _counts(container) == (0, 0)
    with container.uow() as uow:
        queued = service.emit_many(uow, "action.planned", events=((f"action:{i}", {"id": i}) for i in range(7)))
        uow.commit()
    assert queued == 14
    with container.uow() as uow:
        events = uow.session.execute(select(WebhookEventRow.id, WebhookEventRow.entity, WebhookEventRow.payload_json)
                                     .order_by(WebhookEventRow.id)).all()
        deliveries = uow.session.execute(select(WebhookDeliveryRow.event_id, WebhookDeliveryRow.subscription_id,
                                                WebhookDeliveryRow.entity, WebhookDeliveryRow.status)).all()
    assert [e for _, e, _ in events] == [f"action:{i}" for i in range(7)]
    assert [json.loads(p)["id"] for _, _, p in events] == list(range(7))
    by_event = {i: e for i, e, _ in events}
    assert sorted((by_event[ev], sub) for ev, sub, _, _ in deliveries) == sorted(
        (f"action:{i}", s) for i in range(7) for s in (a, b))
    assert all(entity == by_event[ev] and status == "pending" for ev, _, entity, status in deliveries)
