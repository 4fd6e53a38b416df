from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cobro.ledger.schemas.ledger import LedgerSummary
from cobro.ledger.service.summary import ledger_summary
from cobro.platform.http.auth import require
from cobro.platform.http.deps import UowDep
from cobro.platform.http.params import Day
from cobro.platform.http.problems import PROBLEMS

router = APIRouter(prefix="/ledger", tags=["ledger"], responses=PROBLEMS,
                   dependencies=[require("ledger.read")])


@router.get("/summary", response_model=LedgerSummary)
def summary(uow: UowDep, as_of: Annotated[
        Day | None, Query(description="Open as of this day (YYYY-MM-DD); default: the ledger as it stands")
] = None) -> LedgerSummary:
    return ledger_summary(uow, as_of)
