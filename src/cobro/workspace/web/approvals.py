"""Approvals: policy exceptions awaiting a second person's decision, approved or rejected in place.

The four-eyes rule lives in `collections.service.exceptions.decide`, which takes the decider from the
authenticated actor; the page only shows its refusal (deciding your own request) next to the row.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from cobro.kernel.errors import CobroError
from cobro.platform.http.auth import TenantDep, require
from cobro.platform.http.deps import AsOfDep, ContainerDep, FeaturesDep, UowDep, WriteUowDep
from cobro.workspace.web.common import language, render, render_error

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse,
                   dependencies=[require("ledger.read")])


@router.get("/approvals", dependencies=[require("approval.decide")])
def approvals_page(request: Request, uow: UowDep, tenant: TenantDep, features: FeaturesDep,
                   as_of: AsOfDep) -> Response:
    from cobro.collections.service import exceptions

    if not features.collections:
        return render_error(request, 404, "Not found", "The collections feature is not installed.")
    pending = [e for e in exceptions.listing(uow, today=as_of) if e.status == "requested"]
    return render(request, "approvals.html", pending=pending, as_of=as_of, tenant=tenant)


@router.post("/approvals/{exception_id}", dependencies=[require("approval.decide")])
def decide(request: Request, uow: WriteUowDep, tenant: TenantDep, as_of: AsOfDep, container: ContainerDep,
           exception_id: int, decision: Annotated[str, Form(pattern="^(approve|reject)$")],
           note: Annotated[str, Form(max_length=500)] = "") -> Response:
    from cobro.collections.service import exceptions

    try:
        row = exceptions.decide(uow, exception_id, user="", approve=decision == "approve", today=as_of,
                                now=container.clock.now(), note=note)
    except CobroError as exc:
        uow.rollback()  # an expiry found on the way is recorded by the next cycle, not by a refused click
        row = exceptions.find(uow, exception_id, today=as_of)
        return render(request, "fragments/approval_row.html", e=row, error=language(request).refusal(str(exc)),
                      as_of=as_of, tenant=tenant)
    return render(request, "fragments/approval_row.html", e=row, error="", as_of=as_of, tenant=tenant)
