"""Holds, disputes, promises, plans and exceptions through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from collections_builder import POLICY, Ledger
from sqlalchemy import select
from test_collections_cycle import cycle, steps

from cobro.collections.domain.status import ExceptionStatus
from cobro.collections.records import PromiseRow, TimelineEventRow
from cobro.collections.service import exceptions, holds, promises, tasks
from cobro.kernel.errors import InvalidTransitionError
from cobro.platform.container import Container

D = dt.date
NOW = dt.datetime(2025, 10, 1, 8, 0, tzinfo=dt.UTC)


def call(container: Container, fn, *args, **kw):
    with container.uow() as uow:
        out = fn(uow, *args, **kw)
        uow.commit()
        return out


def items_of(result: dict, customer: str) -> list[str]:
    return [i["invoice"] for a in result["actions"] if a["customer"] == customer for i in a["items"]]


@pytest.fixture
def book(container: Container) -> Ledger:
    b = Ledger(container)
    b.policy()
    return b


def test_customer_hold_pauses_until_its_end_date(container: Container, book: Ledger) -> None:
    c = book.customer("ACME")
    other = book.customer("OTHER")
    book.invoice(c, "F-1", D(2025, 10, 1))
    book.invoice(other, "F-9", D(2025, 10, 1))
    call(container, holds.add_hold, customer="ACME", reason="restructuring talks", until=D(2025, 10, 8),
         today=D(2025, 10, 1))
    assert steps(cycle(container, D(2025, 10, 6))) == [("OTHER", "reminder_1")]
    assert steps(cycle(container, D(2025, 10, 8))) == []
    assert steps(cycle(container, D(2025, 10, 9))) == [("ACME", "reminder_1")]


def test_invoice_hold_and_dispute_pause_only_their_items(container: Container, book: Ledger) -> None:
    c = book.customer("ACME")
    for n in ("F-1", "F-2", "F-3"):
        book.invoice(c, n, D(2025, 10, 1))
    call(container, holds.add_hold, customer="ACME", invoice="F-1", reason="credit note coming", today=D(2025, 10, 1))
    call(container, holds.open_dispute, customer="ACME", invoices=["F-2"], reason_code="quality",
         today=D(2025, 10, 2), owner="luis", resolve_by=D(2025, 10, 31))
    result = cycle(container, D(2025, 10, 6))
    assert items_of(result, "ACME") == ["F-3"]
    assert result["actions"][0]["total"] == "1000.00"


def test_partial_dispute_keeps_the_rest_in_dunning(container: Container, book: Ledger) -> None:
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 10, 1))
    call(container, holds.open_dispute, customer="ACME", invoices=["F-1"], reason_code="price", amount="400.00",
         today=D(2025, 10, 2))
    result = cycle(container, D(2025, 10, 6))
    assert result["actions"][0]["total"] == "600.00"


def test_promise_pauses_then_broken_promise_escalates(container: Container, book: Ledger) -> None:
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 9, 1), "250.00")  # below the EUR 300 escalation threshold on its own
    assert steps(cycle(container, D(2025, 9, 4))) == [("ACME", "reminder_1")]
    call(container, promises.add_promise, customer="ACME", amount="250.00", currency="EUR", due_on=D(2025, 9, 15),
         today=D(2025, 9, 5), contact="Ana")
    assert steps(cycle(container, D(2025, 9, 18))) == []  # 15 Sep + 3 grace days
    book.pay(c, "F-1", "100.00", D(2025, 9, 16))
    result = cycle(container, D(2025, 9, 19))
    assert steps(result) == [("ACME", "escalation")]
    assert result["counts"]["promises_broken"] == 1 and "broken" in result["actions"][0]["reason"]
    with container.uow() as uow:
        p = uow.session.scalars(select(PromiseRow)).one()
        assert (p.status, p.paid_minor) == ("broken", 10_000)
        kinds = list(uow.session.scalars(select(TimelineEventRow.kind).order_by(TimelineEventRow.id)))
        assert kinds == ["dunning.email", "promise.made", "promise.broken", "dunning.escalation"]


def test_kept_promise(container: Container, book: Ledger) -> None:
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 9, 1), "250.00")
    call(container, promises.add_promise, customer="ACME", amount="250.00", currency="EUR", due_on=D(2025, 9, 15),
         today=D(2025, 9, 5))
    book.pay(c, "F-1", "250.00", D(2025, 9, 14))
    result = cycle(container, D(2025, 9, 20))
    assert result["counts"]["promises_kept"] == 1 and steps(result) == []


def test_exceptions_need_a_second_approver_and_expire(container: Container, book: Ledger) -> None:
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 10, 1))
    ex = call(container, exceptions.request, customer="ACME", kind="pause", justification="CFO asked for time",
              user="maria", expires_on=D(2025, 10, 20), today=D(2025, 10, 1))
    # requested but not approved: no effect (four eyes itself: tests/unit/collections/test_collections_services.py)
    assert steps(cycle(container, D(2025, 10, 6))) == [("ACME", "reminder_1")]
    call(container, exceptions.decide, ex.id, user="jorge", approve=True, today=D(2025, 10, 7), now=NOW)
    assert steps(cycle(container, D(2025, 10, 15))) == []  # paused: whatsapp would be due
    result = cycle(container, D(2025, 10, 21))
    assert result["counts"]["exceptions_expired"] == 1
    assert steps(result) == [("ACME", "whatsapp")]
    listed = call(container, exceptions.listing, today=D(2025, 10, 21))
    assert listed[0].status == ExceptionStatus.EXPIRED and listed[0].approved_by == "jorge"
    with pytest.raises(InvalidTransitionError):
        call(container, exceptions.decide, ex.id, user="jorge", approve=False, today=D(2025, 10, 21), now=NOW)


def test_skip_step_exception(container: Container, book: Ledger) -> None:
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 10, 1))
    ex = call(container, exceptions.request, customer="ACME", kind="skip_step", value="reminder_1",
              justification="key account", user="maria", expires_on=D(2025, 12, 31), today=D(2025, 10, 1))
    call(container, exceptions.decide, ex.id, user="jorge", approve=True, today=D(2025, 10, 1), now=NOW)
    assert steps(cycle(container, D(2025, 10, 6))) == []
    assert steps(cycle(container, D(2025, 10, 15))) == [("ACME", "whatsapp")]


def test_payment_plan_replaces_the_schedule(container: Container, book: Ledger) -> None:
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 10, 1), "900.00")  # a plan must add up to it: tests/unit/collections
    call(container, holds.add_plan, customer="ACME", invoices=["F-1"], today=D(2025, 10, 2),
         schedule=[(D(2025, 11, 3), "300.00"), (D(2025, 12, 1), "300.00"), (D(2026, 1, 5), "300.00")])
    assert steps(cycle(container, D(2025, 10, 6))) == []
    result = cycle(container, D(2025, 11, 6))
    assert steps(result) == [("ACME", "reminder_1")]
    assert result["actions"][0]["items"][0]["invoice"].startswith("PLAN-")
    assert result["actions"][0]["total"] == "300.00"


def test_call_task_outcome_promise(container: Container, book: Ledger) -> None:
    book.policy(POLICY.read_text() + "onboarding: {entry_step: call}\n")  # a first case may start at the call
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 9, 1))
    assert steps(cycle(container, D(2025, 9, 22))) == [("ACME", "call")]
    [task] = call(container, tasks.list_tasks, collector="carla")
    out = call(container, tasks.complete_task, task.id, outcome="promise", today=D(2025, 9, 23),
               promise_amount="1000.00", promise_date=D(2025, 9, 30), note="pays on Tuesday")
    assert out.promise
    assert call(container, tasks.list_tasks) == []
    assert steps(cycle(container, D(2025, 10, 2))) == []  # paused by the promise
    kinds = [e.kind for e in call(container, tasks.timeline, "ACME")]
    assert kinds == ["dunning.call_task", "promise.made", "task.call.promise"]
