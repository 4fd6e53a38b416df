"""/api/v1/audit: the tenant's audit log for auditors, as cursor pages of JSON or one CSV export.

Only `audit.read` opens it (the auditor and admin roles): the log holds every before/after state, so it is not a
ledger read.  The CSV is the same export as `cobro audit show --csv` (formula-like cells neutralised)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from cobro.audit import service
from cobro.audit.schemas import AuditEntry, AuditQuery
from cobro.kernel.errors import InvalidInputError
from cobro.platform.http.auth import require
from cobro.platform.http.deps import UowDep
from cobro.platform.http.paging import MAX_LIMIT, Page, check_limit, decode_cursor, encode_cursor
from cobro.platform.http.params import Day
from cobro.platform.http.problems import PROBLEMS

router = APIRouter(prefix="/v1/audit", tags=["audit"], responses=PROBLEMS)
CSV_LIMIT = service.MAX_LIMIT  # one export holds at most this many entries; page on with the id cursor


@router.get("", response_model=Page[AuditEntry], dependencies=[require("audit.read")],
            summary="Read the audit log",
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                             "description": "A page of entries (JSON), or the CSV export with format=csv"}})
def audit_log(uow: UowDep,
              entity: Annotated[str, Query(max_length=40, description="only this kind (dispute, hold, ...)")] = "",
              id: Annotated[str, Query(max_length=64, description="only this entity id (with entity)")] = "",
              since: Annotated[Day | None, Query(description="from this day (UTC), inclusive")] = None,
              until: Annotated[Day | None, Query(description="before this day (UTC)")] = None,
              limit: Annotated[int, Query(ge=1, le=CSV_LIMIT, description="page size (1..500; csv up to "
                                                                          f"{CSV_LIMIT})")] = 50,
              cursor: Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous "
                                                                             "page")] = None,
              format: Annotated[Literal["json", "csv"], Query(description="json pages or a csv export")] = "json",
              ) -> Page[AuditEntry] | PlainTextResponse:
    """Entries oldest first (by id).  The cursor carries the last id shown, so entries appended meanwhile
    appear on later pages and none is skipped.  `format=csv` answers `text/csv` with the same filters."""
    if id and not entity:
        raise InvalidInputError("id: give entity together with id")
    if since and until and until <= since:
        raise InvalidInputError("until: must be after since")
    if format == "json" and limit > MAX_LIMIT:
        check_limit(limit)
    query = AuditQuery(entity=entity, entity_id=id, since=_start(since), until=_start(until),
                       after_id=_after(cursor), limit=limit + 1 if format == "json" else limit)
    entries = service.history(uow, query)
    if format == "csv":
        return PlainTextResponse(service.to_csv(entries), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
    shown = entries[:limit]
    more = len(entries) > limit
    return Page[AuditEntry](items=shown, next_cursor=encode_cursor([shown[-1].id]) if more and shown else None)


def _start(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _after(cursor: str | None) -> int:
    key = decode_cursor(cursor)
    if key is None:
        return 0
    if len(key) != 1 or not isinstance(key[0], int) or key[0] < 0:
        raise InvalidInputError("cursor: not a cursor of this listing")
    return key[0]
