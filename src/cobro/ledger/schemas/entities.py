"""Typed inputs and outputs of the ledger's single-entity use cases (`ledger/service/customers_write.py`,
`documents.py`): what the API's creates, updates and listings pass in and get back.

Inputs carry text as entered (amounts as decimal strings, validated by the service with `ledger.domain.fields`);
outputs carry `Money` and enums.  A `*Changes` value names only the fields to change: `None` leaves one as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cobro.kernel.money import Money
from cobro.kernel.types import Channel, ContactRole, DocumentKind, InvoiceStatus


@dataclass(frozen=True, slots=True)
class CustomerInput:
    code: str
    legal_name: str
    country: str = "ES"
    tax_id: str = ""
    segment: str = ""
    account_owner: str = ""
    collector: str = ""
    credit_limit: str = ""  # decimal text in credit_limit_currency; "" for none
    credit_limit_currency: str = "EUR"
    language: str = "es"
    terms: str = "net 30"


@dataclass(frozen=True, slots=True)
class CustomerChanges:
    legal_name: str | None = None
    country: str | None = None
    tax_id: str | None = None
    segment: str | None = None
    account_owner: str | None = None
    collector: str | None = None
    credit_limit: str | None = None  # "" removes the limit
    credit_limit_currency: str | None = None
    language: str | None = None
    terms: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerQuery:
    """Filters of a customer listing; `sort` is one of `CUSTOMER_SORTS`."""

    segment: str = ""
    collector: str = ""
    country: str = ""
    search: str = ""
    sort: str = "code"


CUSTOMER_SORTS = ("code", "-code", "legal_name", "-legal_name")


@dataclass(frozen=True, slots=True)
class CustomerFields:
    """The customer's record as validated values, ready to be stored."""

    legal_name: str
    country: str
    tax_id: str
    segment: str
    account_owner: str
    collector: str
    credit_limit_minor: int | None
    credit_limit_currency: str
    language: str
    terms: str


@dataclass(frozen=True, slots=True)
class ContactInput:
    name: str
    role: str = "administration"
    email: str = ""
    phone: str = ""
    preferred_channel: str = "email"
    language: str = ""


@dataclass(frozen=True, slots=True)
class ContactChanges:
    name: str | None = None
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    preferred_channel: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class ContactView:
    id: int
    customer_code: str
    name: str
    role: ContactRole
    email: str
    phone: str
    preferred_channel: Channel
    language: str


@dataclass(frozen=True, slots=True)
class InstalmentInput:
    due_date: dt.date
    amount: str


@dataclass(frozen=True, slots=True)
class InvoiceInput:
    """An invoice; without `instalments` it is owed in one, due on `due_date` (else by `terms` from the issue
    date, else by the customer's terms)."""

    number: str
    customer_code: str
    issue_date: dt.date
    currency: str
    amount: str
    due_date: dt.date | None = None
    terms: str = ""
    instalments: tuple[InstalmentInput, ...] = ()
    disputed: bool = False
    channel: str = ""


@dataclass(frozen=True, slots=True)
class CreditNoteInput:
    number: str
    customer_code: str
    issue_date: dt.date
    currency: str
    amount: str
    corrects: str = ""  # the number of the invoice it corrects, if it names one


@dataclass(frozen=True, slots=True)
class InvoiceQuery:
    customer: str = ""
    status: InvoiceStatus | None = None
    kind: DocumentKind | None = None
    currency: str = ""
    due_before: dt.date | None = None  # due on or before
    due_after: dt.date | None = None  # due on or after
    sort: str = "due_date"


INVOICE_SORTS = ("due_date", "-due_date", "issue_date", "-issue_date", "number", "-number")


@dataclass(frozen=True, slots=True)
class InstalmentView:
    seq: int
    due_date: dt.date
    amount: Money
    paid: Money

    @property
    def open(self) -> Money:
        return self.amount - self.paid


@dataclass(frozen=True, slots=True)
class InvoiceView:
    id: int
    number: str
    kind: DocumentKind
    customer_code: str
    issue_date: dt.date
    due_date: dt.date
    amount: Money
    open: Money
    status: InvoiceStatus
    disputed: bool
    corrects: str
    channel: str
    terms: str
    instalments: tuple[InstalmentView, ...]


@dataclass(frozen=True, slots=True)
class AllocationInput:
    """Money of a payment put on one invoice: on instalment `seq`, or on its open instalments oldest first."""

    invoice_number: str
    amount: str
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class PaymentInput:
    """A payment received.  `allocations` None: allocated by the ledger's rule (the invoices named in
    `invoice_numbers` first, then the oldest due); `unallocated`: kept whole as the customer's credit."""

    reference: str
    customer_code: str
    date: dt.date
    currency: str
    amount: str
    method: str = ""
    allocations: tuple[AllocationInput, ...] | None = None
    invoice_numbers: tuple[str, ...] = ()
    unallocated: bool = False


@dataclass(frozen=True, slots=True)
class PaymentQuery:
    customer: str = ""
    currency: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True, slots=True)
class AllocationView:
    invoice_number: str
    seq: int
    amount: Money


@dataclass(frozen=True, slots=True)
class PaymentView:
    id: int
    reference: str
    customer_code: str
    date: dt.date
    amount: Money
    unapplied: Money
    method: str
    allocations: tuple[AllocationView, ...]

    def as_json(self) -> dict[str, Any]:
        """The payment as the API answers it and the `payment.applied` webhook carries it."""
        return {"reference": self.reference, "customer_code": self.customer_code, "date": self.date.isoformat(),
                "currency": self.amount.currency, "amount": self.amount.format_plain(),
                "unapplied": self.unapplied.format_plain(), "method": self.method,
                "allocations": [{"invoice_number": a.invoice_number, "seq": a.seq, "amount": a.amount.format_plain()}
                                for a in self.allocations]}
