"""The channel port: every outbound transport (email, WhatsApp, SMS, printed letter) implements `Channel`.

Channels know nothing about the database or the outbox: the deliverer (`cobro.delivery.service.deliver`) renders a row into an
`OutboundMessage`, calls `send`, and decides from the `DeliveryResult` whether the row is sent, retried or dead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/pdf"


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One rendered message, ready for a transport.

    `message_id` is deterministic per outbox row (see `make_message_id`), so a re-send after a crash carries the
    same id and a receiver can recognise it.
    """

    channel: str
    recipient: str
    recipient_name: str
    subject: str
    text: str
    html: str = ""
    language: str = "es"
    template: str = ""
    message_id: str = ""
    idempotency_key: str = ""
    attachments: tuple[Attachment, ...] = ()
    # Short values a provider template can interpolate (WhatsApp template body parameters).
    params: tuple[str, ...] = ()
    # Who it is from, by the creditor's profile; empty: the channel's configured sender (`smtp_from`).
    sender_name: str = ""
    sender_email: str = ""
    reply_to: str = ""


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What a transport said.

    * `ok`: accepted by the provider; `provider_id` is its reference (SMTP Message-ID, WhatsApp wamid, file path).
    * `permanent_failure`: retrying cannot help (recipient refused, malformed number): dead-letter it.
    * `unavailable`: the transport itself is unreachable (SMTP down); nothing is known about this message, so
      the deliverer backs off and stops using the channel for the rest of the batch.
    """

    ok: bool
    provider_id: str = ""
    permanent_failure: bool = False
    error: str = ""
    unavailable: bool = False
    bounce: bool = False  # the recipient address/number itself was rejected

    @classmethod
    def sent(cls, provider_id: str) -> DeliveryResult:
        return cls(ok=True, provider_id=provider_id)

    @classmethod
    def retry(cls, error: str, *, unavailable: bool = False) -> DeliveryResult:
        return cls(ok=False, error=error, unavailable=unavailable)

    @classmethod
    def dead(cls, error: str, *, bounce: bool = False) -> DeliveryResult:
        return cls(ok=False, permanent_failure=True, error=error, bounce=bounce)


class Channel(Protocol):
    """A transport.  `send` must not raise for delivery problems: it reports them in the result."""

    name: str

    def send(self, message: OutboundMessage) -> DeliveryResult: ...

    def close(self) -> None: ...


def make_message_id(tenant: str, idempotency_key: str, domain: str) -> str:
    """`<cobro.{tenant}.{hash}@{domain}>`: the same outbox row always gets the same Message-ID."""
    digest = hashlib.sha256(f"{tenant}\x00{idempotency_key}".encode()).hexdigest()[:32]
    safe_tenant = "".join(c if c.isalnum() or c in "-_" else "-" for c in tenant) or "t"
    return f"<cobro.{safe_tenant}.{digest}@{domain or 'cobro.invalid'}>"
