"""The collector's work: call and meeting tasks closed with an outcome code; the customer's timeline; terms
acknowledgements.  A `promise` outcome records the promise, a `dispute` outcome opens a dispute on the task's
items, everything lands on the timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from cobro.collections.records import CollectionActionRow, TaskRow, TermsAcknowledgementRow
from cobro.collections.repository import work
from cobro.collections.service.holds import open_dispute
from cobro.collections.service.promises import add_promise
from cobro.kernel.errors import InvalidInputError, InvalidTransitionError
from cobro.ledger.repository import parties

OUTCOMES = ("reached", "voicemail", "wrong_contact", "promise", "dispute", "refuses", "asks_for_copy")


def list_tasks(session: Session, tenant_code: str, *, collector: str = "", status: str = "open") -> list[dict[str, Any]]:
    tenant = parties.tenant_id(session, tenant_code)
    rows = work.tasks(session, tenant, collector=collector, status=status)
    codes = work.customer_codes(session, {r.customer_id for r in rows})
    return [{"id": r.id, "customer": codes.get(r.customer_id, ""), "kind": r.kind, "collector": r.collector,
             "contact": r.contact_name, "phone": r.contact_phone, "due_on": r.due_on.isoformat(), "status": r.status,
             "outcome": r.outcome, "summary": r.summary} for r in rows]


def complete_task(session: Session, tenant_code: str, task_id: int, *, outcome: str, today: dt.date,
                  note: str = "", promise_amount: str = "", promise_date: dt.date | None = None,
                  user: str = "") -> dict[str, Any]:
    if outcome not in OUTCOMES:
        raise InvalidInputError(f"outcome must be one of {', '.join(OUTCOMES)}")
    tenant = parties.tenant_id(session, tenant_code)
    task = work.get(session, TaskRow, tenant, task_id, "task")
    if task.status != "open":
        raise InvalidTransitionError(f"task #{task_id} is already {task.status} ({task.outcome})")
    code = work.customer_codes(session, {task.customer_id})[task.customer_id]
    action = session.get(CollectionActionRow, task.action_id) if task.action_id else None
    result: dict[str, Any] = {"task": task_id, "outcome": outcome}
    if outcome == "promise":
        if not promise_amount or promise_date is None:
            raise InvalidInputError("a promise outcome needs --promise-amount and --promise-date")
        promise = add_promise(session, tenant_code, customer=code, amount=promise_amount,
                              currency=action.currency if action else "", due_on=promise_date, today=today,
                              contact=task.contact_name, channel="phone" if task.kind == "call" else "meeting",
                              user=user or task.collector, task_id=task.id)
        result["promise"] = promise.id
    elif outcome == "dispute":
        numbers = work.action_invoice_numbers(session, action.items_json) if action else []
        if not numbers:
            raise InvalidInputError("this task has no invoices to dispute; use `cobro dispute open`")
        dispute = open_dispute(session, tenant_code, customer=code, invoices=numbers, reason_code="other",
                               today=today, owner=user or task.collector, note=note or "raised on a call")
        result["dispute"] = dispute.id
    task.status, task.outcome, task.note, task.done_on = "done", outcome, note, today
    work.timeline(session, tenant, task.customer_id, day=today, kind=f"task.{task.kind}.{outcome}",
                  ref=f"task:{task.id}", actor=user or task.collector,
                  summary=f"{task.kind} with {task.contact_name or 'the customer'}: {outcome}"
                          + (f" — {note}" if note else ""))
    session.flush()
    return result


def timeline(session: Session, tenant_code: str, customer: str) -> list[dict[str, Any]]:
    tenant = parties.tenant_id(session, tenant_code)
    cust = parties.get_customer(session, tenant, customer)
    return [{"day": e.day.isoformat(), "kind": e.kind, "ref": e.ref, "actor": e.actor, "summary": e.summary}
            for e in work.customer_timeline(session, tenant, cust.id)]


def acknowledge_terms(session: Session, tenant_code: str, customer: str, *, today: dt.date, by: str = "",
                      channel: str = "email", user: str = "", statement: str = "") -> TermsAcknowledgementRow:
    """Record that the customer acknowledged its payment terms, the late-interest rate and the consequences of
    late payment (the terms letter itself is rendered by delivery)."""
    tenant = parties.tenant_id(session, tenant_code)
    cust = parties.get_customer(session, tenant, customer)
    text = statement or (f"payment terms {cust.terms}; statutory late interest (Ley 3/2004) from the day after the "
                         "due date; EUR 40 fixed recovery costs per invoice; dunning and credit stop when overdue")
    row = work.add(session, TermsAcknowledgementRow(
        tenant_id=tenant, customer_id=cust.id, terms=cust.terms, statement=text, acknowledged_on=today,
        acknowledged_by=by, channel=channel, recorded_by=user))
    work.timeline(session, tenant, cust.id, day=today, kind="terms.acknowledged", ref=f"terms:{row.id}", actor=user,
                  summary=f"terms acknowledged by {by or 'the customer'} ({channel}): {text}")
    return row
