"""What the cycle's actions write besides themselves: outbox messages, tasks, escalation cases, credit-stop
flags and timeline events, plus the item lists that messages, cases and `--json` share."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cobro.collections.domain.dunning import CaseDecision, PlannedAction
from cobro.collections.domain.policy import MESSAGE_CHANNELS, TASK_CHANNELS, Policy, Step
from cobro.collections.records import EscalationCaseRow, TaskRow
from cobro.collections.repository import cycle as repo
from cobro.collections.repository.cycle import Contact, Customer
from cobro.collections.service.contactability import reach_step
from cobro.collections.service.creditor import Creditor
from cobro.delivery.schemas import (
    CustomerPart,
    InterestPart,
    MessageContext,
    MessageItem,
    OutboxMessage,
)
from cobro.delivery.service.outbox import enqueue
from cobro.interest.domain.law import debt_jurisdiction
from cobro.kernel.calendar import HolidayCalendar, add_business_days
from cobro.kernel.money import Money, exponent, format_minor
from cobro.kernel.rates import RateSource

_ADDRESS = {"email": "email", "whatsapp": "phone", "sms": "phone", "call_task": "phone"}

Book = tuple[str, int, Policy]
ActionKey = tuple[int, str, str, int]  # (customer id, currency, step, episode): the action's unique key


def _key(d: CaseDecision) -> ActionKey:
    assert d.action is not None
    return d.customer_id, d.currency, d.action.step.id, d.episode


def _pick(contacts: list[Contact], roles: tuple[str, ...], need: str) -> Contact | None:
    """The first contact of the first role that has one with the needed address (fallback down the roles)."""
    for role in roles:
        for c in contacts:
            if c.role == role and (not need or getattr(c, need)):
                return c
    return None


_ISO: dict[dt.date, str] = {}  # a run formats the same few hundred dates hundreds of thousands of times


def _iso(day: dt.date) -> str:
    found = _ISO.get(day)
    if found is None:
        found = _ISO[day] = day.isoformat()
    return found


def _items_json(action: PlannedAction) -> list[dict[str, Any]]:
    """The action's items as messages and `--json` show them (built once per action, shared by both)."""
    iso = _ISO.get
    return [{"invoice": it.invoice, "seq": it.seq, "issue_date": iso(it.issue_date) or _iso(it.issue_date),
             "due_date": iso(it.due_date) or _iso(it.due_date), "days_past_due": p.days_past_due,
             "open": format_minor(p.eligible_minor, it.currency), "currency": it.currency}
            for p in action.items for it in (p.item,)]


def _case_items(action: PlannedAction, shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An escalation case's items: the shown items with the instalment id in place of the issue date."""
    return [{"invoice": v["invoice"], "seq": v["seq"], "instalment_id": p.item.instalment_id,
             "due_date": v["due_date"], "days_past_due": v["days_past_due"], "open": v["open"],
             "currency": v["currency"]} for p, v in zip(action.items, shown, strict=True)]


def _money(minor: int, currency: str) -> Money:
    """`Money.from_minor` without its checks: the cycle's amounts and currencies come validated from the ledger."""
    return Money(Decimal(minor).scaleb(-exponent(currency)), currency)


def _message_items(action: PlannedAction) -> tuple[MessageItem, ...]:
    return tuple(MessageItem(it.invoice, it.seq, it.issue_date, it.due_date, p.days_past_due,
                             Decimal(p.eligible_minor).scaleb(-exponent(it.currency)), it.currency)
                 for p in action.items for it in (p.item,))


def _legal_claims(step: Step, policy: Any, action: Any, currency: str, as_of: dt.date,
                  rates: RateSource, jurisdiction: str) -> tuple[Money | None, InterestPart | None, str]:
    """What a letter may state under the law of the debt (`jurisdiction`): the fixed compensation in the action's
    currency (per invoice as the policy sets it under Ley 3/2004 and the Directive; the statute's own sums
    elsewhere: the UK's bands per debt, Chile's 1 % of the unpaid balance) and the statutory interest accrued on the
    items so far (omitted when it cannot be computed, e.g. no rate loaded yet for the current half-year, and the
    reason returned third: "ES rate for 2026-H2 not loaded: cobro rates add ...")."""
    from cobro.interest.domain import InterestError, compute_late_interest, rule_for

    if jurisdiction in ("ES", "EU"):
        comp = dict(policy.compensation).get(currency)
        compensation = _money(comp, currency) if comp is not None else None
    else:
        compensation = _statutory_compensation(rule_for(jurisdiction), action, currency)
    if not step.state_interest or not jurisdiction:
        return compensation, None, ""

    total = Decimal(0)
    rate = None
    try:
        for item in action.items:
            due, open_amount = _item_due_and_open(item, currency)
            if due >= as_of or open_amount <= 0:
                continue
            result = compute_late_interest(jurisdiction, open_amount, currency, due, as_of,
                                           rates=rates, compensation=Decimal(0))
            total += result.interest
            rate = result.periods[-1].rate if result.periods else rate
    except InterestError as exc:
        return compensation, None, str(exc)
    return compensation, InterestPart(amount=total, currency=currency, rate=rate), ""


def _statutory_compensation(rule: Any, action: Any, currency: str) -> Money | None:
    """The statute's fixed sums on the action's overdue items, when the statute has some in this currency."""
    if rule.compensation is None or (rule.compensation_currency and rule.compensation_currency != currency):
        return None
    total = sum((rule.compensation(_item_due_and_open(item, currency)[1]) for item in action.items), Decimal(0))
    from decimal import ROUND_HALF_UP

    from cobro.kernel.money import quantum

    return Money(total.quantize(quantum(currency), rounding=ROUND_HALF_UP), currency) if total > 0 else None


def _item_due_and_open(planned: Any, currency: str) -> tuple[dt.date, Any]:
    from cobro.kernel.money import Money

    return planned.item.due_date, Money.from_minor(int(planned.eligible_minor), currency).amount


# (action key, table, row without its action id); outbox messages are typed and queued by delivery's service
Draft = tuple[ActionKey, str, dict[str, Any] | OutboxMessage]


def draft_effects(tenant: int, as_of: dt.date, custs: dict[int, Customer], *, planned: list[tuple[CaseDecision, Book]],
                  shown: dict[ActionKey, list[dict[str, Any]]], contacts: dict[int, list[Contact]],
                  creditor: Creditor, rates: RateSource,
                  notices: dict[tuple[int, str], tuple[dt.date, ...]] | None = None) -> list[Draft]:
    """Outbox messages, tasks, escalation cases, flags and timeline events for every planned action, before the
    actions are inserted (pure Python, so it can run while the database inserts them); `_write_effects` keeps
    those of the actions this run created and fills in their ids.  A message the creditor's profile cannot sign
    (see `collections.service.creditor`) is queued as skipped with the reason, like one without an address."""
    unsendable: dict[tuple[str, str], str] = {}
    out: list[Draft] = []
    for d, (_name, _version, policy) in planned:
        a = d.action
        assert a is not None
        step: Step = a.step
        key = _key(d)
        cust = custs[d.customer_id]
        total = format_minor(a.total_minor, d.currency)
        people = contacts.get(d.customer_id, [])
        step, reached, fell_back = reach_step(step, policy, people)
        timeline: dict[str, Any] = {
            "tenant_id": tenant, "customer_id": d.customer_id, "day": as_of, "kind": f"dunning.{step.channel}",
            "ref": "", "actor": "cycle",
            "summary": f"{step.id} ({step.channel}) for {len(a.items)} item(s), {total} {d.currency}: {a.reason}"
                       + (f"; contact fallback: {fell_back}" if fell_back else "")}
        out.append((key, "timeline_events", timeline))
        if step.channel in MESSAGE_CHANNELS:
            need = _ADDRESS.get(step.channel, "")
            who = reached.contact if reached is not None else (
                _pick(people, step.recipients, need) or (None if need else _pick(people, step.recipients, "")))
            law = debt_jurisdiction(cust.country, governing_law=policy.governing_law,
                                    fallback=policy.interest_reference or "ES")
            compensation, interest, missing = _legal_claims(step, policy, a, d.currency, as_of, rates, law)
            if missing:  # the letter leaves the amount out; the timeline tells the operator why and what to load
                timeline["summary"] += f"; interest not stated: {missing}"
            items = _message_items(a)
            channel = MESSAGE_CHANNELS[step.channel]
            if (channel, step.template) not in unsendable:
                unsendable[channel, step.template] = creditor.unsendable(channel, step.template)
            context = MessageContext(
                customer=CustomerPart(cust.code, cust.legal_name, cust.tax_id, address=cust.address,
                                      country=cust.country),
                creditor=creditor.part(customer=cust.code, invoices=[it.invoice for it in items]), as_of=as_of,
                items=items, total=_money(a.total_minor, d.currency), step=step.id,
                step_channel=step.channel, state_interest=step.state_interest,
                state_compensation=bool(step.state_compensation and compensation is not None),
                compensation=compensation, interest=interest, interest_reference=law,
                earlier_notices=(notices or {}).get((d.customer_id, d.currency), ()))
            skipped = need and who is None
            out.append((key, "outbox_messages", OutboxMessage(
                channel=channel, template=step.template,
                idempotency_key=f"{cust.code}:{d.currency}:{step.id}:{d.episode}", context=context,
                recipient=getattr(who, need) if who is not None and need else "",
                recipient_name=who.name if who is not None else cust.legal_name,
                language=(who.language if who is not None and who.language else cust.language) or creditor.language,
                tone=step.tone,
                skip_reason=(fell_back or f"no contact with {need} among roles {', '.join(step.recipients)}")
                if skipped else unsendable[channel, step.template])))
        elif step.channel in TASK_CHANNELS:
            who = (reached.contact if reached is not None else None) \
                or _pick(people, step.recipients, "phone" if step.channel == "call_task" else "") \
                or _pick(people, step.recipients, "")
            cal = HolidayCalendar(policy.country, policy.subdivision)
            out.append((key, "tasks", {
                "tenant_id": tenant, "customer_id": d.customer_id, "action_id": None,
                "kind": TASK_CHANNELS[step.channel], "collector": cust.collector,
                "contact_name": who.name if who else "", "contact_phone": who.phone if who else "",
                "due_on": add_business_days(as_of, step.task_due_days, cal), "status": "open", "outcome": "",
                "note": "", "summary": f"{step.id}: {len(a.items)} item(s), {total} {d.currency}. {a.reason}"}))
        elif step.channel == "escalation":
            out.append((key, "escalation_cases", {
                "tenant_id": tenant, "customer_id": d.customer_id, "action_id": None, "currency": d.currency,
                "amount_minor": a.total_minor, "items_json": json.dumps(_case_items(a, shown[key])),
                "reason": a.reason, "status": "open", "opened_on": as_of, "handed_off_to": ""}))
            if step.escalation is not None and step.escalation.credit_stop:
                out.append((key, "customer_flags", {
                    "tenant_id": tenant, "customer_id": d.customer_id, "flag": "credit_stop", "active": True,
                    "reason": f"escalated on {as_of.isoformat()}: {total} {d.currency} overdue", "set_on": as_of}))
    return out


def _write_effects(session: Session, tenant: int, drafts: list[Draft], created: dict[ActionKey, int],
                  ) -> list[dict[str, Any]]:
    """Write the drafts of the actions this run created (a concurrent run's keys are dropped) with their action
    ids; returns the timeline events, which the caller writes with its own.  A step of the cycle, not a use case:
    the rows go straight to a bulk insert."""
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in ("timeline_events", "tasks", "escalation_cases",
                                                             "customer_flags")}
    messages: list[OutboxMessage] = []
    message_actions: list[int | None] = []
    for key, table, row in drafts:
        action_id = created.get(key)
        if action_id is None:
            continue
        if isinstance(row, OutboxMessage):
            messages.append(row)
            message_actions.append(action_id)
            continue
        if table == "timeline_events":
            row["ref"] = f"action:{action_id}"
        elif table != "customer_flags":
            row["action_id"] = action_id
        rows[table].append(row)
    enqueue(session, tenant, messages, action_ids=message_actions)
    repo.bulk_insert(session, TaskRow, rows["tasks"])
    repo.bulk_insert(session, EscalationCaseRow, rows["escalation_cases"])
    repo.set_flags(session, tenant, rows["customer_flags"])
    return rows["timeline_events"]
