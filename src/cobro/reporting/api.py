"""Mounted only when the reports feature (`cobro.reporting.service`) is installed."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from cobro.platform.http.auth import require
from cobro.platform.http.deps import AsOfDep, UowDep
from cobro.platform.http.problems import PROBLEMS
from cobro.reporting import service as reporting
from cobro.reporting.domain.aging import DEFAULT_SPEC, parse_bucket_spec
from cobro.reporting.schemas import AgeingReport

router = APIRouter(prefix="/reports", tags=["reports"], responses=PROBLEMS,
                   dependencies=[require("ledger.read")])


@router.get("/ageing", response_model=AgeingReport)
def ageing(uow: UowDep, as_of: AsOfDep,
           buckets: Annotated[str, Query(max_length=100, pattern=r"^\s*\d+(\s*,\s*\d+)*\s*$",
                                         description="Bucket edges in days, e.g. 0,30,60,90,120")] = DEFAULT_SPEC,
           basis: Annotated[Literal["due", "invoice"], Query(description="Age from the due or the invoice date")]
           = "due") -> AgeingReport:
    spec = parse_bucket_spec(buckets, basis)
    return AgeingReport.model_validate(reporting.ageing_report(uow, as_of, spec).as_json())
