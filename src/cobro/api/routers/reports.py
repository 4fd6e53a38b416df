"""Mounted only when the reports feature (`cobro.services.reporting`) is installed."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from cobro.api.deps import AsOfDep, TenantDep, UowDep
from cobro.api.routers import PROBLEMS
from cobro.api.schemas import AgeingReport
from cobro.domain.aging import DEFAULT_SPEC, parse_bucket_spec
from cobro.services import dashboard

router = APIRouter(prefix="/reports", tags=["reports"], responses=PROBLEMS)


@router.get("/ageing", response_model=AgeingReport)
def ageing(uow: UowDep, tenant: TenantDep, as_of: AsOfDep,
           buckets: Annotated[str, Query(max_length=100, pattern=r"^\s*\d+(\s*,\s*\d+)*\s*$",
                                         description="Bucket edges in days, e.g. 0,30,60,90,120")] = DEFAULT_SPEC,
           basis: Annotated[Literal["due", "invoice"], Query(description="Age from the due or the invoice date")]
           = "due") -> AgeingReport:
    spec = parse_bucket_spec(buckets, basis)
    return AgeingReport.model_validate(dashboard.ageing(uow.session, tenant, as_of, spec))
