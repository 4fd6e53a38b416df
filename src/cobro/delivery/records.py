"""ORM rows of delivery: opt-outs per channel and recipient, and the delivery event log (sent, bounce, ...).

The outbox itself (`outbox_messages`) belongs to collections (`records_collections.OutboxMessageRow`); these
tables are delivery's own.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from cobro.platform.db.base import Base, IdType

_TS = DateTime(timezone=True)


class ChannelOptOutRow(Base):
    """A recipient (email address or phone, normalised lower-case/digits) who must not get messages on a channel.

    `channel` "*" blocks every channel for that recipient.
    """

    __tablename__ = "channel_opt_outs"
    __table_args__ = (UniqueConstraint("tenant_id", "channel", "recipient"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(40), default="manual")  # manual | bounce | unsubscribe
    created_at: Mapped[dt.datetime] = mapped_column(_TS, server_default=func.now())


class DeliveryEventRow(Base):
    """One thing that happened to an outbox message: sent, deferred, bounce, dead, opted_out, retried."""

    __tablename__ = "delivery_events"
    __table_args__ = (Index("ix_delivery_events_outbox", "outbox_id", "id"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id", ondelete="SET NULL"),
                                                  nullable=True)
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(20))
    attempt: Mapped[int] = mapped_column(default=0)
    detail: Mapped[str] = mapped_column(Text, default="")
    provider_id: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(_TS, server_default=func.now())
