"""`cycle explain`: why each item of a customer is where it is, what comes next and when, and what pauses it."""

from __future__ import annotations

import datetime as dt

from cobro.collections.repository import cycle as repo
from cobro.collections.schemas.explain import CurrencyExplanation, ExplainedItem, Explanation, PlannedStep
from cobro.collections.service.cycle import _plan_all
from cobro.collections.service.policy import policy_book
from cobro.ledger.service import lookup
from cobro.platform.uow import UnitOfWork


def explain(uow: UnitOfWork, customer_code: str, *, as_of: dt.date) -> Explanation:
    session, tenant = uow.session, uow.tenant.id
    cust = lookup.customer(session, tenant, customer_code)
    book = policy_book(uow)
    chosen = book.for_customer(cust.id, cust.segment)
    items = repo.open_items(session, tenant, cust.id)
    hist = repo.histories(session, tenant, cust.id)
    pauses = repo.pauses(session, tenant, as_of, cust.id)
    decisions, problems = _plan_all(book, repo.customers(session, tenant, cust.id), items, hist, pauses, as_of=as_of,
                                    explain=True)
    currencies = []
    for d, (_name, _v, policy) in decisions:
        h = hist.get((cust.id, d.currency))
        nxt = policy.step(d.next_step) if d.next_step else None
        currencies.append(CurrencyExplanation(
            currency=d.currency, episode=d.episode or None,
            steps_done=tuple(PlannedStep(s.step, on=s.on) for s in (h.done if h and h.episode else ())),
            items=tuple(ExplainedItem(
                v.item.invoice, v.item.seq, v.item.due_date, v.days_past_due, v.item.open_minor, v.eligible_minor,
                d.currency, v.reached or None,
                f"reached '{v.reached}' on {v.reached_on.isoformat()}" if v.reached_on else "no step reached yet",
                v.paused or None) for v in d.items),
            pauses=tuple(d.notes),
            action_now=(PlannedStep(d.action.step.id, d.action.step.channel, reason=d.action.reason)
                        if d.action else None),
            not_now=tuple(d.skipped),
            next=(PlannedStep(d.next_step, nxt.channel if nxt else "", d.next_on) if d.next_step else None)))
    return Explanation(cust.code, as_of, f"{chosen[0]} v{chosen[1]}" if chosen else None, tuple(problems),
                       tuple(currencies))
