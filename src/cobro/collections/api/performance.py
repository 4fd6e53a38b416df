"""/api/v1/collector-performance (the month's figures per collector and currency, `ledger.read`) and
/api/v1/collector-targets (list: `ledger.read`; set: `policy.write`, the credit manager's, like the policy a
collector works under)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from cobro.collections.api.common import acting
from cobro.collections.domain.performance import DEFAULT_WINDOW_DAYS, MAX_WINDOW_DAYS
from cobro.collections.service import performance
from cobro.platform.http.auth import require
from cobro.platform.http.deps import AsOfDep, UowDep, WriteUowDep
from cobro.platform.http.problems import PROBLEMS

router = APIRouter(prefix="/v1", tags=["collections"], responses=PROBLEMS)
Period = Annotated[str, Query(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$", description="month, YYYY-MM (default: the as-of month)")]


@router.get("/collector-performance", dependencies=[require("ledger.read")], summary="Collector performance")
def collector_performance(uow: UowDep, as_of: AsOfDep, period: Period | None = None,
                          window_days: Annotated[int, Query(ge=0, le=MAX_WINDOW_DAYS, description=(
                              "a receipt counts for the latest contact this many days before it"))] = DEFAULT_WINDOW_DAYS
                          ) -> dict[str, Any]:
    """Recovered after each collector's contacts, target and progress, promises, calls, portfolio and DSO."""
    month = period or f"{as_of:%Y-%m}"
    return performance.collector_report(uow, period=month, as_of=as_of, window_days=window_days).as_json()


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"collector": "Sergio López", "period": "2026-12", "amount": "50000.00", "currency": "EUR"}]})
    collector: Annotated[str, Field(min_length=1, max_length=performance.MAX_NAME)]
    period: Annotated[str, Field(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$")]
    amount: Annotated[str, Field(min_length=1, max_length=40)]
    currency: Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")] = "EUR"


class TargetOut(BaseModel):
    collector: str
    period: str
    currency: str
    amount: str


@router.get("/collector-targets", response_model=list[TargetOut], dependencies=[require("ledger.read")],
            summary="Collector targets of a month")
def list_targets(uow: UowDep, as_of: AsOfDep, period: Period | None = None) -> list[TargetOut]:
    month = period or f"{as_of:%Y-%m}"
    return [TargetOut.model_validate(t.as_json()) for t in performance.targets(uow, period=month)]


@router.post("/collector-targets", response_model=TargetOut, dependencies=[require("policy.write")],
             summary="Set a collector's target for a month")
def set_target(uow: WriteUowDep, body: TargetIn) -> TargetOut:
    target = performance.set_target(uow, collector=body.collector, period=body.period, amount=body.amount,
                                    currency=body.currency, user=acting(uow))
    return TargetOut.model_validate(target.as_json())
