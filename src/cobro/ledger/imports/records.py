"""Neutral, validated records that importers produce and services write.  Amounts are integer minor units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(slots=True)
class CustomerLine:
    row: int
    code: str
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
    address: str = ""
    postal_code: str = ""
    city: str = ""
    region: str = ""
    # the fields this row sets on an existing customer: its columns in the file, less empty cells (which keep the
    # stored value unless the mapping says `empty_clears`); a new customer takes every field
    given: frozenset[str] = frozenset()


@dataclass(slots=True)
class ContactLine:
    row: int
    customer_code: str
    name: str
    role: str
    email: str
    phone: str
    preferred_channel: str
    language: str
    given: frozenset[str] = frozenset()  # as `CustomerLine.given`


@dataclass(slots=True)
class InvoiceLine:
    row: int
    number: str
    seq: int
    customer_code: str
    customer_name: str
    issue_date: dt.date
    due_date: dt.date
    currency: str
    amount_minor: int
    kind: str
    disputed: bool
    corrects: str
    channel: str
    terms: str
    settled_date: dt.date | None
    segment: str
    country: str
    tax_id: str
    over_legal_cap: bool


@dataclass(slots=True)
class PaymentLine:
    row: int
    reference: str
    customer_code: str
    date: dt.date
    currency: str
    amount_minor: int
    invoice_number: str
    method: str


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of one existing record that an import changes (or, in a dry run, would change)."""

    row: int
    key: str  # customer code, "customer / contact name", invoice number
    field: str
    old: str
    new: str
