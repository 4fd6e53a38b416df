"""The daily cycle on SQLite and PostgreSQL: business days, idempotency, catch-up, pauses, outbox, tasks."""

from __future__ import annotations

import datetime as dt
import json

from collections_builder import POLICY, Ledger
from sqlalchemy import func, select

from cobro.collections.records import (
    CollectionActionRow,
    CustomerFlagRow,
    EscalationCaseRow,
    TaskRow,
    TimelineEventRow,
)
from cobro.collections.service.cycle import run_cycle
from cobro.delivery.records import OutboxMessageRow
from cobro.platform.container import Container

D = dt.date
NOW = dt.datetime(2025, 12, 1, 6, 0, tzinfo=dt.UTC)


def cycle(container: Container, as_of: dt.date, *, dry_run: bool = False) -> dict:
    with container.uow() as uow:
        result = run_cycle(uow, as_of=as_of, now=NOW, rates=container.rates, dry_run=dry_run)
        if dry_run:
            uow.rollback()
        else:
            uow.commit()
    return result.as_dict()


def steps(result: dict) -> list[tuple[str, str]]:
    return [(a["customer"], a["step"]) for a in result["actions"]]


def test_reminder_fires_on_the_third_business_day_after_a_spanish_holiday(container: Container) -> None:
    book = Ledger(container)
    book.policy()
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 12, 5))  # Friday; Monday 8 December is a national holiday
    assert steps(cycle(container, D(2025, 12, 10))) == []
    first = cycle(container, D(2025, 12, 11))
    assert steps(first) == [("ACME", "reminder_1")]
    assert first["actions"][0]["items"][0]["invoice"] == "F-1"
    with container.uow() as uow:
        msg = uow.session.scalars(select(OutboxMessageRow)).one()
        assert (msg.channel, msg.recipient, msg.status, msg.template) == ("email", "ana@example.com", "pending",
                                                                          "reminder_1")
        assert msg.idempotency_key == "ACME:EUR:reminder_1:1"
        ctx = json.loads(msg.context_json)
        assert ctx["total"] == {"amount": "1000.00", "currency": "EUR"} and ctx["customer"]["code"] == "ACME"
        assert uow.session.scalar(select(func.count()).select_from(TimelineEventRow)) == 1


def test_pre_due_reminder_and_reruns_plan_nothing_new(container: Container) -> None:
    book = Ledger(container)
    book.policy()
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 12, 10))
    assert steps(cycle(container, D(2025, 12, 3))) == []
    assert steps(cycle(container, D(2025, 12, 4))) == [("ACME", "pre_due")]
    assert steps(cycle(container, D(2025, 12, 4))) == []
    assert steps(cycle(container, D(2025, 12, 5))) == []
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(OutboxMessageRow)) == 1


def test_dry_run_writes_nothing(container: Container) -> None:
    book = Ledger(container)
    book.policy()
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 12, 5))
    assert steps(cycle(container, D(2025, 12, 11), dry_run=True)) == [("ACME", "reminder_1")]
    assert steps(cycle(container, D(2025, 12, 11))) == [("ACME", "reminder_1")]


def test_catch_up_after_ten_days_sends_one_step(container: Container) -> None:
    book = Ledger(container)
    book.policy()
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 10, 1))
    assert steps(cycle(container, D(2025, 10, 6))) == [("ACME", "reminder_1")]
    result = cycle(container, D(2025, 10, 24))  # ten days without runs: whatsapp and call both due
    assert steps(result) == [("ACME", "call")]
    assert "catch-up" in result["actions"][0]["reason"]
    assert steps(cycle(container, D(2025, 10, 25))) == []
    with container.uow() as uow:
        task = uow.session.scalars(select(TaskRow)).one()
        assert (task.kind, task.collector, task.status) == ("call", "carla", "open")


def test_payment_closes_the_episode_and_a_new_one_starts(container: Container) -> None:
    book = Ledger(container)
    book.policy()
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 10, 1))
    assert steps(cycle(container, D(2025, 10, 6))) == [("ACME", "reminder_1")]
    book.pay(c, "F-1", "1000.00", D(2025, 10, 7))
    book.invoice(c, "F-2", D(2025, 11, 3))
    cycle(container, D(2025, 10, 8))
    assert steps(cycle(container, D(2025, 11, 6))) == [("ACME", "reminder_1")]
    with container.uow() as uow:
        episodes = sorted(uow.session.scalars(select(CollectionActionRow.episode)))
        assert episodes == [1, 2]


def test_escalation_opens_a_case_and_flags_credit_stop(container: Container) -> None:
    book = Ledger(container)
    # a policy that lets a case with no earlier action enter at the escalation (the default enters at the first
    # reminder: test_collections_onboarding.py)
    book.policy(POLICY.read_text() + "onboarding: {entry_step: escalation}\n")
    c = book.customer("ACME")
    small = book.customer("SMALL")
    book.invoice(c, "F-1", D(2025, 9, 1), "500.00")
    book.invoice(small, "F-2", D(2025, 9, 1), "200.00")
    result = cycle(container, D(2025, 11, 3))
    assert sorted(steps(result)) == [("ACME", "escalation"), ("SMALL", "formal_letter")]
    with container.uow() as uow:
        case = uow.session.scalars(select(EscalationCaseRow)).one()
        assert (case.customer_id, case.amount_minor, case.status) == (c, 50_000, "open")
        flag = uow.session.scalars(select(CustomerFlagRow)).one()
        assert (flag.customer_id, flag.flag, flag.active) == (c, "credit_stop", True)
        letter = uow.session.scalars(select(OutboxMessageRow)).one()
        assert (letter.channel, letter.recipient) == ("letter", "")
        assert json.loads(letter.context_json)["state_compensation"] is True
