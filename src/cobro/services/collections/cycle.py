"""The daily collections cycle: evaluate every customer×currency with open items against its policy, plan the
actions, and write them with their outbox messages, tasks and escalation cases in the caller's transaction.

Idempotent (each step once per episode, enforced by a unique key), catch-up safe (only the most advanced due
step), race safe (a concurrent run's conflicting inserts plan nothing) and set-based (a few bulk queries).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from cobro.db.records import ContactRow
from cobro.db.records_collections import (
    EscalationCaseRow,
    OutboxMessageRow,
    TaskRow,
    TimelineEventRow,
)
from cobro.db.repositories import parties
from cobro.db.repositories.collections import cycle as repo
from cobro.db.repositories.collections import cycle_sql
from cobro.db.repositories.collections.cycle import Customer
from cobro.domain.calendar import HolidayCalendar, add_business_days
from cobro.domain.dunning import CaseDecision, CaseHistory, CaseInput, PlannedAction, Schedule, plan_case
from cobro.domain.dunning_quiet import CaseSummary, is_quiet
from cobro.domain.pauses import Promise, evaluate_promise
from cobro.domain.policy import MESSAGE_CHANNELS, TASK_CHANNELS, Policy, Step
from cobro.money import exponent
from cobro.services.collections.policy import policy_book

_ADDRESS = {"email": "email", "whatsapp": "phone", "sms": "phone", "call_task": "phone"}


@dataclass
class CycleResult:
    as_of: dt.date
    dry_run: bool
    actions: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "dry_run": self.dry_run, "actions": self.actions,
                "counts": self.counts, "problems": self.problems}


_EXP: dict[str, int] = {}


def _money(minor: int, currency: str) -> str:
    """Plain decimal text of integer minor units ("1234.50"); exact, and fast enough for a million items."""
    exp = _EXP.get(currency)
    if exp is None:
        exp = _EXP[currency] = exponent(currency)
    if not exp:
        return str(minor)
    whole, frac = divmod(abs(minor), 10 ** exp)
    return f"{'-' if minor < 0 else ''}{whole}.{frac:0{exp}d}"


def _evaluate_promises(session: Session, tenant: int, as_of: dt.date) -> tuple[int, int, list[dict[str, Any]]]:
    kept = broken = 0
    events: list[dict[str, Any]] = []
    for row, payments in repo.pending_promise_payments(session, tenant, as_of):
        promise = Promise(row.id, row.currency, row.amount_minor, row.due_on, row.grace_days)
        paid = sum(a for d, a in payments if d <= promise.pause_until)
        status = evaluate_promise(promise, paid, as_of)
        if status == "pending":
            continue
        row.status, row.paid_minor, row.evaluated_on = status, paid, as_of
        kept += status == "kept"
        broken += status == "broken"
        events.append({"tenant_id": tenant, "customer_id": row.customer_id, "day": as_of, "kind": f"promise.{status}",
                           "ref": f"promise:{row.id}", "actor": "cycle",
                           "summary": f"promise to pay {_money(row.amount_minor, row.currency)} {row.currency} by "
                                   f"{row.due_on.isoformat()} {status} (paid {_money(paid, row.currency)})"})
    session.flush()
    return kept, broken, events


def _pick(contacts: list[ContactRow], roles: tuple[str, ...], need: str) -> ContactRow | None:
    """The first contact of the first role that has one with the needed address (fallback down the roles)."""
    for role in roles:
        for c in contacts:
            if c.role == role and (not need or getattr(c, need)):
                return c
    return None


def _items_json(action: PlannedAction) -> list[dict[str, Any]]:
    """The action's items as messages and `--json` show them (built once per action, shared by both)."""
    return [{"invoice": it.invoice, "seq": it.seq, "issue_date": it.issue_date.isoformat(),
             "due_date": it.due_date.isoformat(), "days_past_due": p.days_past_due,
             "open": _money(p.eligible_minor, it.currency), "currency": it.currency}
            for p in action.items for it in (p.item,)]


def _case_items(action: PlannedAction, shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An escalation case's items: the shown items with the instalment id in place of the issue date."""
    return [{"invoice": v["invoice"], "seq": v["seq"], "instalment_id": p.item.instalment_id,
             "due_date": v["due_date"], "days_past_due": v["days_past_due"], "open": v["open"],
             "currency": v["currency"]} for p, v in zip(action.items, shown, strict=True)]


def run_cycle(session: Session, tenant_code: str, *, as_of: dt.date, now: dt.datetime,
              dry_run: bool = False) -> CycleResult:
    # A run allocates millions of small, long-lived objects; the cyclic GC would rescan them over and over.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run_cycle(session, tenant_code, as_of=as_of, now=now, dry_run=dry_run)
    finally:
        if enabled:
            gc.enable()


def _run_cycle(session: Session, tenant_code: str, *, as_of: dt.date, now: dt.datetime,
               dry_run: bool) -> CycleResult:
    result = CycleResult(as_of, dry_run)
    repo.lock_for_run(session, tenant_code)
    tenant = parties.tenant_id(session, tenant_code)
    run_id = repo.start_run(session, tenant, as_of, dry_run=dry_run, now=now)
    expired = repo.expire_exceptions(session, tenant, as_of)
    kept, broken, events = _evaluate_promises(session, tenant, as_of)
    book = policy_book(session, tenant)
    custs = repo.customers(session, tenant)
    summaries = cycle_sql.case_summaries(session, tenant, as_of)
    hist = repo.histories(session, tenant)
    pauses = repo.pauses(session, tenant, as_of)
    schedules: dict[str, Schedule] = {}
    # Expand into items only the pairs that may act, open or close today; the rest are quiet (see dunning_quiet).
    keys, quiet = _triage(book, custs, summaries, hist, pauses, schedules, as_of)
    need = {cid for cid, _ in keys if cid in custs}
    items = repo.open_items(session, tenant, customer_ids=need if need < {cid for cid, _ in summaries} else None)
    decisions, problems = _plan_all(book, custs, items, hist, pauses, as_of=as_of, keys=keys, schedules=schedules)
    result.problems.extend(problems)
    planned = [(d, pol) for d, pol in decisions if d.action is not None]
    counts: Counter[str] = Counter()
    counts.update(customers=len({d.customer_id for d, _ in decisions} | quiet),
                  items=sum(s.count for s in summaries.values()),
                  exceptions_expired=expired, promises_kept=kept, promises_broken=broken)
    for d, _ in decisions:
        counts["episodes_opened"] += d.opens_episode
        counts["episodes_closed"] += d.closes_episode
    created: dict[ActionKey, int] = {}
    shown: dict[ActionKey, list[dict[str, Any]]] = {}
    if not dry_run:
        repo.open_cases(session, tenant, [{"tenant_id": tenant, "customer_id": d.customer_id, "currency": d.currency,
                                               "episode": d.episode, "opened_on": as_of}
                                          for d, _ in decisions if d.opens_episode])
        repo.close_cases(session, tenant, [(d.customer_id, d.currency, d.episode)
                                           for d, _ in decisions if d.closes_episode], as_of)
        created = repo.insert_actions(session, [_action_row(tenant, run_id, as_of, d, pol) for d, pol in planned])
        shown = {key: _items_json(a) for d, _ in planned if (key := _key(d)) in created and (a := d.action)}
        events += _write_effects(session, tenant, as_of, custs, planned=planned, created=created, shown=shown)
        repo.bulk_insert(session, TimelineEventRow, events)
    for d, (name, _version, _policy) in planned:
        a = d.action
        assert a is not None
        if not dry_run and _key(d) not in created:
            counts["already_planned"] += 1  # a concurrent run took this key first
            continue
        counts["planned"] += 1
        counts[f"channel.{a.step.channel}"] += 1
        result.actions.append({"customer": custs[d.customer_id].code, "currency": d.currency, "step": a.step.id,
                               "channel": a.step.channel, "episode": d.episode, "policy": name,
                               "items": shown[_key(d)] if not dry_run else _items_json(a),
                               "total": _money(a.total_minor, d.currency),
                               "reason": a.reason})
    counts["problems"] = len(result.problems)
    result.counts = dict(sorted(counts.items()))
    repo.finish_run(session, run_id, result.counts, now)
    session.flush()
    return result


Book = tuple[str, int, Policy]
ActionKey = tuple[int, str, str, int]  # (customer id, currency, step, episode): the action's unique key


def _key(d: CaseDecision) -> ActionKey:
    assert d.action is not None
    return d.customer_id, d.currency, d.action.step.id, d.episode


def _schedule(schedules: dict[str, Schedule], chosen: Book, as_of: dt.date) -> Schedule:
    name, _version, policy = chosen
    schedule = schedules.get(name)
    if schedule is None:
        schedule = schedules[name] = Schedule(policy, HolidayCalendar(policy.country, policy.subdivision), as_of)
    return schedule


def _triage(book: Any, custs: dict[int, Customer], summaries: dict[Key, CaseSummary],
            hist: dict[Key, CaseHistory], pauses: tuple[dict[int, Any], ...], schedules: dict[str, Schedule],
            as_of: dt.date) -> tuple[list[Key], set[int]]:
    """The pairs to plan in full (sorted) and the customers of quiet pairs, which plan_case would leave as they
    are.  A customer with any hold, dispute, promise, exception or plan is always planned in full."""
    paused = {cid for by_customer in pauses for cid in by_customer}
    keys: list[Key] = []
    quiet: set[int] = set()
    for key in sorted(set(summaries) | {k for k, h in hist.items() if h.episode}):
        cid = key[0]
        cust = custs.get(cid)
        summary = summaries.get(key)
        chosen = book.for_customer(cid, cust.segment) if cust is not None else None
        if (chosen is not None and summary is not None and cid not in paused
                and is_quiet(summary, hist.get(key, _NO_HISTORY), _schedule(schedules, chosen, as_of))):
            quiet.add(cid)
        else:
            keys.append(key)  # _plan_all skips unknown customers and reports those without a policy
    return keys, quiet


_NO_HISTORY = CaseHistory()
Key = tuple[int, str]


def _plan_all(book: Any, custs: dict[int, Customer], items: dict[tuple[int, str], list[Any]],
              hist: dict[tuple[int, str], CaseHistory], pauses: tuple[dict[int, Any], ...], *, as_of: dt.date,
              explain: bool = False, keys: list[Key] | None = None, schedules: dict[str, Schedule] | None = None,
              ) -> tuple[list[tuple[CaseDecision, Book]], list[str]]:
    holds, disputes, promises, exceptions, plans = pauses
    schedules = {} if schedules is None else schedules
    decisions: list[tuple[CaseDecision, Book]] = []
    problems: list[str] = []
    unassigned: set[int] = set()
    if keys is None:
        keys = sorted(set(items) | {k for k, h in hist.items() if h.episode})
    for key in keys:
        cid, currency = key
        cust = custs.get(cid)
        if cust is None:
            continue
        chosen = book.for_customer(cid, cust.segment)
        if chosen is None:
            unassigned.add(cid)
            continue
        policy = chosen[2]
        schedule = _schedule(schedules, chosen, as_of)
        case = CaseInput(cid, cust.code, currency, items.get(key, ()), hist.get(key, _NO_HISTORY),
                         tuple(holds.get(cid, ())), tuple(disputes.get(cid, ())), tuple(promises.get(cid, ())),
                         tuple(exceptions.get(cid, ())), tuple(p for p in plans.get(cid, ()) if p.currency == currency))
        decisions.append((plan_case(case, policy, schedule, explain=explain), chosen))
    if unassigned:
        problems.append(f"{len(unassigned)} customer(s) with open items have no policy; "
                        "run `cobro policy apply FILE` to set a default")
    return decisions, problems


def _action_row(tenant: int, run_id: int, as_of: dt.date, d: CaseDecision, chosen: Book) -> dict[str, Any]:
    a = d.action
    assert a is not None
    # Only the instalment ids (payment-plan instalments have negative ids): the amounts and dates the action
    # demanded are in its outbox message, task summary or escalation case.
    items = [p.item.instalment_id for p in a.items]
    return {"tenant_id": tenant, "customer_id": d.customer_id, "currency": d.currency, "step": a.step.id,
                "step_index": a.index, "channel": a.step.channel, "as_of": as_of, "episode": d.episode, "policy_name": chosen[0],
                "policy_version": chosen[1], "items_json": json.dumps(items), "total_minor": a.total_minor,
                "reason": a.reason, "status": "planned", "run_id": run_id}


def _legal_claims(step: Step, policy: Any, action: Any, currency: str, as_of: dt.date) -> dict[str, Any]:
    """What a letter may state: the fixed compensation in the action's currency (only if the policy sets one
    for it) and the statutory interest accrued on the items so far (omitted when it cannot be computed, e.g.
    no published rate yet for the current half-year)."""
    comp = dict(policy.compensation).get(currency)
    out: dict[str, Any] = {
        "state_compensation": bool(step.state_compensation and comp is not None),
        "compensation": ({"amount": _money(comp, currency), "currency": currency, "per_invoice": True}
                         if comp is not None else None),
        "interest": None,
    }
    if not step.state_interest or not policy.interest_reference:
        return out
    from decimal import Decimal

    from cobro.domain.interest import InterestError, compute_late_interest

    total = Decimal(0)
    rate = None
    try:
        for item in action.items:
            due, open_amount = _item_due_and_open(item, currency)
            if due >= as_of or open_amount <= 0:
                continue
            result = compute_late_interest(policy.interest_reference, open_amount, currency, due, as_of,
                                           compensation=Decimal(0))
            total += result.interest
            rate = result.periods[-1].rate if result.periods else rate
    except InterestError:
        return out
    out["interest"] = {"amount": str(total), "currency": currency, "rate": str(rate) if rate is not None else None}
    return out


def _item_due_and_open(planned: Any, currency: str) -> tuple[dt.date, Any]:
    from cobro.money import Money

    return planned.item.due_date, Money.from_minor(int(planned.eligible_minor), currency).amount


def _write_effects(session: Session, tenant: int, as_of: dt.date, custs: dict[int, Customer], *,
                   planned: list[tuple[CaseDecision, Book]], created: dict[ActionKey, int],
                   shown: dict[ActionKey, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Outbox messages, tasks, escalation cases and flags for the actions this run created."""
    mine = [(d, b) for d, b in planned if d.action is not None and _key(d) in created]
    contacts = repo.contacts(session, {d.customer_id for d, _ in mine if d.action is not None
                                       and (d.action.step.channel in MESSAGE_CHANNELS
                                            or d.action.step.channel in TASK_CHANNELS)})
    creditor = {"name": repo.tenant_name(session, tenant), "tax_id": "", "address": "", "iban": ""}
    outbox: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    flags: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for d, (_name, _version, policy) in mine:
        a = d.action
        assert a is not None
        step: Step = a.step
        action_id = created[_key(d)]
        cust = custs[d.customer_id]
        total = _money(a.total_minor, d.currency)
        events.append({"tenant_id": tenant, "customer_id": d.customer_id, "day": as_of, "kind": f"dunning.{step.channel}",
                           "ref": f"action:{action_id}", "actor": "cycle",
                           "summary": f"{step.id} ({step.channel}) for {len(a.items)} item(s), {total} {d.currency}: "
                                   f"{a.reason}"})
        people = contacts.get(d.customer_id, [])
        if step.channel in MESSAGE_CHANNELS:
            need = _ADDRESS.get(step.channel, "")
            who = _pick(people, step.recipients, need) or (None if need else _pick(people, step.recipients, ""))
            context = {"customer": {"code": cust.code, "legal_name": cust.legal_name, "tax_id": cust.tax_id},
                       "items": shown[_key(d)], "total": {"amount": total, "currency": d.currency},
                       "step": step.id, "channel": step.channel, "tone": step.tone, "as_of": as_of.isoformat(),
                       "state_interest": step.state_interest, **_legal_claims(step, policy, a, d.currency, as_of),
                       "interest_reference": policy.interest_reference, "creditor": creditor}
            skipped = need and who is None
            outbox.append({
                "tenant_id": tenant, "action_id": action_id, "channel": MESSAGE_CHANNELS[step.channel],
                "recipient": getattr(who, need) if who is not None and need else "",
                "recipient_name": who.name if who is not None else cust.legal_name,
                "language": (who.language if who is not None and who.language else cust.language) or "es",
                "template": step.template, "tone": step.tone, "context_json": json.dumps(context, ensure_ascii=False),
                "idempotency_key": f"{cust.code}:{d.currency}:{step.id}:{d.episode}",
                "status": "skipped" if skipped else "pending", "attempts": 0,
                "last_error": (f"no contact with {need} among roles {', '.join(step.recipients)}" if skipped else ""),
                "message_id": ""})
        elif step.channel in TASK_CHANNELS:
            who = _pick(people, step.recipients, "phone" if step.channel == "call_task" else "") \
                or _pick(people, step.recipients, "")
            cal = HolidayCalendar(policy.country, policy.subdivision)
            tasks.append({"tenant_id": tenant, "customer_id": d.customer_id, "action_id": action_id,
                              "kind": TASK_CHANNELS[step.channel], "collector": cust.collector,
                              "contact_name": who.name if who else "", "contact_phone": who.phone if who else "",
                              "due_on": add_business_days(as_of, step.task_due_days, cal), "status": "open", "outcome": "",
                              "note": "", "summary": f"{step.id}: {len(a.items)} item(s), {total} {d.currency}. {a.reason}"})
        elif step.channel == "escalation":
            cases.append({"tenant_id": tenant, "customer_id": d.customer_id, "action_id": action_id, "currency": d.currency,
                              "amount_minor": a.total_minor, "items_json": json.dumps(_case_items(a, shown[_key(d)])),
                              "reason": a.reason, "status": "open", "opened_on": as_of, "handed_off_to": ""})
            if step.escalation is not None and step.escalation.credit_stop:
                flags.append({"tenant_id": tenant, "customer_id": d.customer_id, "flag": "credit_stop", "active": True,
                                  "reason": f"escalated on {as_of.isoformat()}: {total} {d.currency} overdue",
                                  "set_on": as_of})
    repo.bulk_insert(session, OutboxMessageRow, outbox)
    repo.bulk_insert(session, TaskRow, tasks)
    repo.bulk_insert(session, EscalationCaseRow, cases)
    repo.set_flags(session, tenant, flags)
    return events

