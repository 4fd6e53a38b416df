"""ORM rows.  Money is integer minor units plus an ISO 4217 code; every row carries its tenant.

Relationships are `lazy="raise"`: queries are explicit and live in repositories.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cobro.platform.db.base import Base, IdType, TimestampMixin
from cobro.platform.tenants import TenantRow

__all__ = [
    "AllocationRow", "ContactRow", "CustomerRow", "InstalmentRow", "InvoiceRow", "PaymentRow",
    "TenantRow",  # re-exported while callers move to cobro.platform.tenants
]


class CustomerRow(TimestampMixin, Base):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))  # indexed by the unique key's prefix
    code: Mapped[str] = mapped_column(String(64))
    legal_name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2), default="")
    tax_id: Mapped[str] = mapped_column(String(40), default="")
    segment: Mapped[str] = mapped_column(String(60), default="")
    account_owner: Mapped[str] = mapped_column(String(120), default="")
    collector: Mapped[str] = mapped_column(String(120), default="")
    credit_limit_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    credit_limit_currency: Mapped[str] = mapped_column(String(3), default="")
    language: Mapped[str] = mapped_column(String(8), default="es")
    terms: Mapped[str] = mapped_column(String(60), default="net 30")
    behaviour: Mapped[str] = mapped_column(String(30), default="")  # demo generator ground truth only
    row_hash: Mapped[str] = mapped_column(String(40), default="")
    # the postal address letters go to (migration 0110); server defaults let set-based inserts leave them out
    address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="", server_default="")
    city: Mapped[str] = mapped_column(String(120), default="", server_default="")
    region: Mapped[str] = mapped_column(String(120), default="", server_default="")


class ContactRow(TimestampMixin, Base):
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("tenant_id", "customer_id", "name"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="administration")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    preferred_channel: Mapped[str] = mapped_column(String(20), default="email")
    language: Mapped[str] = mapped_column(String(8), default="")
    row_hash: Mapped[str] = mapped_column(String(40), default="")


class InvoiceRow(TimestampMixin, Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_invoices_tenant_open", "tenant_id", "status", "customer_id"),
        # finds the credit notes and not-yet-issued invoices the report scans leave out, and covers the KPIs'
        # scan of invoices by issue date on SQLite (migration 0030)
        Index("ix_invoices_kind_issue", "tenant_id", "kind", "issue_date", "currency", "amount_minor"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))  # indexed by the unique key's prefix
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20), default="invoice")
    issue_date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    open_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default="open")
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    corrects: Mapped[str] = mapped_column(String(64), default="")
    channel: Mapped[str] = mapped_column(String(20), default="")
    terms: Mapped[str] = mapped_column(String(60), default="")
    over_legal_cap: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(200), default="")
    # sum of 40-bit hashes of the imported rows: tells "unchanged" from "updated" on re-import
    content_hash: Mapped[int] = mapped_column(BigInteger, default=0)


class InstalmentRow(Base):
    __tablename__ = "instalments"
    __table_args__ = (
        UniqueConstraint("invoice_id", "seq"),
        Index("ix_instalments_open", "tenant_id", "due_date"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))  # unique key prefix
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer, default=1)
    due_date: Mapped[dt.date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # open = amount - paid; kept as a column so ageing and dunning scan one table without arithmetic joins
    open_minor: Mapped[int] = mapped_column(BigInteger)


class PaymentRow(TimestampMixin, Base):
    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("tenant_id", "reference"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))  # indexed by the unique key's prefix
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    reference: Mapped[str] = mapped_column(String(120))
    date: Mapped[dt.date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    unapplied_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    method: Mapped[str] = mapped_column(String(30), default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class AllocationRow(Base):
    __tablename__ = "allocations"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    instalment_id: Mapped[int] = mapped_column(ForeignKey("instalments.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    date: Mapped[dt.date] = mapped_column(Date)
