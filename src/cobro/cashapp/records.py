"""ORM rows for cash application: own bank accounts, imported statements and their entries, what the matcher
learned, alerts, SEPA mandates and the tenant's cash-application settings.  Money is integer minor units."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from cobro.platform.db.base import Base, IdType


class BankAccountRow(Base):
    """One of the tenant's own accounts.  `alias` is how a statement names it when not by IBAN (Norma 43 CCC)."""

    __tablename__ = "bank_accounts"
    __table_args__ = (UniqueConstraint("tenant_id", "iban"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    iban: Mapped[str] = mapped_column(String(34))
    alias: Mapped[str] = mapped_column(String(64), default="", index=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    name: Mapped[str] = mapped_column(String(120), default="")


class CustomerBankAccountRow(Base):
    """A payer account learned from an accepted match: the next credit from it identifies the customer."""

    __tablename__ = "customer_bank_accounts"
    __table_args__ = (UniqueConstraint("tenant_id", "account"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    account: Mapped[str] = mapped_column(String(40))
    learned_from: Mapped[str] = mapped_column(String(20), default="manual")  # manual | auto
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PayerAliasRow(Base):
    """A payer name (as banks write it) that a person said belongs to a customer."""

    __tablename__ = "payer_aliases"
    __table_args__ = (UniqueConstraint("tenant_id", "alias"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BankStatementRow(Base):
    """One imported file, by content hash: the same bytes again are recognised before parsing anything."""

    __tablename__ = "bank_statements"
    __table_args__ = (UniqueConstraint("tenant_id", "file_hash"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    file_hash: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(20))
    entries: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StatementEntryRow(Base):
    """One movement.  `entry_key` is the natural key (account, booking date, amount, reference, sequence)."""

    __tablename__ = "statement_entries"
    __table_args__ = (UniqueConstraint("tenant_id", "entry_key"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id", ondelete="CASCADE"), index=True)
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("bank_accounts.id"))
    entry_key: Mapped[str] = mapped_column(String(64))
    booking_date: Mapped[dt.date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(200), default="")
    remittance: Mapped[str] = mapped_column(Text, default="")
    end_to_end_id: Mapped[str] = mapped_column(String(120), default="")
    counterparty_name: Mapped[str] = mapped_column(String(200), default="")
    counterparty_account: Mapped[str] = mapped_column(String(40), default="")
    bank_code: Mapped[str] = mapped_column(String(40), default="")
    return_reason: Mapped[str] = mapped_column(String(20), default="")
    # matched | review | unmatched | rejected | returned | ignored
    status: Mapped[str] = mapped_column(String(20), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), nullable=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"), nullable=True)
    confidence_permille: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    proposal: Mapped[str] = mapped_column(Text, default="")  # JSON: {"items": [instalment ids], "fee_minor": n}
    source: Mapped[str] = mapped_column(String(200), default="")  # file + line or XML path


class AlertRow(Base):
    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), nullable=True, index=True)
    message: Mapped[str] = mapped_column(Text)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("statement_entries.id", ondelete="CASCADE"),
                                                 nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SepaMandateRow(Base):
    __tablename__ = "sepa_mandates"
    __table_args__ = (UniqueConstraint("tenant_id", "mandate_id"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    mandate_id: Mapped[str] = mapped_column(String(35))
    signed_date: Mapped[dt.date] = mapped_column(Date)
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11), default="")
    scheme: Mapped[str] = mapped_column(String(4), default="CORE")  # CORE | B2B
    first_collected: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # FRST vs RCUR


class CashappSettingsRow(Base):
    """Per-tenant knobs.  The threshold is stored in thousandths so no float ever touches it."""

    __tablename__ = "cashapp_settings"
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    threshold_permille: Mapped[int] = mapped_column(Integer, default=850)
    fee_max_minor: Mapped[int] = mapped_column(BigInteger, default=2500)
    creditor_name: Mapped[str] = mapped_column(String(70), default="")
    creditor_iban: Mapped[str] = mapped_column(String(34), default="")
    creditor_bic: Mapped[str] = mapped_column(String(11), default="")
    creditor_id: Mapped[str] = mapped_column(String(35), default="")


class EInvoiceDocumentRow(Base):
    """An imported e-invoice by its fiscal id (CFDI UUID / CUFE), so payment complements can find it."""

    __tablename__ = "einvoice_documents"
    __table_args__ = (UniqueConstraint("tenant_id", "doc_id"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    doc_id: Mapped[str] = mapped_column(String(80))  # UUID upper-cased, or "number:<number>" without one
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(64), default="")
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), nullable=True)
    source: Mapped[str] = mapped_column(String(200), default="")
