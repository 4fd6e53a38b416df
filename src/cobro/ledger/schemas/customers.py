from __future__ import annotations

from pydantic import BaseModel, Field

from cobro.platform.http.schemas import Amount, Currency, Day


class CustomerRead(BaseModel):
    code: str
    legal_name: str
    country: str
    segment: str
    collector: str
    open_items: int = Field(ge=0, description="Open invoices")
    balance: dict[str, Amount] = Field(description="Open invoice amount per currency")


class CustomerList(BaseModel):
    items: list[CustomerRead]
    total: int = Field(ge=0, description="Customers matching the search")


class CustomerInfo(BaseModel):
    code: str
    legal_name: str
    country: str
    tax_id: str
    segment: str
    account_owner: str
    collector: str
    terms: str
    language: str
    credit_limit: str = Field(description="Amount and currency, empty when none")


class OpenItem(BaseModel):
    invoice: str
    kind: str = Field(examples=["invoice", "credit_note"])
    seq: int
    issue_date: Day
    due_date: Day
    days_past_due: int
    open: Amount = Field(description="Negative for credit notes")
    currency: Currency
    disputed: bool


class Contact(BaseModel):
    name: str
    role: str
    email: str
    phone: str
    preferred_channel: str


class PaymentRead(BaseModel):
    reference: str
    date: Day
    amount: Amount
    currency: Currency


class CustomerDetail(BaseModel):
    customer: CustomerInfo
    balance: dict[str, Amount] = Field(description="Open items net of credit notes and unapplied cash")
    unapplied: dict[str, Amount]
    open_items: list[OpenItem]
    contacts: list[Contact]
    payments: list[PaymentRead] = Field(description="The latest payments, newest first")
