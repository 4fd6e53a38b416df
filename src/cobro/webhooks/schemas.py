"""What the webhooks feature takes and gives."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel


class Subscription(BaseModel):
    id: int
    url: str
    events: list[str]
    description: str
    active: bool
    disabled_reason: str
    created_at: dt.datetime | None = None


class NewSubscription(BaseModel):
    """A subscription just created: the signing secret is shown this once (receivers need it to verify)."""

    subscription: Subscription
    secret: str


class Delivery(BaseModel):
    id: int
    subscription_id: int
    event_id: int
    event_type: str
    entity: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status: int
    last_error: str
    delivered_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One delivery claimed for sending: where, with which secret, what body."""

    delivery_id: int
    subscription_id: int
    tenant_id: int
    url: str
    secret: str
    event_type: str
    attempts: int
    body: bytes


@dataclass(frozen=True, slots=True)
class SendResult:
    status: int  # HTTP status, 0 when no answer came
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class PassReport:
    """One delivery pass: what went, what will be retried, what was given up, which subscriptions were disabled."""

    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    disabled: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"delivered": self.delivered, "retrying": self.retrying, "dead": self.dead,
                "disabled": self.disabled}
