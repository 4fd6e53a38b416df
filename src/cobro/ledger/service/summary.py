"""Read use cases behind `cobro ledger summary` and `cobro customers list` (and the demo's tables): typed values.

The summary carries exact decimal text per currency (the API's `LedgerSummary`); customer balances stay integer
minor units per currency, formatted by the shells (`Money.from_minor`).
"""

from __future__ import annotations

import datetime as dt

from cobro.ledger.repository.store import LEDGER
from cobro.ledger.schemas.ledger import LedgerSummary
from cobro.ledger.schemas.statement import CustomerBalance, CustomerRef
from cobro.platform.uow import Uow

__all__ = ["CustomerBalance", "CustomerRef", "customer_refs", "ledger_summary", "list_customers"]


def ledger_summary(uow: Uow, as_of: dt.date | None) -> LedgerSummary:
    """Counts of customers and invoices and the open amount per currency; with `as_of`, open as of that day."""
    return LedgerSummary.model_validate(uow.repo(LEDGER).summary(as_of))


def list_customers(uow: Uow, *, limit: int = 200, search: str = "") -> list[CustomerBalance]:
    """Customers matching `search` (code or name), largest open balance first."""
    return uow.repo(LEDGER).balances(limit=limit, search=search)


def customer_refs(uow: Uow) -> list[CustomerRef]:
    """Every customer of the tenant, in id (creation) order."""
    return uow.repo(LEDGER).refs()
