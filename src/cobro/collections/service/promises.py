"""Promises to pay: recorded by a collector (or from a call outcome), evaluated by the cycle from payments."""

from __future__ import annotations

import datetime as dt

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.collections.repository.work import WORK
from cobro.collections.schemas.work import PromiseRecord
from cobro.collections.service.policy import policy_book
from cobro.kernel.amounts import AmountError, parse_amount
from cobro.kernel.errors import InvalidInputError, NotFoundError
from cobro.kernel.money import Money, MoneyError, check_currency
from cobro.platform.uow import Uow
from cobro.webhooks import service as webhooks

DEFAULT_GRACE_DAYS = 3  # for a customer no policy covers


def add_promise(uow: Uow, *, customer: str, amount: str, currency: str, due_on: dt.date, today: dt.date,
                contact: str = "", channel: str = "phone", grace_days: int | None = None, user: str = "",
                task_id: int | None = None) -> PromiseRecord:
    """`currency` "" means the currency the customer owes in (refused when it owes in several). A promise only
    pauses the items in its currency, so one in a currency with nothing open would pause nothing: refused."""
    if due_on < today:
        raise InvalidInputError("due_on: a promise to pay is for today or later")
    repo = uow.repo(WORK)
    cust = repo.customer(customer)
    owed = repo.open_currencies(cust.id)
    if not currency:
        if len(owed) != 1:
            raise InvalidInputError(f"customer: {customer} has no open invoices; nothing to promise" if not owed else
                                    f"currency: {customer} owes in {', '.join(owed)}: say which with --currency")
        currency = owed[0]
    try:
        # the one grammar (kernel.amounts): no silent rounding, no 1e30, inside the bound
        money = Money.of(parse_amount(str(amount), check_currency(currency)), currency)
    except (MoneyError, AmountError) as exc:
        raise InvalidInputError(f"amount: {amount!r} {currency} is not an amount: {exc}") from exc
    if not money.is_positive():
        raise InvalidInputError("amount: a promise is for a positive amount")
    if money.currency not in owed:
        raise InvalidInputError(f"currency: {customer} has nothing open in {money.currency} "
                                f"(open: {', '.join(owed) or 'nothing'}); the promise would pause nothing")
    if grace_days is None:  # the customer's policy says how long a promise pauses dunning after its date
        chosen = policy_book(uow).for_customer(cust.id, cust.segment)
        grace_days = chosen[2].promise_grace_days if chosen else DEFAULT_GRACE_DAYS
    grace = grace_days
    if not 0 <= grace <= 60:
        raise InvalidInputError("grace_days: grace days must be 0..60")
    row = repo.add_promise(customer_id=cust.id, currency=money.currency, amount_minor=money.to_minor(),
                           promised_on=today, due_on=due_on, grace_days=grace, contact=contact, channel=channel,
                           task_id=task_id, created_by=user)
    repo.timeline(cust.id, day=today, kind="promise.made", ref=f"promise:{row.id}", actor=user,
                  summary=f"promise to pay {money.format_plain()} {money.currency} by {due_on} "
                          f"(contact {contact or '-'}, {channel}); dunning paused until "
                          f"{due_on + dt.timedelta(days=grace)}")
    audit.record(uow, Change("promise", str(row.id), "make", None, row.as_json()), user=user)
    webhooks.emit(uow, "promise.created", entity=f"promise:{row.id}", data=row.as_json())
    return row


def list_promises(uow: Uow, *, status: str = "") -> list[PromiseRecord]:
    return uow.repo(WORK).promises(status)


def get_promise(uow: Uow, promise_id: int) -> PromiseRecord:
    """One promise of the tenant (read through the listing: the repository has no single-row read yet)."""
    found = next((p for p in uow.repo(WORK).promises("") if p.id == promise_id), None)
    if found is None:
        raise NotFoundError(f"no promise #{promise_id}")
    return found
