"""/api/v1/holds, /disputes, /promises, /payment-plans: what pauses dunning, recorded by the collector.

Writes need `collections.work`, reads `ledger.read`; who acted is the authenticated caller (`uow.actor`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response

from cobro.collections.api.common import (
    DEFAULT,
    STALE,
    Cursor,
    IfMatch,
    Limit,
    acting,
    after_id,
    created,
    page_by_id,
    page_over,
    require_fresh,
    today,
    with_etag,
)
from cobro.collections.api.models import (
    DisputeIn,
    DisputeOut,
    HoldIn,
    HoldOut,
    PlanIn,
    PlanOut,
    PromiseIn,
    PromiseOut,
    ResolveIn,
)
from cobro.collections.domain.status import DisputeStatus, PlanStatus, PromiseStatus
from cobro.collections.schemas.history import PlanSummary
from cobro.collections.service import history, holds, promises
from cobro.platform.http.auth import require
from cobro.platform.http.deps import ContainerDep, UowDep, WriteUowDep
from cobro.platform.http.paging import Page
from cobro.platform.http.problems import PROBLEMS

READ, WORK = [require("ledger.read")], [require("collections.work")]
Id = Annotated[int, Path(ge=1, le=2**53)]

hold_router = APIRouter(prefix="/v1/holds", tags=["collections"], responses=PROBLEMS)
dispute_router = APIRouter(prefix="/v1/disputes", tags=["collections"], responses=PROBLEMS)
promise_router = APIRouter(prefix="/v1/promises", tags=["collections"], responses=PROBLEMS)
plan_router = APIRouter(prefix="/v1/payment-plans", tags=["collections"], responses=PROBLEMS)


# --- holds ---------------------------------------------------------------------------------------------------

@hold_router.get("", response_model=Page[HoldOut], dependencies=READ, summary="List holds")
def list_holds(uow: UowDep, container: ContainerDep, limit: Limit = DEFAULT, cursor: Cursor = None,
               active: Annotated[bool, Query(description="only holds in force today")] = True) -> Page[HoldOut]:
    """Holds by id; `active=false` includes released and lapsed ones."""
    rows = holds.list_holds(uow, today=today(container), active_only=active)
    return page_over(rows, key=lambda h: (h.id,), kinds=(int,), cursor=cursor, limit=limit, shape=HoldOut.of)


@hold_router.get("/{hold_id}", response_model=HoldOut, dependencies=READ, summary="Read a hold")
def get_hold(uow: UowDep, hold_id: Id, response: Response) -> HoldOut:
    """One hold, with its ETag (send it as `If-Match` when releasing)."""
    return with_etag(response, HoldOut.of(holds.get_hold(uow, hold_id)))


@hold_router.post("", response_model=HoldOut, status_code=201, dependencies=WORK, summary="Put a hold")
def add_hold(uow: WriteUowDep, container: ContainerDep, body: HoldIn, response: Response) -> HoldOut:
    """Hold a customer's dunning (or one invoice's) until a day or until released."""
    row = holds.add_hold(uow, customer=body.customer, reason=body.reason, today=today(container), until=body.until,
                         invoice=body.invoice, user=acting(uow))
    return created(response, f"/api/v1/holds/{row.id}", HoldOut.of(row))


@hold_router.post("/{hold_id}/release", response_model=HoldOut, dependencies=WORK, summary="Release a hold", responses=STALE)
def release_hold(uow: WriteUowDep, container: ContainerDep, hold_id: Id, response: Response,
                 if_match: IfMatch = None) -> HoldOut:
    """End a hold today; dunning resumes with the next cycle."""
    require_fresh(if_match, HoldOut.of(holds.get_hold(uow, hold_id)))
    return with_etag(response, HoldOut.of(holds.release_hold(uow, hold_id, today=today(container),
                                                             user=acting(uow))))


# --- disputes ------------------------------------------------------------------------------------------------

@dispute_router.get("", response_model=Page[DisputeOut], dependencies=READ, summary="List disputes")
def list_disputes(uow: UowDep, limit: Limit = DEFAULT, cursor: Cursor = None,
                  status: DisputeStatus | None = DisputeStatus.OPEN) -> Page[DisputeOut]:
    """Disputes by id, open ones unless `status` says otherwise (empty: all)."""
    rows = holds.list_disputes(uow, status=status.value if status else "")
    return page_over(rows, key=lambda d: (d.id,), kinds=(int,), cursor=cursor, limit=limit, shape=DisputeOut.of)


@dispute_router.get("/{dispute_id}", response_model=DisputeOut, dependencies=READ, summary="Read a dispute")
def get_dispute(uow: UowDep, dispute_id: Id, response: Response) -> DisputeOut:
    return with_etag(response, DisputeOut.of(holds.get_dispute(uow, dispute_id)))


@dispute_router.post("", response_model=DisputeOut, status_code=201, dependencies=WORK, summary="Open a dispute")
def open_dispute(uow: WriteUowDep, container: ContainerDep, body: DisputeIn, response: Response) -> DisputeOut:
    """Open a dispute on invoices of one currency; the disputed items are not dunned while it is open."""
    row = holds.open_dispute(uow, customer=body.customer, invoices=body.invoices, reason_code=body.reason_code,
                             today=today(container), amount=body.amount or "", owner=body.owner,
                             resolve_by=body.resolve_by, note=body.note, user=acting(uow))
    return created(response, f"/api/v1/disputes/{row.id}", DisputeOut.of(row))


@dispute_router.post("/{dispute_id}/resolve", response_model=DisputeOut, dependencies=WORK,
                     summary="Resolve a dispute", responses=STALE)
def resolve_dispute(uow: WriteUowDep, container: ContainerDep, dispute_id: Id, response: Response,
                    body: Annotated[ResolveIn, Body()], if_match: IfMatch = None) -> DisputeOut:
    require_fresh(if_match, DisputeOut.of(holds.get_dispute(uow, dispute_id)))
    row = holds.resolve_dispute(uow, dispute_id, resolution=body.resolution, today=today(container),
                                user=acting(uow))
    return with_etag(response, DisputeOut.of(row))


# --- promises ------------------------------------------------------------------------------------------------

@promise_router.get("", response_model=Page[PromiseOut], dependencies=READ, summary="List promises to pay")
def list_promises(uow: UowDep, limit: Limit = DEFAULT, cursor: Cursor = None,
                  status: PromiseStatus | None = None) -> Page[PromiseOut]:
    """Promises by id; `status` pending, kept or broken (the cycle evaluates them from payments)."""
    rows = promises.list_promises(uow, status=status.value if status else "")
    return page_over(rows, key=lambda p: (p.id,), kinds=(int,), cursor=cursor, limit=limit, shape=PromiseOut.of)


@promise_router.post("", response_model=PromiseOut, status_code=201, dependencies=WORK,
                     summary="Record a promise to pay")
def add_promise(uow: WriteUowDep, container: ContainerDep, body: PromiseIn, response: Response) -> PromiseOut:
    """A promise pauses dunning in its currency until its date plus the grace days."""
    row = promises.add_promise(uow, customer=body.customer, amount=body.amount, currency=body.currency or "",
                               due_on=body.due_on, today=today(container), contact=body.contact,
                               channel=body.channel, grace_days=body.grace_days, user=acting(uow))
    return created(response, f"/api/v1/promises/{row.id}", PromiseOut.of(row))


@promise_router.get("/{promise_id}", response_model=PromiseOut, dependencies=READ, summary="Read a promise")
def get_promise(uow: UowDep, promise_id: Id, response: Response) -> PromiseOut:
    return with_etag(response, PromiseOut.of(promises.get_promise(uow, promise_id)))


# --- payment plans -------------------------------------------------------------------------------------------

@plan_router.get("", response_model=Page[PlanOut], dependencies=READ, summary="List payment plans")
def list_plans(uow: UowDep, limit: Limit = DEFAULT, cursor: Cursor = None,
               customer: Annotated[str, Query(max_length=64)] = "",
               status: PlanStatus | None = None) -> Page[PlanOut]:
    rows = history.plans(uow, after_id=after_id(cursor), limit=limit + 1, customer=customer,
                         status=status.value if status else "")
    return page_by_id(rows, limit=limit, id_of=lambda p: p.id, shape=PlanOut.of)


@plan_router.post("", response_model=PlanOut, status_code=201, dependencies=WORK, summary="Agree a payment plan")
def add_plan(uow: WriteUowDep, container: ContainerDep, body: PlanIn, response: Response) -> PlanOut:
    """The plan's instalments replace the open instalments of the invoices; they must add up to what is open."""
    plan = holds.add_plan(uow, customer=body.customer, invoices=body.invoices,
                          schedule=[(i.due_on, i.amount) for i in body.instalments], today=today(container),
                          user=acting(uow), note=body.note)
    out = PlanOut.of(PlanSummary(plan.id, body.customer, plan.currency, plan.total_minor, plan.status,
                                 plan.agreed_on, body.note, plan.instalments))
    return created(response, f"/api/v1/payment-plans/{plan.id}", out)


@plan_router.get("/{plan_id}", response_model=PlanOut, dependencies=READ, summary="Read a payment plan")
def get_plan(uow: UowDep, plan_id: Id, response: Response) -> PlanOut:
    return with_etag(response, PlanOut.of(history.plan(uow, plan_id)))
