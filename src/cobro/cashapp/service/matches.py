"""Read use cases behind `cobro matches alerts` and `cobro bank-account list`: typed values, never table rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from cobro.cashapp.repository import matches as repo


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert raised by cash application (a direct-debit return or reject)."""

    id: int
    kind: str
    customer_id: int | None
    message: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class BankAccount:
    """One of the tenant's own accounts; `alias` is how statements name it when not by IBAN."""

    iban: str
    alias: str
    currency: str
    name: str


def alerts(session: Session, tenant: int, limit: int = 100) -> list[Alert]:
    """The newest alerts first."""
    return [Alert(a.id, a.kind, a.customer_id, a.message, a.created_at) for a in repo.alerts(session, tenant, limit)]


def bank_accounts(session: Session, tenant: int) -> list[BankAccount]:
    """The tenant's own accounts, by IBAN."""
    return [BankAccount(r.iban, r.alias, r.currency, r.name) for r in repo.bank_accounts(session, tenant)]
