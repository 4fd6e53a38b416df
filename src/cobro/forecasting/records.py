"""The forecasting feature's table: the stored payment-date prediction of each open instalment per as-of date
(`cobro predict refresh`, the daily `predict_refresh` job).  One row per tenant, as-of date and instalment: a
refresh of the same as-of date replaces its rows.  Probabilities are kept as integer parts per ten thousand (exact,
no float column); the reasons are a JSON list of short strings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cobro.platform.db.base import Base, IdType


class PaymentPredictionRow(Base):
    __tablename__ = "payment_predictions"
    __table_args__ = (UniqueConstraint("tenant_id", "as_of", "instalment_id", name="uq_payment_predictions_item"),
                      Index("ix_payment_predictions_customer", "tenant_id", "customer_id", "as_of"))
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    as_of: Mapped[dt.date] = mapped_column(Date)
    instalment_id: Mapped[int] = mapped_column(
        ForeignKey("instalments.id", ondelete="CASCADE"))
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"),
        index=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(80))  # the invoice number, or NUMBER/SEQ for one of several instalments
    currency: Mapped[str] = mapped_column(String(3))
    open_minor: Mapped[int] = mapped_column(BigInteger)  # what was open at the as-of date
    due_date: Mapped[dt.date] = mapped_column(Date)
    expected_date: Mapped[dt.date] = mapped_column(Date)
    p10_date: Mapped[dt.date] = mapped_column(Date)
    p50_date: Mapped[dt.date] = mapped_column(Date)
    p90_date: Mapped[dt.date] = mapped_column(Date)
    p_late_bp: Mapped[int] = mapped_column(Integer)  # P(paid after the due date), 0..10000
    p_unpaid_180_bp: Mapped[int] = mapped_column(Integer)  # P(not paid within 180 days of the due date), 0..10000
    model_version: Mapped[str] = mapped_column(String(120))
    reasons: Mapped[str] = mapped_column(Text)
