"""The collector's work: call and meeting tasks closed with an outcome code; the customer's timeline; terms
acknowledgements.  A `promise` outcome records the promise, a `dispute` outcome opens a dispute on the task's
items, everything lands on the timeline."""

from __future__ import annotations

import dataclasses
import datetime as dt

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.collections.domain.loops import task_overdue
from cobro.collections.domain.status import DisputeReason, TaskKind, TaskOutcome, TaskStatus
from cobro.collections.repository.work import WORK
from cobro.collections.schemas.work import TaskCompletion, TaskRecord, TermsAcknowledgement, TimelineEntry
from cobro.collections.service.contactability import mark_wrong_number
from cobro.collections.service.holds import open_dispute
from cobro.collections.service.policy import policy_book
from cobro.collections.service.promises import add_promise
from cobro.kernel.errors import InvalidInputError, InvalidTransitionError, NotFoundError
from cobro.platform.uow import Uow

OUTCOMES = tuple(o.value for o in TaskOutcome)


def list_tasks(uow: Uow, *, collector: str = "", status: str = "open", today: dt.date | None = None
               ) -> list[TaskRecord]:
    """By due date; with `today`, each open task says whether it is overdue under its customer's policy SLA."""
    repo = uow.repo(WORK)
    found = repo.tasks(collector=collector, status=status)
    if today is None or not found:
        return found
    book = policy_book(uow)
    segments: dict[str, str] = {}
    out = []
    for t in found:
        if t.status != TaskStatus.OPEN:
            out.append(t)
            continue
        if t.customer not in segments:
            segments[t.customer] = repo.customer(t.customer).segment
        chosen = book.for_customer(t.customer_id, segments[t.customer])
        sla = chosen[2].sla_days(t.kind) if chosen else 0
        out.append(dataclasses.replace(t, overdue=task_overdue(t.due_on, sla, today)))
    return out


def reassign_task(uow: Uow, task_id: int, *, to: str, reason: str, today: dt.date, user: str = "") -> TaskRecord:
    """Give an open task to another collector, saying why; on the timeline and in the audit log."""
    if not to.strip():
        raise InvalidInputError("to: name the collector the task goes to")
    if not reason.strip():
        raise InvalidInputError("reason: say why the task is reassigned")
    repo = uow.repo(WORK)
    task = repo.find_task(task_id)
    if task is None:
        raise NotFoundError(f"no task #{task_id}")
    if task.status != TaskStatus.OPEN:
        raise InvalidTransitionError(f"task #{task_id} is already {task.status}")
    if task.collector == to.strip():
        raise InvalidInputError(f"to: task #{task_id} is already {to.strip()}'s")
    moved = repo.reassign_task(task.id, collector=to.strip())
    repo.timeline(task.customer_id, day=today, kind=f"task.{task.kind}.reassigned", ref=f"task:{task.id}",
                  actor=user, summary=f"{task.kind} task #{task.id} reassigned from {task.collector or 'nobody'} to "
                                      f"{moved.collector}: {reason.strip()}")
    audit.record(uow, Change("task", str(task.id), "reassign", {"collector": task.collector},
                             {"collector": moved.collector}, reason=reason.strip()), user=user)
    return moved


def complete_task(uow: Uow, task_id: int, *, outcome: str, today: dt.date, note: str = "",
                  promise_amount: str = "", promise_date: dt.date | None = None, user: str = "",
                  dispute_reason: str = DisputeReason.OTHER, callback: dt.date | None = None) -> TaskCompletion:
    """Close an open task with `outcome`; a promise outcome needs the amount and date, a dispute outcome opens a
    dispute on the task's items with `dispute_reason` (one of the dispute reason codes); a `callback` date (the
    next action agreed on the call) opens the follow-up task, due that day, for the same collector."""
    if callback is not None and callback < today:
        raise InvalidInputError(f"callback: {callback.isoformat()} is before today ({today.isoformat()})")
    if outcome not in OUTCOMES:
        raise InvalidInputError(f"outcome: outcome must be one of {', '.join(OUTCOMES)}")
    done = TaskOutcome(outcome)
    repo = uow.repo(WORK)
    task = repo.find_task(task_id)
    if task is None:
        raise NotFoundError(f"no task #{task_id}")
    if task.status != TaskStatus.OPEN:
        raise InvalidTransitionError(f"task #{task_id} is already {task.status} ({task.outcome or ''})")
    action = repo.action_items(task.action_id) if task.action_id else None
    result = TaskCompletion(task_id, done)
    if done == TaskOutcome.PROMISE:
        if not promise_amount or promise_date is None:
            raise InvalidInputError("a promise outcome needs --promise-amount and --promise-date")
        promise = add_promise(uow, customer=task.customer, amount=promise_amount,
                              currency=action.currency if action else "", due_on=promise_date, today=today,
                              contact=task.contact, channel="phone" if task.kind == TaskKind.CALL else "meeting",
                              user=user or task.collector, task_id=task.id)
        result = TaskCompletion(task_id, done, promise=promise.id)
    elif done == TaskOutcome.DISPUTE:
        numbers = list(action.invoices) if action else []
        if not numbers:
            raise InvalidInputError("outcome: this task has no invoices to dispute; use `cobro dispute open`")
        dispute = open_dispute(uow, customer=task.customer, invoices=numbers, reason_code=dispute_reason,
                               today=today, owner=user or task.collector, note=note or "raised on a call")
        result = TaskCompletion(task_id, done, dispute=dispute.id)
    elif done == TaskOutcome.WRONG_NUMBER:
        mark_wrong_number(uow, customer_id=task.customer_id, phone=task.phone, task_id=task.id, today=today,
                          user=user or task.collector)
    repo.complete_task(task.id, outcome=done, note=note, on=today)
    if callback is not None:
        follow = repo.add_follow_up(task.id, due_on=callback,
                                    summary=f"call back (follow-up of task #{task.id}, {outcome}): {task.summary}")
        result = dataclasses.replace(result, follow_up=follow.id)
        repo.timeline(task.customer_id, day=today, kind=f"task.{task.kind}.follow_up", ref=f"task:{follow.id}",
                      actor=user or task.collector,
                      summary=f"follow-up {task.kind} task #{follow.id} due {callback.isoformat()}")
        audit.record(uow, Change("task", str(follow.id), "create", None,
                                 {"status": TaskStatus.OPEN, "due_on": callback.isoformat(),
                                  "collector": follow.collector, "follows": task.id}), user=user or task.collector)
    repo.timeline(task.customer_id, day=today, kind=f"task.{task.kind}.{outcome}", ref=f"task:{task.id}",
                  actor=user or task.collector,
                  summary=f"{task.kind} with {task.contact or 'the customer'}: {outcome}" + (f" — {note}" if note else ""))
    audit.record(uow, Change("task", str(task.id), "complete", {"status": task.status},
                             {"status": TaskStatus.DONE, "outcome": done}, reason=note), user=user or task.collector)
    return result


def timeline(uow: Uow, customer: str) -> list[TimelineEntry]:
    repo = uow.repo(WORK)
    return repo.customer_timeline(repo.customer(customer).id)


def acknowledge_terms(uow: Uow, customer: str, *, today: dt.date, by: str = "", channel: str = "email",
                      user: str = "", statement: str = "") -> TermsAcknowledgement:
    """Record that the customer acknowledged its payment terms, the late-interest rate and the consequences of
    late payment (the terms letter itself is rendered by delivery)."""
    repo = uow.repo(WORK)
    cust = repo.customer(customer)
    text = statement or (f"payment terms {cust.terms}; statutory late interest (Ley 3/2004) from the day after the "
                         "due date; EUR 40 fixed recovery costs per invoice; dunning and credit stop when overdue")
    row = repo.add_acknowledgement(customer_id=cust.id, terms=cust.terms, statement=text, on=today, by=by,
                                   channel=channel, recorded_by=user)
    repo.timeline(cust.id, day=today, kind="terms.acknowledged", ref=f"terms:{row.id}", actor=user,
                  summary=f"terms acknowledged by {by or 'the customer'} ({channel}): {text}")
    return row
