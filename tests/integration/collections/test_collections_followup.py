"""Tasks that drive follow-up (issue 15, item 4), on SQLite and PostgreSQL: a call-back date opens the follow-up
task, a task moves to another collector with a reason, and an open task past its due date by more than the
policy's SLA days for its kind is overdue."""

from __future__ import annotations

import datetime as dt

import pytest
from collections_builder import POLICY, Ledger
from sqlalchemy import select

from cobro.audit.records import AuditRow
from cobro.collections.records import TaskRow, TimelineEventRow
from cobro.collections.service import tasks
from cobro.collections.service.cycle import run_cycle
from cobro.kernel.errors import InvalidInputError, InvalidTransitionError
from cobro.platform.container import Container

D = dt.date
NOW = dt.datetime(2025, 12, 1, 6, 0, tzinfo=dt.UTC)


def call_task(container: Container, extra: str = "") -> tuple[Ledger, int, int]:
    book = Ledger(container)
    book.policy(POLICY.read_text() + "onboarding: {entry_step: call}\n" + extra)
    c = book.customer("ACME", collector="carla")
    book.invoice(c, "F-1", D(2025, 10, 1))
    with container.uow() as uow:
        run_cycle(uow, as_of=D(2025, 10, 23), now=NOW, rates=container.rates)
        uow.commit()
        (task,) = uow.session.scalars(select(TaskRow.id))
    return book, c, int(task)


def test_a_callback_date_opens_the_follow_up_task(container: Container) -> None:
    _book, c, task = call_task(container)
    with container.uow() as uow, pytest.raises(InvalidInputError, match=r"^callback:"):
        tasks.complete_task(uow, task, outcome="voicemail", today=D(2025, 10, 24), callback=D(2025, 10, 20))
    with container.uow() as uow:
        done = tasks.complete_task(uow, task, outcome="reached", today=D(2025, 10, 24), note="asks to call Monday",
                                   callback=D(2025, 10, 27), user="carla")
        uow.commit()
    assert done.follow_up is not None and done.as_json()["follow_up"] == done.follow_up
    with container.uow() as uow:
        first, follow = uow.session.scalars(select(TaskRow).order_by(TaskRow.id)).all()
        assert (first.status, first.outcome) == ("done", "reached")
        assert (follow.id, follow.status, follow.due_on, follow.collector, follow.action_id, follow.contact_name) == (
            done.follow_up, "open", D(2025, 10, 27), "carla", first.action_id, first.contact_name)
        assert f"follow-up of task #{task}" in follow.summary
        assert "task.call.follow_up" in set(uow.session.scalars(
            select(TimelineEventRow.kind).where(TimelineEventRow.customer_id == c)))
        assert ("create", str(follow.id)) in {(a.action, a.entity_id) for a in uow.session.scalars(
            select(AuditRow).where(AuditRow.entity == "task"))}


def test_a_task_is_reassigned_with_a_reason(container: Container) -> None:
    _book, c, task = call_task(container)
    with container.uow() as uow, pytest.raises(InvalidInputError, match=r"^reason:"):
        tasks.reassign_task(uow, task, to="maria", reason="", today=D(2025, 10, 24))
    with container.uow() as uow, pytest.raises(InvalidInputError, match=r"^to:"):
        tasks.reassign_task(uow, task, to="carla", reason="no change", today=D(2025, 10, 24))
    with container.uow() as uow:
        moved = tasks.reassign_task(uow, task, to="maria", reason="carla is on leave", today=D(2025, 10, 24),
                                    user="jefa")
        uow.commit()
    assert moved.collector == "maria"
    with container.uow() as uow:
        assert [t.id for t in tasks.list_tasks(uow, collector="maria")] == [task]
        assert tasks.list_tasks(uow, collector="carla") == []
        event = uow.session.scalars(select(TimelineEventRow).where(
            TimelineEventRow.customer_id == c, TimelineEventRow.kind == "task.call.reassigned")).one()
        assert "from carla to maria: carla is on leave" in event.summary
        entry = uow.session.scalars(select(AuditRow).where(AuditRow.action == "reassign")).one()
        assert (entry.actor_name, entry.reason) == ("jefa", "carla is on leave")
        tasks.complete_task(uow, task, outcome="reached", today=D(2025, 10, 24))
        with pytest.raises(InvalidTransitionError):
            tasks.reassign_task(uow, task, to="luis", reason="late", today=D(2025, 10, 24))


def test_an_open_task_past_its_sla_is_overdue(container: Container) -> None:
    _book, _c, task = call_task(container, "tasks: {sla_days: {call: 3, meeting: 5}}\n")
    with container.uow() as uow:
        (found,) = tasks.list_tasks(uow)
        due = found.due_on
        assert found.overdue is False  # not asked: no day to compare with
        assert [t.overdue for t in tasks.list_tasks(uow, today=due + dt.timedelta(days=3))] == [False]
        late = tasks.list_tasks(uow, today=due + dt.timedelta(days=4))
        assert [(t.id, t.overdue, t.as_json()["overdue"]) for t in late] == [(task, True, True)]
        tasks.complete_task(uow, task, outcome="reached", today=due + dt.timedelta(days=4))
        assert [t.overdue for t in tasks.list_tasks(uow, status="done", today=due + dt.timedelta(days=9))] == [False]


def test_the_commands(container: Container, cli_env: dict[str, str]) -> None:
    import json

    from typer.testing import CliRunner

    from cobro.app.cli import app

    runner = CliRunner()

    def cli(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args))
        return result.exit_code, result.output

    _book, _c, task = call_task(container)
    code, out = cli("tasks", "reassign", str(task), "--to", "maria", "--reason", " ")
    assert code == 2 and "reason:" in out
    code, out = cli("tasks", "reassign", str(task), "--to", "maria", "--reason", "carla is on leave", "--user", "jefa")
    assert code == 0 and "maria" in out
    code, out = cli("tasks", "list", "--json")
    # the clock is today's: the task fell due in 2025, with no SLA days it is overdue
    assert code == 0 and [(t["id"], t["collector"], t["overdue"]) for t in json.loads(out)] == [(task, "maria", True)]
    code, out = cli("tasks", "done", str(task), "--outcome", "reached", "--callback", "2099-01-05")
    assert code == 0 and "follow_up=" in out
    code, out = cli("tasks", "done", str(task + 1), "--outcome", "reached", "--callback", "2099-02-30")
    assert code == 2  # not a date: refused, nothing written
    assert [t["due_on"] for t in json.loads(cli("tasks", "list", "--json")[1])] == ["2099-01-05"]

    code, out = cli("credit", "lift", "ACME", "--reason", "paid")
    assert code == 2 and "no active credit stop" in out
    code, out = cli("customers", "show", "ACME", "--json")
    assert code == 0 and json.loads(out)["credit_check"]["credit_stop"] is None
    with container.uow() as uow:
        from cobro.collections.repository import loops

        loops.set_stop(uow.session, uow.tenant.id, _c, reason="set by hand for the test", on=D(2025, 10, 24))
        uow.commit()
    code, out = cli("customers", "show", "ACME")
    assert code == 0 and "credit stop: since 2025-10-24 — set by hand for the test" in out
    code, out = cli("credit", "lift", "ACME", "--reason", "guarantee received", "--user", "jorge")
    assert code == 0 and "credit stop lifted" in out
    assert json.loads(cli("customers", "show", "ACME", "--json")[1])["credit_check"]["credit_stop"] is None
