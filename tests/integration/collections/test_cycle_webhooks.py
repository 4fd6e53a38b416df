"""The cycle's webhook events on SQLite and PostgreSQL: action.planned, escalation.opened, invoice.overdue (since
the previous run; none on the first), promise.kept / promise.broken; nothing written without a subscription, and
nothing left by a rolled-back run."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from collections_builder import POLICY, Ledger
from sqlalchemy import func, select

from cobro.collections.service.cycle import run_cycle
from cobro.collections.service.promises import add_promise
from cobro.platform.container import Container
from cobro.webhooks import service as webhooks
from cobro.webhooks.records import WebhookDeliveryRow, WebhookEventRow

D = dt.date
NOW = dt.datetime(2025, 12, 1, 6, 0, tzinfo=dt.UTC)


def _cycle(container: Container, as_of: dt.date, *, commit: bool = True) -> dict[str, Any]:
    with container.uow() as uow:
        result = run_cycle(uow, as_of=as_of, now=NOW, rates=container.rates)
        if commit:
            uow.commit()
        else:
            uow.rollback()
    return result.as_dict()


def _subscribe(container: Container, events: list[str]) -> None:
    with container.uow() as uow:
        webhooks.subscribe(uow, url="https://erp.example/hooks", events=events)
        uow.commit()


def _events(container: Container, event_type: str) -> list[tuple[str, dict[str, Any]]]:
    with container.uow() as uow:
        rows = uow.session.execute(select(WebhookEventRow.entity, WebhookEventRow.payload_json).where(
            WebhookEventRow.type == event_type).order_by(WebhookEventRow.id)).all()
    return [(entity, json.loads(payload)) for entity, payload in rows]


def _counts(container: Container) -> tuple[int, int]:
    with container.uow() as uow:
        s = uow.session
        return (int(s.scalar(select(func.count()).select_from(WebhookEventRow)) or 0),
                int(s.scalar(select(func.count()).select_from(WebhookDeliveryRow)) or 0))


def test_planned_actions_and_escalations_are_queued_with_their_payload(container: Container) -> None:
    book = Ledger(container)
    book.policy(POLICY.read_text() + "onboarding: {entry_step: escalation}\n")
    acme = book.customer("ACME")
    small = book.customer("SMALL")
    book.invoice(acme, "F-1", D(2025, 9, 1), "500.00")
    book.invoice(small, "F-2", D(2025, 9, 1), "200.00")
    _subscribe(container, ["action.planned", "escalation.opened"])
    _cycle(container, D(2025, 11, 3), commit=False)  # rolled back: nothing stays
    assert _counts(container) == (0, 0)
    result = _cycle(container, D(2025, 11, 3))
    planned = _events(container, "action.planned")
    assert sorted((p["customer"], p["step"], p["channel"]) for _, p in planned) == [
        ("ACME", "escalation", "escalation"), ("SMALL", "formal_letter", "letter_pdf")]
    acme_action = next(p for _, p in planned if p["customer"] == "ACME")
    assert acme_action["amount"] == "500.00" and acme_action["currency"] == "EUR"
    assert acme_action["items"] == [{"invoice": "F-1", "seq": 1}] and acme_action["planned_on"] == "2025-11-03"
    assert all(entity == f"action:{p['id']}" for entity, p in planned)
    [(entity, case)] = _events(container, "escalation.opened")
    assert entity == f"escalation:{case['id']}" and case["action_id"] == acme_action["id"]
    assert (case["customer"], case["amount"], case["currency"]) == ("ACME", "500.00", "EUR")
    assert _counts(container) == (3, 3)  # one delivery each to the one subscription
    assert len(result["actions"]) == 2


def test_no_subscription_writes_nothing(container: Container) -> None:
    book = Ledger(container)
    book.policy()
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 10, 1))
    _subscribe(container, ["dispute.opened"])  # someone listens, but not to the cycle's events
    assert _cycle(container, D(2025, 10, 6))["actions"]
    book.invoice(c, "F-2", D(2025, 10, 8))
    assert _cycle(container, D(2025, 10, 24))["actions"]
    assert _counts(container) == (0, 0)


def test_invoice_overdue_since_the_previous_run_only(container: Container) -> None:
    book = Ledger(container)
    book.policy()
    c = book.customer("ACME")
    book.invoice(c, "F-0", D(2025, 9, 15))  # overdue before the first run: never announced
    book.invoice(c, "F-1", D(2025, 10, 2), "300.00")
    book.invoice(c, "F-2", D(2025, 10, 6))  # due on the second run's day: not overdue yet
    book.invoice(c, "F-3", D(2025, 10, 3), "50.00")
    _subscribe(container, ["invoice.overdue"])
    _cycle(container, D(2025, 10, 1))
    assert _events(container, "invoice.overdue") == []  # the tenant's first run announces nothing
    book.pay(c, "F-3", "50.00", D(2025, 10, 4))  # paid before the run: not overdue
    _cycle(container, D(2025, 10, 6))
    [(entity, due)] = _events(container, "invoice.overdue")
    assert due["invoice"] == "F-1" and entity == f"invoice:{due['invoice_id']}"
    assert (due["customer"], due["open"], due["due_date"], due["days_past_due"]) == ("ACME", "300.00",
                                                                                      "2025-10-02", 4)
    _cycle(container, D(2025, 10, 6))  # the same day again: nothing new fell due
    _cycle(container, D(2025, 10, 7))
    assert [p["invoice"] for _, p in _events(container, "invoice.overdue")] == ["F-1", "F-2"]


def test_promises_kept_and_broken(container: Container) -> None:
    book = Ledger(container)
    book.policy()
    good = book.customer("GOOD")
    bad = book.customer("BAD")
    book.invoice(good, "F-1", D(2025, 10, 1), "400.00")
    book.invoice(bad, "F-2", D(2025, 10, 1), "100.00")
    with container.uow() as uow:
        for code in ("GOOD", "BAD"):
            add_promise(uow, customer=code, amount="100.00" if code == "BAD" else "400.00", currency="EUR",
                        due_on=D(2025, 10, 10), today=D(2025, 10, 3), grace_days=2)
        uow.commit()
    _subscribe(container, ["promise.kept", "promise.broken"])
    book.pay(good, "F-1", "400.00", D(2025, 10, 9))
    _cycle(container, D(2025, 10, 20))
    [(k_entity, kept)] = _events(container, "promise.kept")
    [(b_entity, broken)] = _events(container, "promise.broken")
    assert (kept["customer"], kept["paid"], kept["amount"], kept["status"]) == ("GOOD", "400.00", "400.00", "kept")
    assert (broken["customer"], broken["paid"], broken["status"]) == ("BAD", "0.00", "broken")
    assert k_entity == f"promise:{kept['id']}" and b_entity == f"promise:{broken['id']}"
    assert broken["evaluated_on"] == "2025-10-20"
