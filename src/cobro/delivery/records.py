"""ORM rows of delivery: the outbox, opt-outs per channel and recipient, and the delivery event log (sent, ...)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from cobro.platform.db.base import Base, IdType

_TS = DateTime(timezone=True)


class OutboxMessageRow(Base):
    """The transactional outbox: the contract between its writers and the deliverer.

    Writers (the collections cycle, one row per message-bearing action: email, whatsapp, sms, letter_pdf →
    channel "letter"; the terms letter) queue `cobro.delivery.schemas.OutboxMessage`s through
    `cobro.delivery.service.outbox`, the only code that inserts rows, in the SAME transaction as what caused
    them, so a rolled-back cycle leaves no message and a committed one always has its message.
    `idempotency_key` is deterministic (the cycle's f"{customer_code}:{currency}:{step}:{episode}"), unique per
    tenant; a row the writer cannot address (no contact for the step's roles) is written with status "skipped"
    and the reason in `last_error`.  `context_json` is a `MessageContext` (customer, creditor, items, total,
    legal claims, terms; amounts as plain decimal strings), read back only by `read_context`.

    Reader (delivery): claims rows with status pending (→ sending), renders `template` in `language` with
    `tone`, sends, fills `message_id` and `sent_at` (→ sent), or counts `attempts`, sets `next_attempt_at`
    and `last_error` (→ failed, later → dead).  Statuses: `OutboxStatus`.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_outbox_messages_status", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("collection_actions.id", ondelete="SET NULL"),
                                                  nullable=True, index=True)
    channel: Mapped[str] = mapped_column(String(20))  # email | whatsapp | sms | letter
    recipient: Mapped[str] = mapped_column(String(200), default="")  # address or phone; empty for letter
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(8), default="es")
    template: Mapped[str] = mapped_column(String(120))
    tone: Mapped[str] = mapped_column(String(20), default="")
    context_json: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(_TS, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    message_id: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(_TS, server_default=func.now())
    sent_at: Mapped[dt.datetime | None] = mapped_column(_TS, nullable=True)


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


class ContactPointStatusRow(Base):
    """An address or phone number known not to work: a hard bounce or a call that reached a wrong number.

    Distinct from an opt-out (the person asked not to be contacted on a channel): an invalid point is wrong data,
    for every channel that uses it.  `kind` is email | phone; `address` is normalised as opt-outs are (an
    e-mail lower-case, a phone its digits).  The cycle reads these to pick another contact or channel.
    """

    __tablename__ = "contact_point_statuses"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "address"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # email | phone
    address: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="invalid")
    source: Mapped[str] = mapped_column(String(40), default="manual")  # bounce | wrong_number | manual
    reason: Mapped[str] = mapped_column(Text, default="")
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
