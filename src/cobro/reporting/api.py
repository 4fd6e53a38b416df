"""Mounted only when the reports feature (`cobro.reporting.service`) is installed: the historical
/api/reports/ageing and the /api/v1/reports routes (`v1`), each one report of `cobro report` with its options."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import WithJsonSchema

from cobro.kernel.errors import InvalidInputError
from cobro.platform.http.auth import require
from cobro.platform.http.deps import AsOfDep, ContainerDep, UowDep
from cobro.platform.http.problems import PROBLEMS
from cobro.reporting import service as reporting
from cobro.reporting.api_models import AgeingOut, CostOut, ForecastOut, KpisOut, ProvisionOut
from cobro.reporting.domain.aging import DEFAULT_SPEC, parse_bucket_spec
from cobro.reporting.domain.costs import CostParameters
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


# --- /api/v1/reports: the reports of `cobro report` with the CLI's options ---------------------------------------

v1 = APIRouter(prefix="/v1/reports", tags=["reporting"], responses=PROBLEMS, dependencies=[require("ledger.read")])


def _decimal(pattern: str) -> WithJsonSchema:
    # decimal strings only: the schema says which, so a generated client (and schemathesis) sends valid ones
    return WithJsonSchema({"type": "string", "pattern": pattern})


Fraction = Annotated[Decimal, _decimal(r"^(0(\.\d{1,6})?|1(\.0{1,6})?)$")]  # 0..1
Multiplier = Annotated[Decimal, _decimal(r"^(\d(\.\d{1,6})?|10(\.0{1,6})?)$")]  # 0..10
Cost = Annotated[Decimal, _decimal(r"^\d{1,5}(\.\d{1,4})?$")]  # 0..99999.9999


@v1.get("/ageing", response_model=AgeingOut, summary="Ageing of open receivables")
def ageing_v1(uow: UowDep, as_of: AsOfDep,
              buckets: Annotated[str, Query(max_length=100, pattern=r"^\s*\d+(\s*,\s*\d+)*\s*$",
                                            description="bucket edges in days, e.g. 0,30,60,90,120")] = DEFAULT_SPEC,
              basis: Annotated[Literal["due", "invoice"], Query(description="age from the due or the invoice "
                                                                            "date")] = "due",
              by: Annotated[Literal["customer", "segment"] | None, Query(description="break down by customer "
                                                                                     "or segment")] = None,
              ) -> AgeingOut:
    """Open receivables by age bucket per currency, credit notes and unapplied cash apart (`cobro report
    ageing`); `by` adds the groups, largest first."""
    try:
        spec = parse_bucket_spec(buckets, basis)
    except InvalidInputError as exc:  # the rule names the spec; the API names its parameter
        raise InvalidInputError(f"buckets: {exc}") from exc
    report = reporting.ageing_report(uow, as_of, spec, by)
    return AgeingOut.model_validate(report.as_json())


@v1.get("/kpis", response_model=KpisOut, summary="DSO, CEI and the other collection KPIs")
def kpis_v1(uow: UowDep, as_of: AsOfDep,
            window_days: Annotated[int, Query(ge=1, le=3660, description="DSO/CEI window in days")] = 90,
            trend: Annotated[int, Query(ge=0, le=36, description="also at the last N month-ends")] = 0,
            ) -> KpisOut:
    """DSO (standard, countback, true), best possible DSO, ADD, days beyond terms, days to pay, CEI, turnover,
    % current and % over 90 per currency (`cobro report kpis`)."""
    return KpisOut.model_validate(reporting.kpi_report(uow, as_of, window_days, trend).as_json())


@v1.get("/provision", response_model=ProvisionOut, summary="IFRS 9 provision matrix")
def provision_v1(uow: UowDep, as_of: AsOfDep, lgd: Annotated[Fraction, Query(ge=0, le=1, max_digits=12, description="loss given default, 0..1")]
                 = Decimal("0.9"),
                 overlay: Annotated[Multiplier, Query(ge=0, le=10, max_digits=12,
                                                   description="forward-looking multiplier (1.10 = +10 %)")]
                 = Decimal("1.0"),
                 months: Annotated[int, Query(ge=1, le=60, description="month-end snapshots pooled")] = 12,
                 ) -> ProvisionOut:
    """Roll rates over month-end ageing snapshots rebuilt from the ledger, the loss rate per bucket and the
    expected credit loss (`cobro report provision`)."""
    report = reporting.provision_report(uow, as_of, lgd=lgd, overlay=overlay, months=months)
    return ProvisionOut.model_validate(report.as_json())


@v1.get("/cost", response_model=CostOut, summary="Cost of delinquency")
def cost_v1(uow: UowDep, as_of: AsOfDep,
            by: Annotated[Literal["customer", "invoice"], Query(description="rows per customer or invoice")]
            = "customer",
            cost_of_funds: Annotated[Fraction, Query(ge=0, le=1, max_digits=12, description="annual rate, 0.06 = 6 %")]
            = Decimal("0.06"),
            hourly_cost: Annotated[Cost, Query(ge=0, le=100_000, max_digits=12,
                                                  description="loaded cost of a collector hour")] = Decimal("35"),
            limit: Annotated[int, Query(ge=0, le=100_000, description="rows per currency (0 = all)")] = 0,
            ) -> CostOut:
    """Nominal at risk, financing cost, staff cost and systemic charge, costliest first (`cobro report cost`)."""
    params = CostParameters(cost_of_funds=cost_of_funds, hourly_cost=hourly_cost)
    out = CostOut.model_validate(reporting.cost_report(uow, as_of, by, params).as_json())
    if limit:
        for entry in out.currency.values():
            entry.rows = entry.rows[:limit]
    return out


@v1.get("/forecast", response_model=ForecastOut, summary="13-week cash-in forecast")
def forecast_v1(uow: UowDep, as_of: AsOfDep, container: ContainerDep,
                horizon_weeks: Annotated[int, Query(ge=1, le=104, description="weeks ahead")] = 13,
                ) -> ForecastOut:
    """Expected cash-in per week with p10/p50/p90 bands per currency; promises to pay count as strong evidence
    (`cobro forecast`).  Uses the tenant's trained payment-date model when there is one."""
    from cobro.forecasting import service as forecasting  # its own feature: only needed here

    out = forecasting.forecast(uow, as_of, horizon_weeks=horizon_weeks,
                               model_dir=Path(container.settings.model_dir))
    return ForecastOut.model_validate(out.as_json())
