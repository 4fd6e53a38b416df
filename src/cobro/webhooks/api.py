"""/api/v1/webhooks: a tenant's subscriptions (the secret shown once at creation) and the delivery log.

Every route needs `admin.tenant`: a subscription sends the tenant's events to a URL of the caller's choosing, so
creating one is an administrator's decision like the creditor's profile, and the log says what left and where it
failed (the administrator fixes the receiver and re-enables it)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Path, Query, Response
from pydantic import BaseModel, Field

from cobro.kernel.errors import InvalidInputError, NotFoundError
from cobro.platform.http.auth import require
from cobro.platform.http.deps import UowDep, WriteUowDep
from cobro.platform.http.paging import (
    Page,
    check_if_match,
    check_limit,
    decode_cursor,
    encode_cursor,
    etag_of,
)
from cobro.platform.http.problems import PROBLEMS
from cobro.platform.uow import UnitOfWork
from cobro.webhooks import service
from cobro.webhooks.schemas import Delivery, NewSubscription, Subscription

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"], responses=PROBLEMS,
                   dependencies=[require("admin.tenant")])
SubscriptionId = Annotated[int, Path(ge=1, le=2**53)]
Limit = Annotated[int, Query(ge=1, le=500, description="page size (1..500)")]
Cursor = Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous page")]
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=512,
                                       description="the ETag read last; a stale one answers 412")]
STALE: dict[int | str, dict[str, Any]] = {412: {"description": "If-Match names a state it no longer has"}}


class SubscriptionIn(BaseModel):
    url: str = Field(max_length=2000, description="https:// endpoint (http:// only to this machine)")
    events: list[str] = Field(min_length=1, max_length=50, description="event types, or * for all")
    description: str = Field("", max_length=200)

    model_config = {"json_schema_extra": {"examples": [
        {"url": "https://erp.example.com/cobro-hooks", "events": ["dispute.opened", "payment.applied"],
         "description": "ERP sync"}]}}


@router.post("/subscriptions", status_code=201, response_model=NewSubscription, summary="Subscribe an endpoint")
def subscribe(uow: WriteUowDep, body: Annotated[SubscriptionIn, Body()], response: Response) -> NewSubscription:
    """Create a subscription.  The answer carries the signing secret **this once**; store it in the receiver."""
    created = service.subscribe(uow, url=body.url, events=body.events, description=body.description)
    response.headers["Location"] = f"/api/v1/webhooks/subscriptions/{created.subscription.id}"
    return created


@router.get("/subscriptions", response_model=Page[Subscription], summary="List subscriptions")
def list_subscriptions(uow: UowDep, limit: Limit = 50, cursor: Cursor = None,
                       active: Annotated[bool | None, Query(description="only enabled (true) or disabled "
                                                                        "(false) ones")] = None,
                       ) -> Page[Subscription]:
    """Subscriptions by id; a disabled one says why (`disabled_reason`).  Secrets are never listed."""
    check_limit(limit)
    after = _id_of(cursor)
    subs = [s for s in service.subscriptions(uow) if s.id > after and (active is None or s.active == active)]
    shown = subs[:limit]
    return Page[Subscription](items=shown,
                              next_cursor=encode_cursor([shown[-1].id]) if len(subs) > limit else None)


@router.get("/subscriptions/{subscription_id}", response_model=Subscription, summary="Read a subscription")
def read_subscription(uow: UowDep, subscription_id: SubscriptionId, response: Response) -> Subscription:
    """One subscription with its `ETag` (send it as `If-Match` to enable it only in the state you saw)."""
    sub = _subscription(uow, subscription_id)
    response.headers["ETag"] = etag_of(sub)
    return sub


@router.delete("/subscriptions/{subscription_id}", status_code=204, summary="Remove a subscription",
               responses=STALE)
def remove_subscription(uow: WriteUowDep, subscription_id: SubscriptionId, if_match: IfMatch = None) -> Response:
    """Remove it; its pending deliveries go with it."""
    check_if_match(if_match, etag_of(_subscription(uow, subscription_id)))
    service.unsubscribe(uow, subscription_id)
    return Response(status_code=204)


@router.post("/subscriptions/{subscription_id}/enable", response_model=Subscription, responses=STALE,
             summary="Re-enable a subscription")
def enable_subscription(uow: WriteUowDep, subscription_id: SubscriptionId, response: Response,
                        if_match: IfMatch = None) -> Subscription:
    """Turn on a subscription the sender disabled after repeated failures (once the receiver is fixed)."""
    check_if_match(if_match, etag_of(_subscription(uow, subscription_id)))
    service.reactivate(uow, subscription_id)
    sub = _subscription(uow, subscription_id)
    response.headers["ETag"] = etag_of(sub)
    return sub


@router.get("/deliveries", response_model=Page[Delivery], summary="The delivery log")
def deliveries(uow: UowDep, limit: Limit = 50, cursor: Cursor = None,
               status: Annotated[Literal["pending", "delivered", "dead"] | None, Query()] = None,
               subscription: Annotated[int | None, Query(ge=1, le=2**53, description="one subscription")] = None,
               ) -> Page[Delivery]:
    """Deliveries newest first, with attempts, the receiver's last status and error."""
    check_limit(limit)
    rows = service.deliveries(uow, status=status or "", subscription_id=subscription, limit=limit + 1,
                              before_id=_id_of(cursor))
    shown = rows[:limit]
    return Page[Delivery](items=shown, next_cursor=encode_cursor([shown[-1].id]) if len(rows) > limit else None)


def _subscription(uow: UnitOfWork, subscription_id: int) -> Subscription:
    for sub in service.subscriptions(uow):
        if sub.id == subscription_id:
            return sub
    raise NotFoundError(f"subscription_id: no webhook subscription #{subscription_id}")


def _id_of(cursor: str | None) -> int:
    key = decode_cursor(cursor)
    if key is None:
        return 0
    if len(key) != 1 or not isinstance(key[0], int) or key[0] < 1:
        raise InvalidInputError("cursor: not a cursor of this listing")
    return key[0]
