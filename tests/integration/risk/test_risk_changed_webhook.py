"""risk.changed on SQLite and PostgreSQL: queued when a stored score's grade differs from the customer's previous
one, with the grades and scores before and after; not for a first score, not without a subscription, not when the
scoring run is rolled back."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, select

from cobro.platform.container import Container
from cobro.risk.service import scores as risk
from cobro.webhooks import service as webhooks
from cobro.webhooks.records import WebhookEventRow
from tests.integration.collections.collections_builder import Ledger

DAY1 = dt.date(2026, 3, 1)
DAY2 = dt.date(2026, 9, 1)


def _score(container: Container, day: dt.date, *, commit: bool = True) -> dict[str, str]:
    with container.uow() as uow:
        run = risk.score_all(uow, day, rates=container.rates)
        if commit:
            uow.commit()
        else:
            uow.rollback()
    return {s.customer: s.grade for s in run.scores}


def _changed(container: Container) -> list[tuple[str, dict[str, Any]]]:
    with container.uow() as uow:
        rows = uow.session.execute(select(WebhookEventRow.entity, WebhookEventRow.payload_json).where(
            WebhookEventRow.type == "risk.changed").order_by(WebhookEventRow.id)).all()
    return [(e, json.loads(p)) for e, p in rows]


def _setup(container: Container) -> None:
    book = Ledger(container)
    late = book.customer("LATE")
    book.customer("IDLE")
    book.invoice(late, "F-1", dt.date(2026, 3, 15), "9000.00")  # not due on day 1, months overdue on day 2


def test_a_grade_change_queues_risk_changed(container: Container) -> None:
    _setup(container)
    with container.uow() as uow:
        webhooks.subscribe(uow, url="https://bi.example/hooks", events=["risk.changed"])
        uow.commit()
    first = _score(container, DAY1)
    assert _changed(container) == []  # a first score is no change
    second = _score(container, DAY2, commit=False)
    assert first["LATE"] != second["LATE"] and _changed(container) == []  # rolled back: nothing
    second = _score(container, DAY2)
    [(entity, data)] = _changed(container)  # IDLE's grade did not move
    assert entity == "customer:LATE"
    assert (data["grade_before"], data["grade"], data["as_of"]) == (first["LATE"], second["LATE"], "2026-09-01")
    assert data["score"] > data["score_before"] and data["reasons"]


def test_without_a_subscription_nothing_is_written(container: Container) -> None:
    _setup(container)
    _score(container, DAY1)
    _score(container, DAY2)
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(WebhookEventRow).where(
            WebhookEventRow.type == "risk.changed")) == 0
