"""/api/v1/escalation-cases/{id}: the agency handoff over the API.  PATCH records a status report from the agency
holding the case (a final report closes it), `/agency-updates` lists the reports, `/agency-export` is the agency's
file as JSON (debtor, documents, amounts, interest to the handoff date, every demand made).

Reporting is collection work (`collections.work`); reading is `ledger.read`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from cobro.collections.api.common import STALE, IfMatch, acting, require_fresh, today, with_etag
from cobro.collections.api.models import CaseOut
from cobro.collections.domain.agency import MAX_NOTE, MAX_REFERENCE, AgencyStatus
from cobro.collections.schemas.agency import AgencyUpdate
from cobro.collections.service import agency, escalation
from cobro.platform.http.auth import require
from cobro.platform.http.deps import AsOfDep, ContainerDep, UowDep, WriteUowDep
from cobro.platform.http.problems import PROBLEMS

router = APIRouter(prefix="/v1/escalation-cases", tags=["collections"], responses=PROBLEMS)
Id = Annotated[int, Path(ge=1, le=2**53)]
READ, WORK = [require("ledger.read")], [require("collections.work")]


class AgencyUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"agency_status": "partially_recovered", "date": "2026-12-01", "recovered": "500.00",
         "reference": "ACN-2291", "note": "first instalment collected"}]})
    agency_status: AgencyStatus = Field(description="recovered, uncollectable and returned close the case")
    date: dt.date | None = Field(default=None, description="day of the report (default today)")
    note: Annotated[str, Field(max_length=MAX_NOTE)] = ""
    recovered: Annotated[str, Field(max_length=40, description="amount the agency collected, in the case's "
                                                               "currency")] = ""
    reference: Annotated[str, Field(max_length=MAX_REFERENCE, description="the agency's own reference")] = ""


class AgencyUpdateOut(BaseModel):
    id: int
    case: int
    date: dt.date
    status: AgencyStatus
    note: str
    recovered: str
    currency: str
    reference: str
    source: str
    by: str

    @classmethod
    def of(cls, u: AgencyUpdate) -> AgencyUpdateOut:
        return cls.model_validate(u.as_json())


@router.patch("/{case_id}", response_model=CaseOut, dependencies=WORK, responses=STALE,
              summary="Record the agency's status report on a case")
def report(uow: WriteUowDep, container: ContainerDep, case_id: Id, body: AgencyUpdateIn, response: Response,
           if_match: IfMatch = None) -> CaseOut:
    """The report is stored, put on the timeline and audited; `recovered`, `uncollectable` or `returned` closes
    the case with the report as the closing note."""
    require_fresh(if_match, CaseOut.of(escalation.get_case(uow, case_id)))
    day = today(container)
    agency.record_update(uow, case_id, status=body.agency_status, day=body.date or day, today=day, note=body.note,
                         recovered=body.recovered, reference=body.reference, source="api", user=acting(uow))
    return with_etag(response, CaseOut.of(escalation.get_case(uow, case_id)))


@router.get("/{case_id}/agency-updates", response_model=list[AgencyUpdateOut], dependencies=READ,
            summary="The agency's reports on a case")
def list_updates(uow: UowDep, case_id: Id) -> list[AgencyUpdateOut]:
    return [AgencyUpdateOut.of(u) for u in agency.updates(uow, case_id)]


@router.get("/{case_id}/agency-export", dependencies=READ, summary="The agency's file for a case (JSON)")
def export(uow: UowDep, container: ContainerDep, case_id: Id, as_of: AsOfDep) -> dict[str, Any]:
    """Debtor, documents, amounts, the interest to the handoff date and every demand made, as of `as_of`."""
    return agency.agency_export(uow, case_id, as_of=as_of, rates=container.rates).as_json()
