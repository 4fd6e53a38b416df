"""Pure rules of webhooks: the event catalogue, which subscription wants which event, the signature, the retry
schedule and when a subscription is given up on.

Signatures follow the Standard Webhooks specification (https://www.standardwebhooks.com/): the signed content is
`{webhook-id}.{webhook-timestamp}.{body}`, HMAC-SHA256 with the secret's bytes (the base64 after `whsec_`), sent as
`webhook-signature: v1,{base64 signature}`; receivers check it and refuse timestamps far from their clock.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import random
from collections.abc import Iterable

EVENT_TYPES: tuple[str, ...] = (
    "invoice.overdue", "action.planned", "message.sent", "message.bounced",
    "promise.created", "promise.kept", "promise.broken", "dispute.opened", "dispute.resolved",
    "payment.applied", "risk.changed", "exception.requested", "exception.approved", "exception.rejected",
    "escalation.opened", "credit_stop.set", "credit_stop.lifted", "webhook.test",
    "escalation.settled", "task.closed",
    "alert.raised",
)
SECRET_PREFIX = "whsec_"
MAX_ATTEMPTS = 8  # 1 + 7 retries over about 10 hours with the schedule below
BASE_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(hours=4)
DISABLE_AFTER_DEAD = 5  # consecutive deliveries given up on: the endpoint is gone, stop and tell the tenant
TOLERANCE = dt.timedelta(minutes=5)  # how far a receiver lets a timestamp stray from its clock


def unknown_events(events: Iterable[str]) -> list[str]:
    return [e for e in events if e != "*" and e not in EVENT_TYPES]


def wants(subscribed: Iterable[str], event_type: str) -> bool:
    chosen = set(subscribed)
    return "*" in chosen or event_type in chosen


def new_secret(rng: random.SystemRandom | None = None) -> str:
    raw = bytes((rng or random.SystemRandom()).getrandbits(8) for _ in range(32))
    return SECRET_PREFIX + base64.b64encode(raw).decode()


def _key(secret: str) -> bytes:
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    content = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), content, hashlib.sha256).digest()).decode()


def verify(secret: str, headers: dict[str, str], body: bytes, now: dt.datetime) -> bool:
    """What a receiver does (and the documented example shows): signature and timestamp both must hold."""
    try:
        msg_id, stamp = headers["webhook-id"], int(headers["webhook-timestamp"])
    except (KeyError, ValueError):
        return False
    if abs(now.timestamp() - stamp) > TOLERANCE.total_seconds():
        return False
    expected = sign(secret, msg_id, stamp, body)
    offered = headers.get("webhook-signature", "").split()
    return any(hmac.compare_digest(expected, sig) for sig in offered)


def next_attempt(attempts: int, now: dt.datetime, rng: random.Random) -> dt.datetime | None:
    """When to try again after `attempts` failed tries (None: give up).  Exponential with ±25 % jitter, so many
    deliveries failing at once (an endpoint down) do not all come back in the same second."""
    if attempts >= MAX_ATTEMPTS:
        return None
    delay = min(BASE_DELAY * (1 << max(attempts - 1, 0)), MAX_DELAY)
    return now + delay * rng.uniform(0.75, 1.25)
