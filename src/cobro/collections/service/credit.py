"""Credit check use case: effective limit, exposure, headroom and credit stop for one customer or all.

The limit comes from the customer record, else the customer's collection policy (`credit.limit`); an approved
`higher_limit` exception in force on `as_of` raises it (rules in `cobro.collections.domain.credit`).
"""

from __future__ import annotations

import datetime as dt

from cobro.collections.domain.credit import CreditCheck, check_credit
from cobro.collections.repository import credit as repo
from cobro.collections.service.policy import policy_book
from cobro.kernel.errors import NotFoundError
from cobro.kernel.money import Money
from cobro.platform.uow import UnitOfWork


def _record_limit(minor: int | None, currency: str) -> Money | None:
    if minor is None or not currency:
        return None
    return Money.from_minor(minor, currency)


def checks(uow: UnitOfWork, as_of: dt.date, customer: str = "") -> list[CreditCheck]:
    """Every customer's credit check (one, with `customer`), by customer code; `as_dict()` is its JSON."""
    session, tenant = uow.session, uow.tenant.id
    rows = repo.customers(session, tenant, customer)
    if customer and not rows:
        raise NotFoundError(f"no customer with code {customer!r}")
    one = rows[0].id if customer else None
    book = policy_book(uow)
    exposure = repo.open_invoices(session, tenant, as_of, one)
    credit = repo.credits(session, tenant, as_of, one)
    exceptions = repo.limit_exceptions(session, tenant, one)
    out = []
    for row in rows:
        resolved = book.for_customer(row.id, row.segment)
        policy_limits = {cur: Money.from_minor(minor, cur) for cur, minor in resolved[2].credit_limits} \
            if resolved else {}
        out.append(check_credit(
            row.code, as_of, customer_limit=_record_limit(row.credit_limit_minor, row.credit_limit_currency),
            policy_limits=policy_limits,
            open_invoices={c: Money.from_minor(m, c) for c, m in exposure.get(row.id, {}).items()},
            credits={c: Money.from_minor(m, c) for c, m in credit.get(row.id, {}).items()},
            exceptions=exceptions.get(row.id, ())))
    return out
