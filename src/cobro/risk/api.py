"""/api/v1/risk: behavioural scores, the classification of delinquent customers, recommended actions, the
collector worklist (ranked as `cobro worklist` ranks it) and the risk alerts with their acknowledgement.

Reads compute on the stored default policy and financial statements (the CLI's `--policy`/`--financials` files
have no API form); `GET /scores` stores nothing — `cobro risk score` (or the worker) stores and raises alerts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from cobro.identity import service as identity
from cobro.kernel.errors import InvalidInputError
from cobro.platform.container import Container
from cobro.platform.http.auth import require
from cobro.platform.http.deps import AsOfDep, ContainerDep, UowDep, WriteUowDep
from cobro.platform.http.paging import (
    Page,
    check_if_match,
    check_limit,
    decode_cursor,
    encode_cursor,
    etag_of,
)
from cobro.platform.http.problems import PROBLEMS
from cobro.risk.schemas import AlertPreference, AlertStatus, StoredAlert
from cobro.risk.service import alerts as alert_service
from cobro.risk.service import scores as risk
from cobro.risk.service.worklist import worklist as rank_worklist

router = APIRouter(prefix="/v1/risk", tags=["risk"], responses=PROBLEMS)
CustomerCode = Annotated[str, PathParam(min_length=1, max_length=64)]
AlertId = Annotated[int, PathParam(ge=1, le=2**53)]
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=512,
                                       description="the ETag read last; a stale one answers 412")]
STALE: dict[int | str, dict[str, Any]] = {412: {"description": "If-Match names a state it no longer has"},
                                          409: {"description": "the alert is already acknowledged"}}


class ScoreOut(BaseModel):
    customer: str
    customer_name: str
    score: int = Field(ge=0, le=100, description="0 best .. 100 worst")
    grade: str = Field(examples=["A", "E"])
    days_beyond_terms: float
    thin_history: bool
    exposure: str
    credit_limit: str | None
    currency: str
    reasons: list[str]
    components: dict[str, float]
    collector: str
    account_owner: str


class RaisedOut(BaseModel):
    customer: str
    kind: str
    message: str


class ScoresOut(BaseModel):
    as_of: str
    scores: list[ScoreOut] = Field(description="worst first")
    alerts: list[RaisedOut] = Field(description="what storing this run would raise")


class ClassifiedOut(BaseModel):
    customer: str
    label: str
    nature: str
    explanation: str
    evidence: list[str]
    overdue: str
    currency: str
    days_past_due: int
    collector: str


class RecommendationOut(BaseModel):
    customer: str
    currency: str
    action: str
    expected_value: str
    value_vs_wait: str
    minutes: int
    reasons: list[str]
    options: list[dict[str, Any]]
    label: str
    nature: str
    overdue: str
    days_past_due: int
    claimable: str
    collector: str
    value_vs_wait_base: float


class WorkItemOut(BaseModel):
    rank: int = Field(description="1 = do first")
    kind: str
    id: int | None
    customer: str
    collector: str
    currency: str
    action: str
    minutes: int
    due_on: str | None
    gain: str
    per_minute_base: float
    reason: str


class AlertOut(BaseModel):
    id: int
    as_of: dt.date
    customer: str
    kind: str
    message: str
    recipients: list[str]
    status: AlertStatus
    snoozed_until: dt.date | None = Field(default=None, description="hidden from lists and digests before this day")

    @classmethod
    def of(cls, a: StoredAlert) -> AlertOut:
        return cls(id=a.id, as_of=a.as_of, customer=a.customer, kind=str(a.kind), message=a.message,
                   recipients=list(a.recipients), status=a.status, snoozed_until=a.snoozed_until)


class SnoozeIn(BaseModel):
    until: dt.date = Field(description="the first day the alert shows again (after today)")


class PreferenceIn(BaseModel):
    mode: AlertPreference = Field(description="off, daily (one digest e-mail a day) or immediate")


class PreferenceOut(BaseModel):
    user: str
    mode: AlertPreference


def _kw(container: Container) -> dict[str, Any]:
    from cobro.solvency.service.solvency import model_path

    return {"solvency_model": model_path(Path(container.settings.model_dir)), "rates": container.rates}


@router.get("/scores", response_model=ScoresOut, dependencies=[require("ledger.read")],
            summary="Risk scores of every customer")
def scores(uow: UowDep, as_of: AsOfDep, container: ContainerDep) -> ScoresOut:
    """Every customer's score (0 best .. 100 worst, grade A-E) with its reasons, worst first; computed, not
    stored."""
    return ScoresOut.model_validate(risk.score_all(uow, as_of, store=False, **_kw(container)).as_json())


@router.get("/scores/{customer}", response_model=dict[str, Any], dependencies=[require("ledger.read")],
            summary="One customer's risk in full")
def customer_risk(uow: UowDep, as_of: AsOfDep, container: ContainerDep, customer: CustomerCode) -> dict[str, Any]:
    """Score with every component, classification, solvency, recommendations and alerts (`cobro risk show`)."""
    shown: dict[str, Any] = risk.show(uow, customer, as_of, **_kw(container)).as_json()
    return shown


@router.get("/classification", response_model=list[ClassifiedOut], dependencies=[require("ledger.read")],
            summary="Why delinquent customers are late")
def classification(uow: UowDep, as_of: AsOfDep, container: ContainerDep) -> list[ClassifiedOut]:
    """Each delinquent customer's label (can't pay, won't pay, forgot, dispute …) with the evidence."""
    return [ClassifiedOut.model_validate(c.as_json()) for c in risk.classify_all(uow, as_of, **_kw(container))]


@router.get("/recommendations", response_model=list[RecommendationOut], dependencies=[require("ledger.read")],
            summary="Recommended actions")
def recommendations(uow: UowDep, as_of: AsOfDep, container: ContainerDep,
                    customer: Annotated[str, Query(max_length=64, description="one customer's")] = "",
                    ) -> list[RecommendationOut]:
    """The best action per delinquent customer × currency, best value over waiting first (`cobro recommend`)."""
    recs = risk.recommend_all(uow, as_of, customer=customer, model_dir=Path(container.settings.model_dir),
                              **_kw(container))
    return [RecommendationOut.model_validate(r.as_json()) for r in recs]


@router.get("/worklist", response_model=list[WorkItemOut], dependencies=[require("ledger.read")],
            summary="The collector worklist, ranked")
def worklist(uow: UowDep, as_of: AsOfDep, container: ContainerDep,
             collector: Annotated[str, Query(max_length=120, description="one collector's work")] = "",
             mine: Annotated[bool, Query(description="the caller's own work (collector = the caller's display "
                                                     "name)")]
             = False) -> list[WorkItemOut]:
    """Open tasks and cases ranked by expected money recovered per minute of collector time (`cobro worklist`)."""
    if mine and collector:
        raise InvalidInputError("collector: give either collector or mine=true, not both")
    who = identity.acting_name(uow) if mine else collector  # a user's display name is what `collector` holds
    ranked = rank_worklist(uow, as_of, who or None, rates=container.rates)
    return [WorkItemOut.model_validate(w.as_json()) for w in ranked]


@router.get("/alerts", response_model=Page[AlertOut], dependencies=[require("ledger.read")],
            summary="Risk alerts")
def list_alerts(uow: UowDep, status: AlertStatus | None = AlertStatus.OPEN,
                recipient: Annotated[str, Query(max_length=200, description="only alerts for this collector "
                                                                            "or owner")] = "",
                limit: Annotated[int, Query(ge=1, le=500, description="page size (1..500)")] = 50,
                cursor: Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous "
                                                                               "page")] = None) -> Page[AlertOut]:
    """Newest first (then by id); open ones unless `status` says otherwise."""
    check_limit(limit)
    after = _after(cursor)
    rows = [a for a in risk.list_alerts(uow, status=str(status) if status else "", recipient=recipient)
            if after is None or _key(a) > after]
    shown = rows[:limit]
    return Page[AlertOut](items=[AlertOut.of(a) for a in shown],
                          next_cursor=encode_cursor(list(_key(shown[-1]))) if len(rows) > limit else None)


def _me(uow: UowDep | WriteUowDep) -> str:
    """The calling user's e-mail: preferences are a person's, so an API key has none."""
    if uow.actor is None or uow.actor.kind != "user":
        raise InvalidInputError("user: only a signed-in user has alert preferences (not an API key)")
    return uow.actor.name


# before /alerts/{alert_id}, which would read "preferences" as an id
@router.get("/alerts/preferences", response_model=PreferenceOut, dependencies=[require("alerts.receive")],
            summary="How the caller receives alerts")
def read_preference(uow: UowDep) -> PreferenceOut:
    me = _me(uow)
    return PreferenceOut(user=me, mode=alert_service.preference(uow, user=me))


@router.put("/alerts/preferences", response_model=PreferenceOut, dependencies=[require("alerts.receive")],
            summary="Set how the caller receives alerts")
def set_preference(uow: WriteUowDep, body: PreferenceIn) -> PreferenceOut:
    """off: nothing; daily: one digest e-mail a day with the alerts not received yet; immediate: an e-mail as
    each alert is raised."""
    me = _me(uow)
    return PreferenceOut(user=me, mode=alert_service.set_preference(uow, user=me, mode=str(body.mode)))


@router.get("/alerts/{alert_id}", response_model=AlertOut, dependencies=[require("ledger.read")],
            summary="One risk alert")
def read_alert(uow: UowDep, alert_id: AlertId, response: Response) -> AlertOut:
    out = AlertOut.of(alert_service.alert(uow, alert_id))
    response.headers["ETag"] = etag_of(out)
    return out


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut, responses=STALE,
             dependencies=[require("collections.work")], summary="Acknowledge a risk alert")
def acknowledge(uow: WriteUowDep, alert_id: AlertId, response: Response, if_match: IfMatch = None) -> AlertOut:
    """The authenticated caller has seen the alert: it leaves the open list; the audit log names who."""
    check_if_match(if_match, etag_of(AlertOut.of(alert_service.alert(uow, alert_id))))
    out = AlertOut.of(alert_service.acknowledge(uow, alert_id, user=uow.actor.name if uow.actor else ""))
    response.headers["ETag"] = etag_of(out)
    return out


@router.post("/alerts/{alert_id}/snooze", response_model=AlertOut, responses=STALE,
             dependencies=[require("collections.work")], summary="Snooze a risk alert until a date")
def snooze(uow: WriteUowDep, container: ContainerDep, alert_id: AlertId, body: SnoozeIn, response: Response,
           if_match: IfMatch = None) -> AlertOut:
    """Hidden from lists and digests until `until`; an acknowledged alert cannot be snoozed (409)."""
    check_if_match(if_match, etag_of(AlertOut.of(alert_service.alert(uow, alert_id))))
    out = AlertOut.of(alert_service.snooze(uow, alert_id, until=body.until, today=container.clock.today(),
                                           user=uow.actor.name if uow.actor else ""))
    response.headers["ETag"] = etag_of(out)
    return out


def _key(a: StoredAlert) -> tuple[int, int]:
    return (-a.as_of.toordinal(), a.id)  # the listing's order: newest day first, then id


def _after(cursor: str | None) -> tuple[int, int] | None:
    key = decode_cursor(cursor)
    if key is None:
        return None
    if len(key) != 2 or not all(isinstance(v, int) for v in key):
        raise InvalidInputError("cursor: not a cursor of this listing")
    return (int(key[0]), int(key[1]))
