"""The comments table: one row per comment on a customer (and optionally one of its invoices)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from cobro.platform.db.base import Base, IdType


class CommentRow(Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_customer", "customer_id", "id"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), nullable=True)
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    mentions: Mapped[str] = mapped_column(Text, default="")  # e-mail addresses, comma-separated
    day: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
