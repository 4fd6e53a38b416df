"""/api/v1/escalation-cases (list, read, hand off, close, the evidence-pack PDF), /api/v1/credit-checks and
/api/v1/terms-letters.

Handing off and closing are collection work (`collections.work`); closing with `lift_credit_stop` also changes
what sales may sell, so it needs `credit.write` too.  The credit check only reads (`ledger.read`: sales read the
credit position before they sell)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from cobro.collections.api.common import (
    DEFAULT,
    STALE,
    Cursor,
    IfMatch,
    Limit,
    acting,
    page_over,
    require_fresh,
    today,
    with_etag,
)
from cobro.collections.api.models import CaseOut, CloseIn, Code, HandOffIn
from cobro.collections.domain.status import CaseStatus
from cobro.collections.service import credit, credit_stops, escalation, evidence, terms
from cobro.kernel.errors import PermissionDeniedError
from cobro.platform.http.auth import PrincipalDep, TenantDep, require
from cobro.platform.http.deps import AsOfDep, ContainerDep, UowDep, WriteUowDep
from cobro.platform.http.paging import Page
from cobro.platform.http.problems import PROBLEMS

router = APIRouter(prefix="/v1/escalation-cases", tags=["collections"], responses=PROBLEMS)
credit_router = APIRouter(prefix="/v1/credit-checks", tags=["collections"], responses=PROBLEMS)
terms_router = APIRouter(prefix="/v1/terms-letters", tags=["collections"], responses=PROBLEMS)
Id = Annotated[int, Path(ge=1, le=2**53)]
READ, WORK = [require("ledger.read")], [require("collections.work")]


@router.get("", response_model=Page[CaseOut], dependencies=READ, summary="List escalation cases")
def list_cases(uow: UowDep, limit: Limit = DEFAULT, cursor: Cursor = None,
               status: CaseStatus | None = None) -> Page[CaseOut]:
    rows = escalation.list_cases(uow, status=status.value if status else "")
    return page_over(rows, key=lambda c: (c.id,), kinds=(int,), cursor=cursor, limit=limit, shape=CaseOut.of)


@router.get("/{case_id}", response_model=CaseOut, dependencies=READ, summary="Read an escalation case")
def get_case(uow: UowDep, case_id: Id, response: Response) -> CaseOut:
    return with_etag(response, CaseOut.of(escalation.get_case(uow, case_id)))


@router.post("/{case_id}/hand-off", response_model=CaseOut, dependencies=WORK, responses=STALE,
             summary="Hand a case off to an agency or lawyer")
def hand_off(uow: WriteUowDep, container: ContainerDep, case_id: Id, body: HandOffIn, response: Response,
             if_match: IfMatch = None) -> CaseOut:
    require_fresh(if_match, CaseOut.of(escalation.get_case(uow, case_id)))
    escalation.hand_off(uow, case_id, to=body.to, today=today(container), user=acting(uow))
    return with_etag(response, CaseOut.of(escalation.get_case(uow, case_id)))


@router.post("/{case_id}/close", response_model=CaseOut, dependencies=WORK, responses=STALE,
             summary="Close a case (optionally lifting the credit stop)")
def close_case(uow: WriteUowDep, container: ContainerDep, principal: PrincipalDep, tenant: TenantDep,
               case_id: Id, response: Response, body: Annotated[CloseIn | None, Body()] = None,
               if_match: IfMatch = None) -> CaseOut:
    """`lift_credit_stop` lets sales sell to the customer again: it needs `credit.write` as well."""
    body = body or CloseIn()
    if body.lift_credit_stop and not principal.may(tenant, "credit.write"):
        raise PermissionDeniedError("lift_credit_stop: permission 'credit.write' is needed to lift a credit stop")
    require_fresh(if_match, CaseOut.of(escalation.get_case(uow, case_id)))
    escalation.close(uow, case_id, today=today(container), note=body.note, lift_credit_stop=body.lift_credit_stop,
                     user=acting(uow))
    return with_etag(response, CaseOut.of(escalation.get_case(uow, case_id)))


@router.get("/{case_id}/evidence-pack", dependencies=READ, response_class=Response,
            summary="The case's evidence pack (PDF)",
            responses={200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "the evidence pack for the agency or lawyer"}})
def evidence_pack(uow: UowDep, container: ContainerDep, case_id: Id, as_of: AsOfDep,
                  language: Annotated[Literal["es", "en"], Query(description="language of the pack")] = "es"
                  ) -> Response:
    """What was owed, every demand made and what was promised, as of `as_of` (default today)."""
    pdf = evidence.evidence_pack(uow, case_id, as_of=as_of, rates=container.rates, language=language)
    return Response(pdf.content, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="evidence-case-{case_id}.pdf"'})


# --- credit checks -------------------------------------------------------------------------------------------

class CreditLineOut(BaseModel):
    currency: str
    exposure: str
    limit: str | None
    base_limit: str | None
    source: str = Field(description="where the limit comes from: customer, policy, exception or empty (none)")
    exception: int | None
    headroom: str | None
    over_limit: bool


class CreditStopOut(BaseModel):
    since: str
    reason: str


class CreditCheckOut(BaseModel):
    customer: str
    as_of: str
    over_limit: bool
    lines: list[CreditLineOut]
    credit_stop: CreditStopOut | None = Field(None, description="the customer's active credit stop, if any")


class LiftStopIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "guarantee received from the parent company"}]})
    reason: Annotated[str, Field(min_length=1, max_length=2000, description="why sales may sell on credit again")]


@credit_router.get("", response_model=Page[CreditCheckOut], dependencies=READ, summary="Credit checks")
def credit_checks(uow: UowDep, as_of: AsOfDep, limit: Limit = DEFAULT, cursor: Cursor = None,
                  customer: Annotated[str, Query(max_length=64, description="one customer's code")] = "",
                  over_limit: Annotated[bool | None, Query(description="only customers over (or within) "
                                                                       "their limit")] = None
                  ) -> Page[CreditCheckOut]:
    """Effective limit, exposure and headroom per currency, by customer code."""
    found = credit.checks(uow, as_of, customer)
    if over_limit is not None:
        found = [c for c in found if c.over_limit == over_limit]
    stops = {s.customer: s.as_json() for s in escalation.credit_stops(uow)}
    return page_over(found, key=lambda c: (c.customer,), kinds=(str,), cursor=cursor, limit=limit,
                     shape=lambda c: CreditCheckOut.model_validate({**c.as_dict(),
                                                                    "credit_stop": stops.get(c.customer)}))


@credit_router.post("/{customer}/credit-stop/lift", response_model=CreditStopOut, dependencies=[
    require("credit.write")], summary="Lift a credit stop")
def lift_credit_stop(uow: WriteUowDep, container: ContainerDep, customer: Annotated[str, Path(max_length=64)],
                     body: LiftStopIn) -> CreditStopOut:
    """A credit manager lets sales sell on credit again, saying why (timeline, audit log, `credit_stop.lifted`);
    answers the stop as it was."""
    stop = credit_stops.lift_credit_stop(uow, customer, reason=body.reason, today=today(container),
                                         user=acting(uow))
    return CreditStopOut(since=stop.since.isoformat(), reason=stop.reason)


# --- terms letters -------------------------------------------------------------------------------------------

class TermsLetterIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"customer": "C001",
                                                                               "channel": "email"}]})
    customer: Code
    channel: Literal["email", "letter"] = "email"


class TermsLetterOut(BaseModel):
    message: int = Field(description="the outbox message id")
    channel: str
    recipient: str
    status: str
    created: bool = Field(description="false: the same letter was already queued today (nothing new queued)")


@terms_router.post("", response_model=TermsLetterOut, status_code=202, dependencies=WORK,
                   summary="Send the terms letter")
def send_terms_letter(uow: WriteUowDep, container: ContainerDep, body: TermsLetterIn) -> TermsLetterOut:
    """Queue the letter stating payment terms, late interest and the consequences of late payment: 202, it is
    delivered by the outbox after commit (there is no resource to fetch: the message is the outbox's)."""
    queued = terms.send_terms_letter(uow, body.customer, today=today(container), rates=container.rates,
                                     channel=body.channel, user=acting(uow))
    return TermsLetterOut(message=queued.id, channel=queued.channel, recipient=queued.recipient,
                          status=str(queued.status), created=queued.created)
