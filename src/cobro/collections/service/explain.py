"""`cycle explain`: why each item of a customer is where it is, what comes next and when, and what pauses it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from cobro.collections.repository import cycle as repo
from cobro.collections.service.cycle import _plan_all
from cobro.collections.service.policy import policy_book
from cobro.kernel.money import Money
from cobro.ledger.repository import parties


def explain(session: Session, tenant_code: str, customer_code: str, *, as_of: dt.date) -> dict[str, Any]:
    tenant = parties.tenant_id(session, tenant_code)
    cust = parties.get_customer(session, tenant, customer_code)
    book = policy_book(session, tenant)
    chosen = book.for_customer(cust.id, cust.segment)
    items = repo.open_items(session, tenant, cust.id)
    hist = repo.histories(session, tenant, cust.id)
    pauses = repo.pauses(session, tenant, as_of, cust.id)
    decisions, problems = _plan_all(book, repo.customers(session, tenant, cust.id), items, hist, pauses, as_of=as_of,
                                   explain=True)
    out: dict[str, Any] = {
        "customer": cust.code, "as_of": as_of.isoformat(),
        "policy": f"{chosen[0]} v{chosen[1]}" if chosen else None, "problems": problems, "currencies": []}
    for d, (_name, _v, policy) in decisions:
        h = hist.get((cust.id, d.currency))
        entry: dict[str, Any] = {
            "currency": d.currency, "episode": d.episode or None,
            "steps_done": [{"step": s.step, "on": s.on.isoformat()} for s in (h.done if h and h.episode else ())],
            "items": [{"invoice": v.item.invoice, "seq": v.item.seq, "due_date": v.item.due_date.isoformat(),
                       "days_past_due": v.days_past_due,
                       "open": Money.from_minor(v.item.open_minor, d.currency).format_plain(),
                       "in_dunning": Money.from_minor(v.eligible_minor, d.currency).format_plain(),
                       "step": v.reached or None,
                       "why": (f"reached '{v.reached}' on {v.reached_on.isoformat()}" if v.reached_on
                               else "no step reached yet"),
                       "paused": v.paused or None} for v in d.items],
            "pauses": list(d.notes),
            "action_now": ({"step": d.action.step.id, "channel": d.action.step.channel, "reason": d.action.reason}
                           if d.action else None),
            "not_now": list(d.skipped),
            "next": ({"step": d.next_step, "channel": policy.step(d.next_step).channel  # type: ignore[union-attr]
                      if policy.step(d.next_step) else "",
                      "on": d.next_on.isoformat() if d.next_on else None} if d.next_step else None),
        }
        out["currencies"].append(entry)
    return out
