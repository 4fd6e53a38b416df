"""Credit check use case: effective limit, exposure, headroom and credit stop for one customer or all.

The limit comes from the customer record, else the customer's collection policy (`credit.limit`); an approved
`higher_limit` exception in force on `as_of` raises it (rules in `cobro.collections.domain.credit`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from cobro.collections.domain.credit import CreditCheck, check_credit
from cobro.collections.repository import credit as repo
from cobro.collections.service.policy import policy_book
from cobro.kernel.errors import NotFoundError
from cobro.kernel.money import Money
from cobro.ledger.records import CustomerRow
from cobro.ledger.repository import parties


def _record_limit(row: CustomerRow) -> Money | None:
    if row.credit_limit_minor is None or not row.credit_limit_currency:
        return None
    return Money.from_minor(row.credit_limit_minor, row.credit_limit_currency)


def checks(session: Session, tenant_code: str, as_of: dt.date, customer: str = "") -> list[CreditCheck]:
    """Every customer's credit check (one, with `customer`), by customer code."""
    tenant = parties.tenant_id(session, tenant_code)
    rows = repo.customers(session, tenant, customer)
    if customer and not rows:
        raise NotFoundError(f"no customer with code {customer!r}")
    one = rows[0].id if customer else None
    book = policy_book(session, tenant)
    exposure = repo.open_invoices(session, tenant, as_of, one)
    credit = repo.credits(session, tenant, as_of, one)
    exceptions = repo.limit_exceptions(session, tenant, one)
    out = []
    for row in rows:
        resolved = book.for_customer(row.id, row.segment)
        policy_limits = {cur: Money.from_minor(minor, cur) for cur, minor in resolved[2].credit_limits} \
            if resolved else {}
        out.append(check_credit(
            row.code, as_of, customer_limit=_record_limit(row), policy_limits=policy_limits,
            open_invoices={c: Money.from_minor(m, c) for c, m in exposure.get(row.id, {}).items()},
            credits={c: Money.from_minor(m, c) for c, m in credit.get(row.id, {}).items()},
            exceptions=exceptions.get(row.id, ())))
    return out


def check(session: Session, tenant_code: str, as_of: dt.date, customer: str = "") -> list[dict[str, Any]]:
    """`checks` as plain data (amounts as decimal strings), for the CLI and JSON."""
    return [c.as_dict() for c in checks(session, tenant_code, as_of, customer)]
