"""Read use cases behind `cobro ledger summary` and `cobro customers list` (and the demo's tables): typed values.

The summary carries exact decimal text per currency (the API's `LedgerSummary`); customer balances stay integer
minor units per currency, formatted by the shells (`Money.from_minor`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from cobro.ledger.repository import parties
from cobro.ledger.repository import summary as ledger
from cobro.ledger.schemas.ledger import LedgerSummary


def ledger_summary(session: Session, tenant: int, as_of: dt.date | None) -> LedgerSummary:
    """Counts of customers and invoices and the open amount per currency; with `as_of`, open as of that day."""
    return LedgerSummary.model_validate(ledger.summary(session, tenant, as_of))


@dataclass(frozen=True, slots=True)
class CustomerBalance:
    """A customer with its open invoice balance per currency (minor units) and its count of open items."""

    code: str
    legal_name: str
    country: str
    segment: str
    collector: str
    behaviour: str  # the demo generator's ground truth; empty for real ledgers
    open_items: int
    balance_minor: dict[str, int] = field(default_factory=dict)


def list_customers(session: Session, tenant: int, *, limit: int = 200, search: str = "") -> list[CustomerBalance]:
    """Customers matching `search` (code or name), largest open balance first."""
    return [CustomerBalance(r.code, r.legal_name, r.country, r.segment, r.collector, r.behaviour, n, dict(balance))
            for r, balance, n in parties.list_customers(session, tenant, limit=limit, search=search)]


@dataclass(frozen=True, slots=True)
class CustomerRef:
    """A customer's id (the key other features' figures use) with its segment and the generator's behaviour."""

    id: int
    code: str
    segment: str
    behaviour: str


def customer_refs(session: Session, tenant: int) -> list[CustomerRef]:
    """Every customer of the tenant, in id (creation) order."""
    rows = [r for r, _, _ in parties.list_customers(session, tenant, limit=10**9)]
    return [CustomerRef(r.id, r.code, r.segment, r.behaviour) for r in sorted(rows, key=lambda r: r.id)]
