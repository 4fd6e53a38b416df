"""/api/v1/predictions: the stored payment-date predictions of open instalments (`cobro predict refresh`), from the
latest refresh on or before `as_of` (default today); one customer's, one invoice's or all, paged by cursor.
Reading them needs `ledger.read`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from cobro.forecasting import service
from cobro.forecasting.schemas import StoredPrediction
from cobro.kernel.errors import InvalidInputError
from cobro.platform.http.auth import require
from cobro.platform.http.deps import ContainerDep, UowDep
from cobro.platform.http.paging import DEFAULT_LIMIT, MAX_LIMIT, Page, check_limit, decode_cursor, page_of
from cobro.platform.http.problems import PROBLEMS

router = APIRouter(prefix="/v1", tags=["forecasting"], responses=PROBLEMS)


class PredictionOut(BaseModel):
    as_of: dt.date
    customer: str
    invoice: str
    instalment: str
    currency: str
    open: str
    due_date: dt.date
    expected_date: dt.date
    p10_date: dt.date
    p50_date: dt.date
    p90_date: dt.date
    p_late: str
    p_unpaid_180: str
    model_version: str
    reasons: list[str]

    @classmethod
    def of(cls, p: StoredPrediction) -> PredictionOut:
        return cls.model_validate(p.as_json())


def _key(p: PredictionOut) -> tuple[str, str, str]:
    return (p.customer, p.due_date.isoformat(), p.instalment)  # the listing's order (the service's)


def _after(cursor: str | None) -> tuple[str, dt.date, str] | None:
    key = decode_cursor(cursor)
    if key is None:
        return None
    if len(key) != 3 or not all(isinstance(v, str) for v in key):
        raise InvalidInputError("cursor: not a cursor of this listing")
    try:
        return (str(key[0]), dt.date.fromisoformat(str(key[1])), str(key[2]))
    except ValueError:
        raise InvalidInputError("cursor: not a cursor of this listing") from None


@router.get("/predictions", response_model=Page[PredictionOut], dependencies=[require("ledger.read")],
            summary="Stored payment-date predictions of open instalments")
def list_predictions(
    uow: UowDep, container: ContainerDep,
    customer: Annotated[str | None, Query(min_length=1, max_length=64, description="one customer's (code)")] = None,
    as_of: Annotated[dt.date | None, Query(description="the latest refresh on or before this day (default today)")]
    = None,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size (1..500)")] = DEFAULT_LIMIT,
) -> Page[PredictionOut]:
    """Expected payment date, p10/p50/p90 dates, P(late), P(not paid within 180 days of the due date), the model
    version and the features that moved the prediction most; empty when nothing was refreshed by `as_of`."""
    check_limit(limit)
    rows = [PredictionOut.of(p) for p in service.list_predictions(
        uow, as_of or container.clock.today(), customer=customer, after=_after(cursor), limit=limit + 1)]
    return page_of(rows, limit, _key)


@router.get("/invoices/{number}/predictions", response_model=list[PredictionOut],
            dependencies=[require("ledger.read")], summary="Stored payment-date predictions of one invoice")
def invoice_predictions(
    uow: UowDep, container: ContainerDep, number: Annotated[str, Path(min_length=1, max_length=64)],
    as_of: Annotated[dt.date | None, Query(description="the latest refresh on or before this day (default today)")]
    = None,
) -> list[PredictionOut]:
    """One row per open instalment of the invoice (none when it was paid or nothing was refreshed by `as_of`)."""
    return [PredictionOut.of(p) for p in
            service.list_predictions(uow, as_of or container.clock.today(), invoice=number)]
