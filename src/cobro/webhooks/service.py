"""Use cases of webhooks for one tenant: subscribe (the secret is shown once), list, remove, re-enable, read the
delivery log, and `emit` — which every feature calls, inside its own unit of work, when something happens that
a subscriber may care about.  Sending is `sender.WebhookSender`, after commit, in the worker."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from cobro.kernel.errors import InvalidInputError, NotFoundError
from cobro.platform.uow import Uow
from cobro.webhooks import domain
from cobro.webhooks.repository import WEBHOOKS, SqlWebhookRepository
from cobro.webhooks.schemas import Delivery, NewSubscription, Subscription

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
MAX_PAYLOAD = 256 * 1024


def subscribe(uow: Uow, *, url: str, events: list[str], description: str = "") -> NewSubscription:
    _check_url(url)
    chosen = sorted({e.strip() for e in events if e.strip()})
    if not chosen:
        raise InvalidInputError("events: name at least one event type (or * for all)")
    if unknown := domain.unknown_events(chosen):
        raise InvalidInputError(f"events: unknown event type(s) {', '.join(unknown)}; "
                                f"known: {', '.join(domain.EVENT_TYPES)}")
    secret = domain.new_secret()
    sub = uow.repo(WEBHOOKS).add_subscription(url=url, secret=secret, events=chosen, description=description[:200])
    _audit(uow, sub.id, "subscribe", None, {"url": url, "events": chosen})
    return NewSubscription(subscription=sub, secret=secret)


def subscriptions(uow: Uow) -> list[Subscription]:
    return uow.repo(WEBHOOKS).subscriptions()


def unsubscribe(uow: Uow, subscription_id: int) -> None:
    if not uow.repo(WEBHOOKS).remove_subscription(subscription_id):
        raise NotFoundError(f"no webhook subscription #{subscription_id}")
    _audit(uow, subscription_id, "remove", {"active": True}, None)
    uow.flush()


def reactivate(uow: Uow, subscription_id: int) -> None:
    """Turn a subscription the sender disabled back on (after the receiver was fixed)."""
    if not uow.repo(WEBHOOKS).reactivate(subscription_id):
        raise NotFoundError(f"no webhook subscription #{subscription_id}")
    _audit(uow, subscription_id, "reactivate", {"active": False}, {"active": True})
    uow.flush()


def deliveries(uow: Uow, *, status: str = "", subscription_id: int | None = None, limit: int = 100,
               before_id: int = 0) -> list[Delivery]:
    """The delivery log, newest first; `before_id` continues a page (deliveries with smaller ids)."""
    if status not in ("", "pending", "delivered", "dead"):
        raise InvalidInputError("status: one of pending, delivered, dead")
    if not 1 <= limit <= 1000:
        raise InvalidInputError("limit: between 1 and 1000")
    return uow.repo(WEBHOOKS).deliveries(status=status, subscription_id=subscription_id, limit=limit,
                                         before_id=before_id)


def emit(uow: Uow, event_type: str, *, entity: str, data: Mapping[str, Any], at: dt.datetime | None = None) -> int:
    """Queue `event_type` about `entity` ("dispute:12") for every subscription that wants it, in the caller's
    transaction: nothing leaves unless the change commits.  Returns how many deliveries were queued."""
    if event_type not in domain.EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")  # a programming error, not user input
    payload = json.dumps(dict(data), sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"webhook payload of {event_type} is {len(payload)} bytes; the limit is {MAX_PAYLOAD}")
    return uow.repo(WEBHOOKS).emit(event_type=event_type, entity=entity, payload_json=payload, at=at)


def emit_many(uow: Uow, event_type: str, *, events: Iterable[tuple[str, Mapping[str, Any]]],
              at: dt.datetime | None = None) -> int:
    """`emit` for many entities at once (the cycle's planned actions): `events` is (entity, data) pairs, read
    only when an active subscription wants `event_type` (pass a generator and its payloads are never built for a
    tenant nobody listens to); nothing is written when none does.  Returns how many deliveries were queued."""
    if event_type not in domain.EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")

    def encoded() -> Iterator[tuple[str, str]]:
        for entity, data in events:
            yield entity, _payload(event_type, data)

    return uow.repo(WEBHOOKS).emit_many(event_type=event_type, events=encoded(), at=at)


def emit_for_tenant(session: Session, tenant_id: int, event_type: str, *, entity: str, data: Mapping[str, Any],
                    at: dt.datetime | None = None) -> int:
    """`emit` for work that spans tenants and holds a session rather than one tenant's unit of work (the outbox
    deliverer): the event is queued for `tenant_id` in `session`'s transaction, so it commits with the change it
    reports.  Like `emit_many`, nothing is written when no subscription of the tenant wants it."""
    if event_type not in domain.EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    return SqlWebhookRepository(session, tenant_id).emit_many(
        event_type=event_type, events=[(entity, _payload(event_type, data))], at=at)


def _payload(event_type: str, data: Mapping[str, Any]) -> str:
    payload = json.dumps(dict(data), sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"webhook payload of {event_type} is {len(payload)} bytes; the limit is {MAX_PAYLOAD}")
    return payload


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInputError(f"url: {url!r} is not an http(s) URL")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise InvalidInputError("url: webhooks are sent over https (plain http only to this machine)")
    if parts.username or parts.password:
        raise InvalidInputError("url: no credentials in the URL; the signature authenticates each delivery")
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return
    if address.is_link_local or address.is_multicast or address.is_unspecified:
        raise InvalidInputError(f"url: {parts.hostname} is not an address a receiver can have")


def _audit(uow: Uow, subscription_id: int, action: str, before: dict[str, Any] | None,
           after: dict[str, Any] | None) -> None:
    from cobro.audit import service as audit
    from cobro.audit.schemas import Change

    audit.record(uow, Change("webhook", str(subscription_id), action, before, after))
