"""What the ledger's read use cases hand back: frozen values carrying `Money`; `as_json()` rebuilds the JSON that
`cobro customers show --json` prints and `GET /api/customers/{code}` serves (amounts as plain strings on the
currency's grid, dates as ISO strings, kinds as their names)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cobro.kernel.money import Money
from cobro.kernel.types import DocumentKind


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    """A customer as the ledger holds it (`id` is the key other features' figures use)."""

    id: int
    code: str
    legal_name: str
    country: str
    tax_id: str
    segment: str
    account_owner: str
    collector: str
    terms: str
    language: str
    credit_limit: Money | None
    address: str = ""
    postal_code: str = ""
    city: str = ""
    region: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "legal_name": self.legal_name, "country": self.country, "tax_id": self.tax_id,
                "segment": self.segment, "account_owner": self.account_owner, "collector": self.collector,
                "terms": self.terms, "language": self.language,
                "credit_limit": str(self.credit_limit) if self.credit_limit else "",
                "address": {"street": self.address, "postal_code": self.postal_code, "city": self.city,
                            "region": self.region, "country": self.country}}

    def postal_lines(self) -> list[str]:
        """The address as a letter prints it: street, "postal code city", region; empty parts left out."""
        place = " ".join(p for p in (self.postal_code, self.city) if p)
        return [line for line in (self.address, place, self.region) if line]


@dataclass(frozen=True, slots=True)
class LedgerItem:
    """One item of a customer as of a day, as the repository reads it: an open invoice instalment, or an open
    credit note (one row, at its own due date; `open_minor` is positive for both)."""

    invoice: str
    kind: DocumentKind
    seq: int
    issue_date: dt.date
    due_date: dt.date
    open_minor: int
    currency: str
    disputed: bool


@dataclass(frozen=True, slots=True)
class StatementItem:
    invoice: str
    kind: DocumentKind
    seq: int
    issue_date: dt.date
    due_date: dt.date
    days_past_due: int  # a credit note is money owed to the customer: never past due (0)
    open: Money  # negative for credit notes
    disputed: bool

    @property
    def currency(self) -> str:
        return self.open.currency

    def as_json(self) -> dict[str, Any]:
        return {"invoice": self.invoice, "kind": str(self.kind), "seq": self.seq,
                "issue_date": self.issue_date.isoformat(), "due_date": self.due_date.isoformat(),
                "days_past_due": self.days_past_due, "open": self.open.format_plain(), "currency": self.currency,
                "disputed": self.disputed}


@dataclass(frozen=True, slots=True)
class StatementContact:
    name: str
    role: str
    email: str
    phone: str
    preferred_channel: str

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "email": self.email, "phone": self.phone,
                "preferred_channel": self.preferred_channel}


@dataclass(frozen=True, slots=True)
class StatementPayment:
    reference: str
    date: dt.date
    amount: Money

    @property
    def currency(self) -> str:
        return self.amount.currency

    def as_json(self) -> dict[str, Any]:
        return {"reference": self.reference, "date": self.date.isoformat(), "amount": self.amount.format_plain(),
                "currency": self.currency}


@dataclass(frozen=True, slots=True)
class CustomerStatement:
    """One customer as of a day: the items open then, the balance (open items net of credit notes and unapplied
    cash), the unapplied cash, the contacts and the latest payments received by then."""

    customer: CustomerProfile
    balance: Mapping[str, Money]
    unapplied: Mapping[str, Money]
    open_items: list[StatementItem] = field(default_factory=list)
    contacts: list[StatementContact] = field(default_factory=list)
    payments: list[StatementPayment] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"customer": self.customer.as_json(),
                "balance": {c: m.format_plain() for c, m in self.balance.items()},
                "unapplied": {c: m.format_plain() for c, m in self.unapplied.items()},
                "open_items": [i.as_json() for i in self.open_items],
                "contacts": [c.as_json() for c in self.contacts],
                "payments": [p.as_json() for p in self.payments]}


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


@dataclass(frozen=True, slots=True)
class CustomerRef:
    """A customer's id (the key other features' figures use) with its segment and the generator's behaviour."""

    id: int
    code: str
    segment: str
    behaviour: str
