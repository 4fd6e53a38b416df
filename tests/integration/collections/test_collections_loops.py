"""Payment closes the loops (issue 15, items 1 and 2), on SQLite and PostgreSQL: tasks on paid items close with
outcome `paid`; a paid escalation case is settled and its agency told (a partial payment too, once per amount);
items falling due while a case is open join it or wait for the next episode; credit stops are set from the limit
(with the tolerance), announced as an alert, and lifted by rule or by hand with a reason."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from collections_builder import POLICY, Ledger
from sqlalchemy import select

from cobro.audit.records import AuditRow
from cobro.collections.records import (
    CollectionActionRow,
    CollectionCaseRow,
    CustomerFlagRow,
    EscalationCaseRow,
    TaskRow,
    TimelineEventRow,
)
from cobro.collections.service import credit_stops, escalation
from cobro.collections.service.cycle import run_cycle
from cobro.delivery.records import OutboxMessageRow
from cobro.kernel.errors import InvalidInputError, InvalidTransitionError
from cobro.platform.container import Container
from cobro.risk.records import RiskAlertRow

D = dt.date
NOW = dt.datetime(2025, 12, 1, 6, 0, tzinfo=dt.UTC)
AGENCY = "expedientes@recobros.example"


def cycle(container: Container, as_of: dt.date) -> dict:
    with container.uow() as uow:
        result = run_cycle(uow, as_of=as_of, now=NOW, rates=container.rates)
        uow.commit()
    return result.as_dict()


def policy(book: Ledger, extra: str = "") -> None:
    book.policy(POLICY.read_text() + extra)


def rows(container: Container, model: type, *where: object) -> list:
    with container.uow() as uow:
        found = list(uow.session.scalars(select(model).where(*where).order_by(model.id)))
        uow.session.expunge_all()
        return found


def kinds(container: Container, customer_id: int) -> list[str]:
    return [e.kind for e in rows(container, TimelineEventRow, TimelineEventRow.customer_id == customer_id)]


def audited(container: Container, entity: str) -> list[tuple[str, str]]:
    return [(a.action, a.actor_name) for a in rows(container, AuditRow, AuditRow.entity == entity)]


def agency_messages(container: Container) -> list[tuple[str, str, str]]:
    return [(m.recipient, json.loads(m.context_json)["step"], m.status)
            for m in rows(container, OutboxMessageRow, OutboxMessageRow.template == "agency_update")]


def escalate(container: Container, book: Ledger, extra: str = "") -> tuple[int, int]:
    """ACME escalated on 2025-11-03 for F-1 (500.00, due 2025-09-01) and handed to the agency."""
    policy(book, "onboarding: {entry_step: escalation}\n" + extra)
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 9, 1), "500.00")
    cycle(container, D(2025, 11, 3))
    (case,) = rows(container, EscalationCaseRow)
    with container.uow() as uow:
        escalation.hand_off(uow, case.id, to=AGENCY, today=D(2025, 11, 4), user="ana")
        uow.commit()
    return c, case.id


def test_a_paid_call_task_closes_itself(container: Container) -> None:
    book = Ledger(container)
    policy(book, "onboarding: {entry_step: call}\n")
    c = book.customer("ACME")
    other = book.customer("BETA")
    book.invoice(c, "F-1", D(2025, 10, 1))
    book.invoice(other, "B-1", D(2025, 10, 1))
    cycle(container, D(2025, 10, 23))
    assert [(t.customer_id, t.status) for t in rows(container, TaskRow)] == [(c, "open"), (other, "open")]
    book.pay(c, "F-1", "1000.00", D(2025, 10, 24))
    book.pay(other, "B-1", "400.00", D(2025, 10, 24))  # partly: its task stays open
    result = cycle(container, D(2025, 10, 27))
    assert result["counts"]["loops.tasks_closed"] == 1
    closed, still = rows(container, TaskRow)
    assert (closed.status, closed.outcome, closed.done_on) == ("done", "paid", D(2025, 10, 27))
    assert (still.status, still.outcome) == ("open", "")
    assert "task.call.paid" in kinds(container, c) and "task.call.paid" not in kinds(container, other)
    assert audited(container, "task") == [("close", "cycle")]
    assert "loops.tasks_closed" not in cycle(container, D(2025, 10, 28))["counts"]  # nothing closes twice


def test_partial_payment_is_reported_once_and_full_payment_settles_the_case(container: Container) -> None:
    book = Ledger(container)
    c, case_id = escalate(container, book)
    assert [f.active for f in rows(container, CustomerFlagRow)] == [True]
    book.pay(c, "F-1", "200.00", D(2025, 11, 5))
    first = cycle(container, D(2025, 11, 6))
    cycle(container, D(2025, 11, 7))  # the same amount paid: the agency is not told again
    assert first["counts"]["loops.agency_notices"] == 1
    assert agency_messages(container) == [(AGENCY, "partial_payment", "pending")]
    (message,) = rows(container, OutboxMessageRow, OutboxMessageRow.template == "agency_update")
    context = json.loads(message.context_json)
    assert (context["total"]["amount"], [i["open"] for i in context["items"]]) == ("300.00", ["300.00"])
    assert "escalation.partial_payment" in kinds(container, c)
    assert rows(container, EscalationCaseRow)[0].status == "handed_off"
    assert [f.active for f in rows(container, CustomerFlagRow)] == [True]  # still owed: the stop stays

    book.pay(c, "F-1", "300.00", D(2025, 11, 10))
    settled = cycle(container, D(2025, 11, 11))
    assert {k: settled["counts"][k] for k in ("loops.cases_settled", "loops.agency_notices", "loops.stops_lifted",
                                              "loops.episodes_closed")} == {
        "loops.cases_settled": 1, "loops.agency_notices": 1, "loops.stops_lifted": 1, "loops.episodes_closed": 1}
    (case,) = rows(container, EscalationCaseRow)
    assert (case.id, case.status, case.closed_on) == (case_id, "settled", D(2025, 11, 11))
    assert agency_messages(container)[-1] == (AGENCY, "settled", "pending")
    (flag,) = rows(container, CustomerFlagRow)
    assert (flag.active, flag.cleared_on) == (False, D(2025, 11, 11))
    assert all(e.closed_on is not None for e in rows(container, CollectionCaseRow))
    assert {"escalation.settled", "credit_stop.lifted"} <= set(kinds(container, c))
    assert ("settle", "cycle") in audited(container, "escalation")
    assert audited(container, "credit_stop") == [("lift", "cycle")]
    assert "loops.cases_settled" not in cycle(container, D(2025, 11, 12))["counts"]


def test_an_open_case_that_names_no_address_queues_the_notice_skipped(container: Container) -> None:
    book = Ledger(container)
    policy(book, "onboarding: {entry_step: escalation}\n")
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2025, 9, 1), "500.00")
    cycle(container, D(2025, 11, 3))
    (case,) = rows(container, EscalationCaseRow)
    with container.uow() as uow:
        escalation.hand_off(uow, case.id, to="Recobros Norte", today=D(2025, 11, 4), user="ana")
        uow.commit()
    book.pay(c, "F-1", "500.00", D(2025, 11, 5))
    cycle(container, D(2025, 11, 6))
    (message,) = rows(container, OutboxMessageRow, OutboxMessageRow.template == "agency_update")
    assert (message.status, message.recipient) == ("skipped", "")
    assert "not an e-mail address" in message.last_error or "not an e-mail address" in str(message.skip_reason)


def test_items_falling_due_join_the_open_case(container: Container) -> None:
    book = Ledger(container)
    c, _case_id = escalate(container, book)
    book.invoice(c, "F-2", D(2025, 11, 10), "250.00")
    result = cycle(container, D(2025, 11, 12))
    assert result["counts"]["loops.items_joined"] == 1
    (case,) = rows(container, EscalationCaseRow)
    assert (case.amount_minor, [i["invoice"] for i in json.loads(case.items_json)]) == (75_000, ["F-1", "F-2"])
    assert "escalation.items_joined" in kinds(container, c)
    assert "loops.items_joined" not in cycle(container, D(2025, 11, 13))["counts"]
    book.pay(c, "F-1", "500.00", D(2025, 11, 14))
    cycle(container, D(2025, 11, 17))
    assert rows(container, EscalationCaseRow)[0].status == "handed_off"  # F-2 is part of it now
    book.pay(c, "F-2", "250.00", D(2025, 11, 17))
    cycle(container, D(2025, 11, 18))
    assert rows(container, EscalationCaseRow)[0].status == "settled"


def test_next_episode_starts_the_sequence_again_once_the_case_is_settled(container: Container) -> None:
    book = Ledger(container)
    c, _case_id = escalate(container, book, "cases: {new_items: next_episode}\n")
    book.invoice(c, "F-2", D(2025, 11, 10), "250.00")
    assert "loops.items_joined" not in cycle(container, D(2025, 11, 12))["counts"]
    assert [i["invoice"] for i in json.loads(rows(container, EscalationCaseRow)[0].items_json)] == ["F-1"]
    book.pay(c, "F-1", "500.00", D(2025, 11, 14))
    result = cycle(container, D(2025, 11, 17))
    assert result["counts"]["loops.episodes_closed"] == 1
    # the episode after the settled one plans F-2 from the start of the sequence
    assert [(a["step"], a["episode"]) for a in result["actions"]] == [("reminder_1", 2)]
    assert sorted({a.episode for a in rows(container, CollectionActionRow)}) == [1, 2]


def test_over_the_limit_sets_a_stop_announced_as_an_alert_and_lifted_by_rule(container: Container) -> None:
    book = Ledger(container)
    policy(book)  # credit.limit {EUR: 20000.00}; stop_lifts_on full_payment by default
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2026, 2, 15), "12000.00")
    book.invoice(c, "F-2", D(2026, 2, 28), "10000.00")
    assert cycle(container, D(2026, 2, 2))["counts"]["loops.stops_set"] == 1
    (flag,) = rows(container, CustomerFlagRow)
    assert flag.active and flag.reason.startswith("over limit: exposure 22000.00 EUR over the limit 20000.00")
    assert [a.kind for a in rows(container, RiskAlertRow)] == ["credit_stop_set"]
    assert "credit_stop.set" in kinds(container, c) and audited(container, "credit_stop") == [("set", "cycle")]
    assert "loops.stops_set" not in cycle(container, D(2026, 2, 3))["counts"]  # set once
    book.pay(c, "F-1", "5000.00", D(2026, 2, 4))
    assert cycle(container, D(2026, 2, 5))["counts"]["loops.stops_lifted"] == 1
    (flag,) = rows(container, CustomerFlagRow)
    assert (flag.active, flag.cleared_on) == (False, D(2026, 2, 5))


def test_tolerance_and_a_manual_rule(container: Container) -> None:
    book = Ledger(container)
    policy(book, "")
    text = POLICY.read_text().replace('limit: {EUR: "20000.00"}',
                                      'limit: {EUR: "20000.00"}\n  limit_tolerance_pct: 15\n  stop_lifts_on: manual')
    book.policy(text)
    c = book.customer("ACME")
    book.invoice(c, "F-1", D(2026, 2, 15), "22000.00")
    assert "loops.stops_set" not in cycle(container, D(2026, 1, 20))["counts"]  # 22000 is within 20000 + 15 %
    book.invoice(c, "F-2", D(2026, 2, 15), "2000.00")
    assert cycle(container, D(2026, 1, 21))["counts"]["loops.stops_set"] == 1
    book.pay(c, "F-1", "22000.00", D(2026, 1, 22))
    assert "loops.stops_lifted" not in cycle(container, D(2026, 1, 23))["counts"]  # manual: the cycle leaves it
    with container.uow() as uow, pytest.raises(InvalidInputError, match=r"^reason:"):
        credit_stops.lift_credit_stop(uow, "ACME", reason=" ", today=D(2026, 1, 23), user="jorge")
    with container.uow() as uow:
        stop = credit_stops.lift_credit_stop(uow, "ACME", reason="guarantee received", today=D(2026, 1, 23),
                                             user="jorge")
        uow.commit()
    assert stop.reason.startswith("over limit")
    assert [f.active for f in rows(container, CustomerFlagRow)] == [False]
    assert audited(container, "credit_stop")[-1] == ("lift", "jorge")
    with container.uow() as uow, pytest.raises(InvalidTransitionError):
        credit_stops.lift_credit_stop(uow, "ACME", reason="again", today=D(2026, 1, 23), user="jorge")
