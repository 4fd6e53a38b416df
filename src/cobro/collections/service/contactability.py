"""Contactability: which contact and channel a step's action uses (the cycle asks `reach_step`), what marks a
phone invalid (a call whose outcome is "wrong number"), and the report of customers whose contact data stops
their policy.  The rules are in `collections.domain.contactability`; what blocks a contact point (bounces, wrong
numbers, opt-outs) is read with the contacts (`collections.repository.cycle.contacts`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from cobro.collections.domain.contactability import ADDRESS, FALLBACK_CHANNELS, Reach, reach, template_for
from cobro.collections.domain.policy import Policy, Step
from cobro.collections.repository import cycle as repo
from cobro.collections.repository.cycle import Contact
from cobro.collections.repository.work import WORK
from cobro.collections.schemas.contactability import (
    ContactsReport,
    CustomerReach,
    InvalidContactPoint,
    Reachability,
    StepReach,
)
from cobro.collections.service.policy import policy_book
from cobro.platform.uow import UnitOfWork, Uow


def reach_step(step: Step, policy: Policy, people: Sequence[Contact]) -> tuple[Step, Reach[Contact] | None, str]:
    """The step as its action goes out (its channel and template switched when it falls back), whom it reaches,
    and the timeline's note of what was passed over and why ("" when it went out as written).  Steps without a
    contact channel (meetings, escalation) are left to the cycle as they are (None)."""
    if step.channel not in FALLBACK_CHANNELS:
        return step, None, ""
    requested = step.channel
    found = reach(requested, step.recipients, policy.fallback_for(step), people)
    if found.channel != requested:
        step = dataclasses.replace(step, channel=found.channel,
                                   template=template_for(step.template, found.channel, requested))
    return step, found, found.note(requested)


def mark_wrong_number(uow: Uow, *, customer_id: int, phone: str, task_id: int, today: dt.date, user: str) -> bool:
    """A call reached a wrong number: the phone is marked invalid (the next steps try another contact or channel)
    and the customer's timeline says so.  False when the task had no phone or it was marked already."""
    if not phone.strip() or not isinstance(uow, UnitOfWork):
        return False
    from cobro.delivery.service.contact_points import mark_invalid

    marked = mark_invalid(uow, uow.tenant.id, kind="phone", address=phone, source="wrong_number",
                          reason=f"wrong number on call task #{task_id}")
    if marked:
        uow.repo(WORK).timeline(customer_id, day=today, kind="contact.invalid", ref=f"task:{task_id}",
                                actor=user, summary=f"phone {phone} marked invalid: wrong number")
    return marked


def contacts_report(uow: UnitOfWork, *, customer: str = "") -> ContactsReport:
    """Customers (one, when `customer` is a code) whose contacts cannot carry a step of their policy: the step
    falls back to another contact or channel, or nobody can be reached at all."""
    book = policy_book(uow)
    custs = repo.customers(uow.session, uow.tenant.id)
    chosen = [c for c in custs.values() if not customer or c.code == customer]
    people = repo.contacts(uow.session, [c.id for c in chosen])
    rows: list[CustomerReach] = []
    checked = 0
    for cust in sorted(chosen, key=lambda c: c.code):
        assigned = book.for_customer(cust.id, cust.segment)
        if assigned is None:
            continue
        checked += 1
        name, _version, policy = assigned
        steps = []
        for step in policy.steps:
            if step.channel not in FALLBACK_CHANNELS:
                continue
            found = reach(step.channel, step.recipients, policy.fallback_for(step), people.get(cust.id, []))
            if not found.passed:
                continue
            nobody = found.contact is None and found.channel in ADDRESS
            steps.append(StepReach(step.id, step.channel, "" if nobody else found.channel,
                                   "" if nobody or found.contact is None else found.contact.name,
                                   Reachability.BLOCKED if nobody else Reachability.FALLBACK,
                                   "; ".join(found.passed)))
        if steps:
            rows.append(CustomerReach(cust.code, cust.legal_name, name, tuple(steps)))
    from cobro.delivery.service.contact_points import invalid_points

    points = tuple(InvalidContactPoint(p.kind, p.address, p.source, p.reason)
                   for p in invalid_points(uow, uow.tenant.id))
    return ContactsReport(checked, tuple(rows), points)
