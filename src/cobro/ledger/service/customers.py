"""Customer use cases: the statement of one customer (balance, open items, contacts, payments)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from cobro.kernel.money import Money
from cobro.ledger.repository import parties
from cobro.ledger.repository import summary as ledger


def customer_statement(session: Session, tenant_code: str, code: str, *, as_of: dt.date) -> dict[str, Any]:
    """One customer as of `as_of`: the items open then (the ledger's open-as-of rule), the credit notes issued and
    the unapplied cash received by then, netted into `balance`, and the payments received by then."""
    tenant = parties.tenant_id(session, tenant_code)
    cust = parties.get_customer(session, tenant, code)
    balance: dict[str, int] = defaultdict(int)
    open_items: list[dict[str, Any]] = []
    for inv, seq, due, open_minor in ledger.customer_items(session, tenant, cust.id, as_of):
        sign = -1 if inv.kind == "credit_note" else 1
        balance[inv.currency] += sign * open_minor
        open_items.append({
            "invoice": inv.number, "kind": inv.kind, "seq": seq, "issue_date": inv.issue_date.isoformat(),
            "due_date": due.isoformat(),
            # a credit note is money owed to the customer: it is never past due
            "days_past_due": 0 if inv.kind == "credit_note" else (as_of - due).days,
            "open": Money.from_minor(sign * open_minor, inv.currency).format_plain(), "currency": inv.currency,
            "disputed": inv.disputed,
        })
    unapplied = ledger.customer_unapplied(session, tenant, cust.id, as_of)
    for cur, minor in unapplied.items():
        balance[cur] -= minor
    limit = (Money.from_minor(cust.credit_limit_minor, cust.credit_limit_currency)
             if cust.credit_limit_minor is not None and cust.credit_limit_currency else None)
    return {
        "customer": {"code": cust.code, "legal_name": cust.legal_name, "country": cust.country,
                     "tax_id": cust.tax_id, "segment": cust.segment, "account_owner": cust.account_owner,
                     "collector": cust.collector, "terms": cust.terms, "language": cust.language,
                     "credit_limit": str(limit) if limit else ""},
        "balance": {c: Money.from_minor(v, c).format_plain() for c, v in balance.items()},
        "unapplied": {c: Money.from_minor(v, c).format_plain() for c, v in unapplied.items()},
        "open_items": open_items,
        "contacts": [{"name": c.name, "role": c.role, "email": c.email, "phone": c.phone,
                      "preferred_channel": c.preferred_channel} for c in parties.contacts_of(session, cust.id)],
        "payments": [{"reference": p.reference, "date": p.date.isoformat(),
                      "amount": Money.from_minor(p.amount_minor, p.currency).format_plain(), "currency": p.currency}
                     for p in ledger.customer_payments(session, cust.id, as_of)],
    }
