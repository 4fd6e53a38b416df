"""Promises to pay: recorded by a collector (or from a call outcome), evaluated by the cycle from payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cobro.collections.records import PromiseRow
from cobro.collections.repository import work
from cobro.collections.service.policy import policy_book
from cobro.kernel.errors import InvalidInputError
from cobro.kernel.money import Money, MoneyError
from cobro.ledger.repository import parties
from cobro.ledger.repository import summary as ledger


def add_promise(session: Session, tenant_code: str, *, customer: str, amount: str, currency: str, due_on: dt.date,
                today: dt.date, contact: str = "", channel: str = "phone", grace_days: int | None = None,
                user: str = "", task_id: int | None = None) -> PromiseRow:
    """`currency` "" means the currency the customer owes in (refused when it owes in several). A promise only
    pauses the items in its currency, so one in a currency with nothing open would pause nothing: refused."""
    if due_on < today:
        raise InvalidInputError("a promise to pay is for today or later")
    tenant = parties.tenant_id(session, tenant_code)
    cust = parties.get_customer(session, tenant, customer)
    owed = sorted({inv.currency for inv, inst in ledger.customer_open_items(session, cust.id)
                   if inv.kind == "invoice" and inst.open_minor > 0})
    if not currency:
        if len(owed) != 1:
            raise InvalidInputError(f"{customer} has no open invoices; nothing to promise" if not owed else
                                    f"{customer} owes in {', '.join(owed)}: say which with --currency")
        currency = owed[0]
    try:
        money = Money.of(Decimal(amount), currency)
    except (MoneyError, ArithmeticError) as exc:
        raise InvalidInputError(f"{amount!r} {currency} is not an amount") from exc
    if not money.is_positive():
        raise InvalidInputError("a promise is for a positive amount")
    if money.currency not in owed:
        raise InvalidInputError(f"{customer} has nothing open in {money.currency} "
                                f"(open: {', '.join(owed) or 'nothing'}); the promise would pause nothing")
    if grace_days is None:  # the customer's policy says how long a promise pauses dunning after its date
        chosen = policy_book(session, tenant).for_customer(cust.id, cust.segment)
        grace_days = chosen[2].promise_grace_days if chosen else 3
    grace = grace_days
    if not 0 <= grace <= 60:
        raise InvalidInputError("grace days must be 0..60")
    row = work.add(session, PromiseRow(
        tenant_id=tenant, customer_id=cust.id, currency=money.currency, amount_minor=money.to_minor(),
        promised_on=today, due_on=due_on, grace_days=grace, contact=contact, channel=channel, status="pending",
        paid_minor=0, task_id=task_id, created_by=user))
    work.timeline(session, tenant, cust.id, day=today, kind="promise.made", ref=f"promise:{row.id}", actor=user,
                  summary=f"promise to pay {money.format_plain()} {money.currency} by {due_on} "
                          f"(contact {contact or '-'}, {channel}); dunning paused until "
                          f"{due_on + dt.timedelta(days=grace)}")
    return row


def list_promises(session: Session, tenant_code: str, *, status: str = "") -> list[dict[str, Any]]:
    tenant = parties.tenant_id(session, tenant_code)
    rows = work.promises(session, tenant, status)
    codes = work.customer_codes(session, {r.customer_id for r in rows})
    return [{"id": r.id, "customer": codes.get(r.customer_id, ""),
             "amount": Money.from_minor(r.amount_minor, r.currency).format_plain(), "currency": r.currency,
             "due_on": r.due_on.isoformat(), "grace_days": r.grace_days, "contact": r.contact, "channel": r.channel,
             "status": r.status, "paid": Money.from_minor(r.paid_minor, r.currency).format_plain()} for r in rows]
