"""Read use cases behind `cobro matches alerts` and `cobro bank-account list`: typed values, never table rows."""

from __future__ import annotations

from cobro.cashapp.repository import matches as repo
from cobro.cashapp.schemas import Alert, BankAccount
from cobro.platform.uow import UnitOfWork

__all__ = ["Alert", "BankAccount", "alerts", "bank_accounts"]


def alerts(uow: UnitOfWork, limit: int = 100) -> list[Alert]:
    """The newest alerts first."""
    return [Alert(a.id, a.kind, a.customer_id, a.message, a.created_at)
            for a in repo.alerts(uow.session, uow.tenant.id, limit)]


def bank_accounts(uow: UnitOfWork) -> list[BankAccount]:
    """The tenant's own accounts, by IBAN."""
    return [BankAccount(r.iban, r.alias, r.currency, r.name) for r in repo.bank_accounts(uow.session, uow.tenant.id)]
