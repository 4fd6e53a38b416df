"""Request and response bodies of the ledger's `/api/v1` routes, and their conversions from the services' values.

Amounts travel as decimal strings (`"1234.50"`), never JSON numbers, so nothing passes through a float; the
service checks them with the one amount grammar in the document's currency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from cobro.kernel.money import Money
from cobro.ledger.schemas.entities import ContactView, InvoiceView, PaymentView
from cobro.ledger.schemas.statement import CustomerProfile
from cobro.platform.http.paging import Page, encode_cursor
from cobro.platform.http.params import Day
from cobro.platform.http.schemas import Amount, Currency

Text = Annotated[str, Field(max_length=300)]
Short = Annotated[str, Field(max_length=120)]
V = TypeVar("V")
Out = TypeVar("Out", bound=BaseModel)

AmountIn = Annotated[str, Field(min_length=1, max_length=64, examples=["1234.50"],
                                description="Decimal text in major units, decimal point (no float)")]


def page(found: Sequence[V], limit: int, key_of: Callable[[V], list[str | int]], out: Callable[[V], Out]) -> Page[Out]:
    """A page from `limit + 1` values a service found: the extra one only says that a next page exists; the
    cursor carries the last shown value's sort key (its sort column and id)."""
    shown = found[:limit]
    more = len(found) > limit and bool(shown)
    return Page[Out](items=[out(v) for v in shown], next_cursor=encode_cursor(key_of(shown[-1])) if more else None)


class MoneyOut(BaseModel):
    amount: Amount
    currency: Currency


def money_out(value: Money) -> MoneyOut:
    return MoneyOut(amount=value.format_plain(), currency=value.currency)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is an error naming it, not silently dropped


class CustomerIn(Strict):
    code: Annotated[str, Field(min_length=1, max_length=64)]
    legal_name: Text
    country: Annotated[str, Field(max_length=2, description="ISO 3166 two-letter code")] = "ES"
    tax_id: Annotated[str, Field(max_length=40)] = ""
    segment: Annotated[str, Field(max_length=60)] = ""
    account_owner: Short = ""
    collector: Short = ""
    credit_limit: Annotated[str, Field(max_length=64, description="Decimal text; empty for none")] = ""
    credit_limit_currency: Annotated[str, Field(max_length=3)] = "EUR"
    language: Annotated[str, Field(max_length=8)] = "es"
    terms: Annotated[str, Field(max_length=60, examples=["net 30", "eom 60 pay days 10,25"])] = "net 30"

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "code": "C100", "legal_name": "Construcciones Peña SL", "country": "ES", "tax_id": "B12345674",
        "segment": "construction", "collector": "Ana Ruiz", "credit_limit": "25000.00",
        "credit_limit_currency": "EUR", "terms": "net 60"}]})


class CustomerPatch(Strict):
    """Only the fields sent change; `credit_limit: ""` removes the limit."""

    legal_name: Text | None = None
    country: Annotated[str, Field(max_length=2)] | None = None
    tax_id: Annotated[str, Field(max_length=40)] | None = None
    segment: Annotated[str, Field(max_length=60)] | None = None
    account_owner: Short | None = None
    collector: Short | None = None
    credit_limit: Annotated[str, Field(max_length=64)] | None = None
    credit_limit_currency: Annotated[str, Field(max_length=3)] | None = None
    language: Annotated[str, Field(max_length=8)] | None = None
    terms: Annotated[str, Field(max_length=60)] | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"collector": "Luis Gil", "credit_limit": "30000.00"}]})


class CustomerOut(BaseModel):
    code: str
    legal_name: str
    country: str
    tax_id: str
    segment: str
    account_owner: str
    collector: str
    terms: str
    language: str
    credit_limit: MoneyOut | None


def customer_out(c: CustomerProfile) -> CustomerOut:
    return CustomerOut(code=c.code, legal_name=c.legal_name, country=c.country, tax_id=c.tax_id, segment=c.segment,
                       account_owner=c.account_owner, collector=c.collector, terms=c.terms, language=c.language,
                       credit_limit=money_out(c.credit_limit) if c.credit_limit else None)


class ContactIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Annotated[str, Field(max_length=20, examples=["administration", "finance", "management", "other"])] = \
        "administration"
    email: Annotated[str, Field(max_length=200)] = ""
    phone: Annotated[str, Field(max_length=40)] = ""
    preferred_channel: Annotated[str, Field(max_length=20, examples=["email"])] = "email"
    language: Annotated[str, Field(max_length=8)] = ""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "María Peña", "role": "finance", "email": "maria@pena.example", "phone": "+34 600 000 001"}]})


class ContactPatch(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    role: Annotated[str, Field(max_length=20)] | None = None
    email: Annotated[str, Field(max_length=200)] | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None
    preferred_channel: Annotated[str, Field(max_length=20)] | None = None
    language: Annotated[str, Field(max_length=8)] | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"email": "cobros@pena.example"}]})


class ContactOut(BaseModel):
    id: int
    customer_code: str
    name: str
    role: str
    email: str
    phone: str
    preferred_channel: str
    language: str


def contact_out(c: ContactView) -> ContactOut:
    return ContactOut(id=c.id, customer_code=c.customer_code, name=c.name, role=c.role.value, email=c.email,
                      phone=c.phone, preferred_channel=c.preferred_channel.value, language=c.language)


class InstalmentIn(Strict):
    due_date: Day
    amount: AmountIn


class InvoiceIn(Strict):
    number: Annotated[str, Field(min_length=1, max_length=64)]
    customer_code: Annotated[str, Field(min_length=1, max_length=64)]
    issue_date: Day
    currency: Annotated[str, Field(max_length=3, examples=["EUR"])]
    amount: AmountIn
    due_date: Day | None = Field(default=None, description="Default: by `terms`, else the customer's terms")
    terms: Annotated[str, Field(max_length=60)] = ""
    instalments: Annotated[list[InstalmentIn], Field(max_length=120)] = Field(
        default_factory=list, description="Owed in parts, each with its due date; the amounts sum to `amount`")
    disputed: bool = False
    channel: Annotated[str, Field(max_length=20)] = ""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"number": "F-2026-0001", "customer_code": "C001", "issue_date": "2026-03-01", "currency": "EUR",
         "amount": "1210.00", "due_date": "2026-03-31"},
        {"number": "F-2026-0002", "customer_code": "C001", "issue_date": "2026-03-01", "currency": "EUR",
         "amount": "3000.00", "instalments": [{"due_date": "2026-04-01", "amount": "1500.00"},
                                              {"due_date": "2026-05-01", "amount": "1500.00"}]}]})


class CreditNoteIn(Strict):
    number: Annotated[str, Field(min_length=1, max_length=64)]
    customer_code: Annotated[str, Field(min_length=1, max_length=64)]
    issue_date: Day
    currency: Annotated[str, Field(max_length=3)]
    amount: AmountIn
    corrects: Annotated[str, Field(max_length=64, description="Number of the invoice it corrects, if any")] = ""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"number": "R-2026-0001", "customer_code": "C001", "issue_date": "2026-03-10", "currency": "EUR",
         "amount": "121.00", "corrects": "F-2026-0001"}]})


class InstalmentOut(BaseModel):
    seq: int
    due_date: dt.date
    amount: Amount
    paid: Amount
    open: Amount


class InvoiceOut(BaseModel):
    number: str
    kind: str = Field(examples=["invoice", "credit_note"])
    customer_code: str
    issue_date: dt.date
    due_date: dt.date
    currency: Currency
    amount: Amount
    open: Amount
    status: str = Field(examples=["open", "paid"])
    disputed: bool
    corrects: str
    channel: str
    terms: str
    instalments: list[InstalmentOut]


def invoice_out(v: InvoiceView) -> InvoiceOut:
    return InvoiceOut(
        number=v.number, kind=v.kind.value, customer_code=v.customer_code, issue_date=v.issue_date,
        due_date=v.due_date, currency=v.amount.currency, amount=v.amount.format_plain(),
        open=v.open.format_plain(), status=v.status.value, disputed=v.disputed, corrects=v.corrects,
        channel=v.channel, terms=v.terms,
        instalments=[InstalmentOut(seq=i.seq, due_date=i.due_date, amount=i.amount.format_plain(),
                                   paid=i.paid.format_plain(), open=i.open.format_plain()) for i in v.instalments])


class AllocationIn(Strict):
    invoice_number: Annotated[str, Field(min_length=1, max_length=64)]
    amount: AmountIn
    seq: Annotated[int, Field(ge=1, le=1000)] | None = Field(
        default=None, description="Instalment; default: the invoice's open instalments, oldest first")


class PaymentIn(Strict):
    reference: Annotated[str, Field(min_length=1, max_length=120)]
    customer_code: Annotated[str, Field(min_length=1, max_length=64)]
    date: Day
    currency: Annotated[str, Field(max_length=3)]
    amount: AmountIn
    method: Annotated[str, Field(max_length=30)] = ""
    allocations: Annotated[list[AllocationIn], Field(max_length=500)] | None = Field(
        default=None, description="Where the money goes; omitted: the ledger's rule (the `invoices` named first, "
                                  "then the oldest due); what is left over is kept as the customer's credit")
    invoices: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=500)] = Field(
        default_factory=list, description="Invoices the payer named (with automatic allocation)")
    unallocated: bool = Field(default=False, description="Keep the whole payment as the customer's credit")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reference": "TRF-2026-0042", "customer_code": "C001", "date": "2026-04-02", "currency": "EUR",
         "amount": "1000.00", "method": "transfer", "allocations": [{"invoice_number": "F-001", "amount": "1000.00"}]},
        {"reference": "TRF-2026-0043", "customer_code": "C001", "date": "2026-04-03", "currency": "EUR",
         "amount": "250.00", "unallocated": True}]})


class AllocationOut(BaseModel):
    invoice_number: str
    seq: int
    amount: Amount


class PaymentOut(BaseModel):
    id: int
    reference: str
    customer_code: str
    date: dt.date
    currency: Currency
    amount: Amount
    unapplied: Amount = Field(description="Kept as the customer's credit")
    method: str
    allocations: list[AllocationOut]


def payment_out(p: PaymentView) -> PaymentOut:
    return PaymentOut.model_validate({"id": p.id, **p.as_json()})
