from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from cobro.ledger.schemas.ledger import LedgerSummary
from cobro.platform.http.deps import TenantDep, UowDep
from cobro.platform.http.problems import PROBLEMS
from cobro.workspace import service as dashboard

router = APIRouter(prefix="/ledger", tags=["ledger"], responses=PROBLEMS)


@router.get("/summary", response_model=LedgerSummary)
def summary(uow: UowDep, tenant: TenantDep, as_of: Annotated[
        dt.date | None, Query(description="Open as of this day (YYYY-MM-DD); default: the ledger as it stands")
] = None) -> LedgerSummary:
    return LedgerSummary.model_validate(dashboard.ledger_summary(uow.session, tenant, as_of))
