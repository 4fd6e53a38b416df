"""Customer use cases: the statement of one customer (balance, open items, contacts, payments)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from cobro.kernel.money import Money
from cobro.kernel.types import DocumentKind
from cobro.ledger.repository.store import LEDGER
from cobro.ledger.schemas.statement import CustomerProfile, CustomerStatement, StatementItem
from cobro.platform.uow import Uow


def customer_statement(uow: Uow, code: str, *, as_of: dt.date) -> CustomerStatement:
    """One customer as of `as_of`: the items open then (the ledger's open-as-of rule), the credit notes issued and
    the unapplied cash received by then, netted into `balance`, and the payments received by then."""
    repo = uow.repo(LEDGER)
    cust = repo.customer(code)
    balance: dict[str, int] = defaultdict(int)
    open_items: list[StatementItem] = []
    for item in repo.items(cust.id, as_of):
        note = item.kind == DocumentKind.CREDIT_NOTE
        sign = -1 if note else 1
        balance[item.currency] += sign * item.open_minor
        open_items.append(StatementItem(item.invoice, item.kind, item.seq, item.issue_date, item.due_date,
                                        # a credit note is money owed to the customer: it is never past due
                                        0 if note else (as_of - item.due_date).days,
                                        Money.from_minor(sign * item.open_minor, item.currency), item.disputed))
    unapplied = repo.unapplied(cust.id, as_of)
    for cur, minor in unapplied.items():
        balance[cur] -= minor
    return CustomerStatement(cust, {c: Money.from_minor(v, c) for c, v in balance.items()},
                             {c: Money.from_minor(v, c) for c, v in unapplied.items()}, open_items,
                             repo.contacts(cust.id), repo.payments(cust.id, as_of))


def customer_profile(uow: Uow, code: str) -> CustomerProfile:
    """The customer with `code` as the ledger holds it (NotFoundError naming the code if there is none)."""
    return uow.repo(LEDGER).customer(code)
