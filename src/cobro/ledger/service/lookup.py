"""Typed look-ups of one customer for other features: its record, its contacts, its open invoice items.

Other features (collections' terms letters, evidence packs and pauses) read the ledger through these instead of
its records or repositories; the values are frozen and carry no session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from cobro.kernel.money import Money
from cobro.kernel.types import DocumentKind
from cobro.ledger.records import CustomerRow
from cobro.ledger.repository import parties
from cobro.ledger.repository import summary as ledger


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """A customer as the ledger holds it; the credit limit is in minor units of `credit_limit_currency`."""

    id: int
    code: str
    legal_name: str
    tax_id: str
    country: str
    segment: str
    collector: str
    language: str
    terms: str
    credit_limit_minor: int | None
    credit_limit_currency: str

    @property
    def credit_limit(self) -> Money | None:
        """The limit on the record, None when it has none (or no currency for it)."""
        if self.credit_limit_minor is None or not self.credit_limit_currency:
            return None
        return Money.from_minor(self.credit_limit_minor, self.credit_limit_currency)


@dataclass(frozen=True, slots=True)
class ContactRecord:
    name: str
    role: str
    email: str
    phone: str
    language: str


@dataclass(frozen=True, slots=True)
class OpenInvoiceItem:
    """One open instalment of an invoice (credit notes are not items to collect)."""

    invoice: str
    seq: int
    issue_date: dt.date
    due_date: dt.date
    open_minor: int
    currency: str


def _record(row: CustomerRow) -> CustomerRecord:
    return CustomerRecord(row.id, row.code, row.legal_name, row.tax_id or "", row.country or "", row.segment or "",
                          row.collector or "", row.language or "", row.terms or "", row.credit_limit_minor,
                          row.credit_limit_currency or "")


def customer(session: Session, tenant: int, code: str) -> CustomerRecord:
    """The tenant's customer with `code` (NotFoundError naming the code if there is none)."""
    return _record(parties.get_customer(session, tenant, code))


def contacts(session: Session, customer_id: int) -> list[ContactRecord]:
    """The customer's contacts by role, then name."""
    return [ContactRecord(c.name, c.role, c.email or "", c.phone or "", c.language or "")
            for c in parties.contacts_of(session, customer_id)]


def open_invoice_items(session: Session, customer_id: int) -> list[OpenInvoiceItem]:
    """The customer's invoice instalments open now, by due date (the ledger's open rule)."""
    return [OpenInvoiceItem(inv.number, inst.seq, inv.issue_date, inst.due_date, inst.open_minor, inv.currency)
            for inv, inst in ledger.customer_open_items(session, customer_id)
            if inv.kind == DocumentKind.INVOICE and inst.open_minor > 0]
