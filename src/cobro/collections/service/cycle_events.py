"""The webhook events of a cycle run, queued in bulk in the run's transaction once its actions are written:
`promise.kept` / `promise.broken` for the promises it evaluated, `action.planned` for each action it created,
`escalation.opened` for each escalation case those actions opened, and `invoice.overdue` for each open instalment
that fell due since the tenant's previous run (none on a first run: a tenant's whole overdue book would arrive at
once).  Every event type goes through `webhooks.service.emit_many`, which reads the subscriptions once and builds
no payload when nobody listens, so a tenant without subscribers pays four small queries per run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from cobro.collections.domain.dunning import CaseDecision
from cobro.collections.records import PromiseRow
from cobro.collections.repository import cycle_events as repo
from cobro.collections.repository.cycle import Customer
from cobro.collections.service.cycle_effects import ActionKey, Book, _key
from cobro.kernel.money import format_minor
from cobro.platform.uow import UnitOfWork
from cobro.webhooks import service as webhooks

Event = tuple[str, Mapping[str, Any]]


def emit_run_events(uow: UnitOfWork, *, run_id: int, as_of: dt.date, custs: dict[int, Customer],
                    promises: list[PromiseRow], planned: list[tuple[CaseDecision, Book]],
                    created: dict[ActionKey, int], shown: dict[ActionKey, list[dict[str, Any]]]) -> None:
    session, tenant = uow.session, uow.tenant.id

    def code(customer_id: int) -> str:
        found = custs.get(customer_id)
        return found.code if found is not None else ""

    def promise_events(status: str) -> Iterator[Event]:
        for p in promises:
            if p.status == status:
                yield f"promise:{p.id}", {
                    "id": p.id, "customer": code(p.customer_id), "currency": p.currency,
                    "amount": format_minor(p.amount_minor, p.currency), "promised_on": p.promised_on.isoformat(),
                    "due_on": p.due_on.isoformat(), "grace_days": p.grace_days,
                    "paid": format_minor(p.paid_minor, p.currency), "status": status, "evaluated_on": as_of.isoformat()}

    def action_events() -> Iterator[Event]:
        for d, (name, version, _policy) in planned:
            a = d.action
            action_id = created.get(_key(d)) if a is not None else None
            if a is None or action_id is None:
                continue  # a concurrent run created this one
            yield f"action:{action_id}", {
                "id": action_id, "customer": code(d.customer_id), "step": a.step.id, "channel": a.step.channel,
                "currency": d.currency, "amount": format_minor(a.total_minor, d.currency), "episode": d.episode,
                "items": [{"invoice": v["invoice"], "seq": v["seq"]} for v in shown.get(_key(d), [])],
                "planned_on": as_of.isoformat(), "policy": name, "policy_version": version, "reason": a.reason}

    def escalation_events() -> Iterator[Event]:
        ids = [created[_key(d)] for d, _ in planned
               if d.action is not None and d.action.step.channel == "escalation" and _key(d) in created]
        for c in repo.opened_cases(session, tenant, ids) if ids else []:
            yield f"escalation:{c.id}", {
                "id": c.id, "action_id": c.action_id, "customer": code(c.customer_id), "currency": c.currency,
                "amount": format_minor(c.amount_minor, c.currency), "reason": c.reason,
                "opened_on": as_of.isoformat(), "by": "cycle"}

    def overdue_events() -> Iterator[Event]:
        since = repo.previous_as_of(session, tenant, run_id)
        if since is None or since >= as_of:
            return  # a first run, or a run for a day not after the previous one: nothing newly fell due
        for f in repo.fell_due(session, tenant, since, as_of):
            yield f"invoice:{f.invoice_id}", {
                "invoice": f.number, "invoice_id": f.invoice_id, "seq": f.seq, "instalment_id": f.instalment_id,
                "customer": code(f.customer_id), "currency": f.currency, "due_date": f.due_date.isoformat(),
                "open": format_minor(f.open_minor, f.currency), "days_past_due": (as_of - f.due_date).days,
                "as_of": as_of.isoformat()}

    if promises:
        webhooks.emit_many(uow, "promise.kept", events=promise_events("kept"))
        webhooks.emit_many(uow, "promise.broken", events=promise_events("broken"))
    if created:
        webhooks.emit_many(uow, "action.planned", events=action_events())
        webhooks.emit_many(uow, "escalation.opened", events=escalation_events())
    webhooks.emit_many(uow, "invoice.overdue", events=overdue_events())
