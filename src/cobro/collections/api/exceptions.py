"""/api/v1/exceptions: policy exceptions under four eyes.  Requesting needs `exception.request`; approving or
rejecting needs `approval.decide` and is refused (409) to the one who requested: both are the authenticated
callers, never names from the body."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Response

from cobro.collections.api.common import (
    DEFAULT,
    STALE,
    Cursor,
    IfMatch,
    Limit,
    acting,
    created,
    page_over,
    require_fresh,
    today,
    with_etag,
)
from cobro.collections.api.models import DecisionIn, ExceptionIn, ExceptionOut
from cobro.collections.domain.status import ExceptionStatus
from cobro.collections.service import exceptions
from cobro.platform.http.auth import require
from cobro.platform.http.deps import ContainerDep, UowDep, WriteUowDep
from cobro.platform.http.paging import Page
from cobro.platform.http.problems import PROBLEMS

router = APIRouter(prefix="/v1/exceptions", tags=["collections"], responses=PROBLEMS)
Id = Annotated[int, Path(ge=1, le=2**53)]


@router.get("", response_model=Page[ExceptionOut], dependencies=[require("ledger.read")],
            summary="List policy exceptions")
def list_exceptions(uow: UowDep, container: ContainerDep, limit: Limit = DEFAULT, cursor: Cursor = None,
                    status: ExceptionStatus | None = None) -> Page[ExceptionOut]:
    """Exceptions by id, each with its status as of today (past its expiry: expired)."""
    rows = exceptions.listing(uow, today=today(container))
    if status is not None:
        rows = [r for r in rows if r.status == status]
    return page_over(rows, key=lambda e: (e.id,), kinds=(int,), cursor=cursor, limit=limit, shape=ExceptionOut.of)


@router.get("/{exception_id}", response_model=ExceptionOut, dependencies=[require("ledger.read")],
            summary="Read a policy exception")
def get_exception(uow: UowDep, container: ContainerDep, exception_id: Id, response: Response) -> ExceptionOut:
    return with_etag(response, ExceptionOut.of(exceptions.find(uow, exception_id, today=today(container))))


@router.post("", response_model=ExceptionOut, status_code=201, dependencies=[require("exception.request")],
             summary="Request a policy exception")
def request_exception(uow: WriteUowDep, container: ContainerDep, body: ExceptionIn,
                      response: Response) -> ExceptionOut:
    """It does nothing until someone else approves it; the requester is the caller."""
    row = exceptions.request(uow, customer=body.customer, kind=body.kind, justification=body.justification,
                             user=acting(uow), expires_on=body.expires_on, today=today(container), value=body.value)
    return created(response, f"/api/v1/exceptions/{row.id}", ExceptionOut.of(row))


def _decide(uow: WriteUowDep, container: ContainerDep, exception_id: int, note: str, if_match: str | None,
            *, approve: bool) -> ExceptionOut:
    day = today(container)
    require_fresh(if_match, ExceptionOut.of(exceptions.find(uow, exception_id, today=day)))
    row = exceptions.decide(uow, exception_id, user=acting(uow), approve=approve, today=day,
                            now=container.clock.now(), note=note)
    return ExceptionOut.of(row)


@router.post("/{exception_id}/approve", response_model=ExceptionOut, dependencies=[require("approval.decide")],
             summary="Approve a policy exception (four eyes)", responses=STALE)
def approve_exception(uow: WriteUowDep, container: ContainerDep, exception_id: Id, response: Response,
                      body: Annotated[DecisionIn | None, Body()] = None, if_match: IfMatch = None) -> ExceptionOut:
    """The approver is the caller; the requester cannot approve their own request (409)."""
    out = _decide(uow, container, exception_id, body.note if body else "", if_match, approve=True)
    return with_etag(response, out)


@router.post("/{exception_id}/reject", response_model=ExceptionOut, dependencies=[require("approval.decide")],
             summary="Reject a policy exception (four eyes)", responses=STALE)
def reject_exception(uow: WriteUowDep, container: ContainerDep, exception_id: Id, response: Response,
                     body: Annotated[DecisionIn | None, Body()] = None, if_match: IfMatch = None) -> ExceptionOut:
    out = _decide(uow, container, exception_id, body.note if body else "", if_match, approve=False)
    return with_etag(response, out)
