"""The ledger's reads for its own services, behind a protocol: ``uow.repo(LEDGER)`` is a `LedgerRepository`
(`SqlLedgerRepository` here, an in-memory one in ``tests/fakes.py``).  It hands back values, never rows; the SQL is
that of `parties` and `summary` (open amounts by `open_items`' rule)."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy.orm import Session

from cobro.kernel.money import Money
from cobro.kernel.types import DocumentKind
from cobro.ledger.domain.payments import Allocation
from cobro.ledger.records import CustomerRow
from cobro.ledger.repository import parties, summary
from cobro.ledger.schemas.statement import (
    CustomerBalance,
    CustomerProfile,
    CustomerRef,
    LedgerItem,
    StatementContact,
    StatementPayment,
)
from cobro.platform.uow import RepositoryKey


class LedgerRepository(Protocol):
    def summary(self, as_of: dt.date | None) -> dict[str, object]:
        """Counts and open amounts per currency as exact decimal text (`summary.summary`)."""
        ...

    def customer(self, code: str) -> CustomerProfile:
        """The customer with `code` (NotFoundError naming the code if there is none)."""
        ...

    def items(self, customer_id: int, as_of: dt.date) -> list[LedgerItem]:
        """Open invoice instalments and open credit notes as of `as_of`, by due date, number, instalment."""
        ...

    def unapplied(self, customer_id: int, as_of: dt.date) -> dict[str, int]:
        """Unapplied cash received by `as_of`, minor units per currency."""
        ...

    def contacts(self, customer_id: int) -> list[StatementContact]:
        """By role, then name."""
        ...

    def payments(self, customer_id: int, as_of: dt.date | None, limit: int = 20) -> list[StatementPayment]:
        """The latest payments received by `as_of`, newest first."""
        ...

    def balances(self, *, limit: int, search: str) -> list[CustomerBalance]:
        """Customers matching `search` (code or name) with their open balance now, largest first."""
        ...

    def refs(self) -> list[CustomerRef]:
        """Every customer, in id (creation) order."""
        ...

    def known_payment_refs(self, refs: list[str]) -> set[str]:
        """Which of `refs` are references of payments already recorded."""
        ...

    def record_payment(self, *, customer_id: int, reference: str, date: dt.date, amount: Money,
                       allocations: list[tuple[int, Allocation]], unapplied: Money, method: str, source: str) -> int:
        """Insert a payment and its allocations (instalment id, allocation); move paid/open; the payment's id."""
        ...


def profile(row: CustomerRow) -> CustomerProfile:
    limit = (Money.from_minor(row.credit_limit_minor, row.credit_limit_currency)
             if row.credit_limit_minor is not None and row.credit_limit_currency else None)
    return CustomerProfile(row.id, row.code, row.legal_name, row.country, row.tax_id, row.segment, row.account_owner,
                           row.collector, row.terms, row.language, limit, row.address, row.postal_code, row.city,
                           row.region)


class SqlLedgerRepository:
    def __init__(self, session: Session, tenant: int) -> None:
        self.session, self.tenant = session, tenant

    def summary(self, as_of: dt.date | None) -> dict[str, object]:
        return summary.summary(self.session, self.tenant, as_of)

    def customer(self, code: str) -> CustomerProfile:
        return profile(parties.get_customer(self.session, self.tenant, code))

    def items(self, customer_id: int, as_of: dt.date) -> list[LedgerItem]:
        return [LedgerItem(inv.number, DocumentKind(inv.kind), seq, inv.issue_date, due, minor, inv.currency,
                           inv.disputed)
                for inv, seq, due, minor in summary.customer_items(self.session, self.tenant, customer_id, as_of)]

    def unapplied(self, customer_id: int, as_of: dt.date) -> dict[str, int]:
        return summary.customer_unapplied(self.session, self.tenant, customer_id, as_of)

    def contacts(self, customer_id: int) -> list[StatementContact]:
        return [StatementContact(c.name, c.role, c.email, c.phone, c.preferred_channel)
                for c in parties.contacts_of(self.session, customer_id)]

    def payments(self, customer_id: int, as_of: dt.date | None, limit: int = 20) -> list[StatementPayment]:
        return [StatementPayment(p.reference, p.date, Money.from_minor(p.amount_minor, p.currency))
                for p in summary.customer_payments(self.session, customer_id, as_of, limit)]

    def balances(self, *, limit: int, search: str) -> list[CustomerBalance]:
        return [CustomerBalance(r.code, r.legal_name, r.country, r.segment, r.collector, r.behaviour, n, dict(b))
                for r, b, n in parties.list_customers(self.session, self.tenant, limit=limit, search=search)]

    def refs(self) -> list[CustomerRef]:
        rows = [r for r, _, _ in parties.list_customers(self.session, self.tenant, limit=10**9)]
        return [CustomerRef(r.id, r.code, r.segment, r.behaviour) for r in sorted(rows, key=lambda r: r.id)]

    def known_payment_refs(self, refs: list[str]) -> set[str]:
        return summary.existing_payment_refs(self.session, self.tenant, refs)

    def record_payment(self, *, customer_id: int, reference: str, date: dt.date, amount: Money,
                       allocations: list[tuple[int, Allocation]], unapplied: Money, method: str, source: str) -> int:
        return summary.record_payment(self.session, self.tenant, customer_id=customer_id, reference=reference,
                                      date=date, amount=amount, allocations=allocations, unapplied=unapplied,
                                      method=method, source=source)


LEDGER: RepositoryKey[LedgerRepository] = RepositoryKey("ledger", SqlLedgerRepository)
