"""Request and response bodies of the collections API: amounts are decimal text with their currency (never a
float), dates ISO days, statuses the collections enums.  Shape checks live here so that a bad field is a 422
naming it before any service runs; the services check the rest (the customer's invoices, open amounts...)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from cobro.collections.domain.status import (
    CaseStatus,
    DisputeReason,
    DisputeStatus,
    ExceptionKind,
    ExceptionStatus,
    PlanStatus,
    PromiseStatus,
    TaskKind,
    TaskOutcome,
    TaskStatus,
)
from cobro.collections.schemas.history import CycleRun, PlannedActionRecord, PlanSummary
from cobro.collections.schemas.work import (
    DisputeRecord,
    EscalationCase,
    HoldRecord,
    PolicyExceptionRecord,
    PromiseRecord,
    TaskRecord,
)
from cobro.kernel.money import format_minor

Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")]
Amount = Annotated[str, Field(pattern=r"^\d{1,12}(\.\d{1,4})?$", description="decimal text, e.g. 250.00",
                              examples=["250.00"])]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])]
Text = Annotated[str, Field(max_length=2000)]
Name = Annotated[str, Field(max_length=120)]


def utc(ts: dt.datetime | None) -> dt.datetime | None:
    """A stored timestamp with its zone: SQLite hands back naive UTC, and RFC 3339 needs the offset."""
    return ts.replace(tzinfo=dt.UTC) if ts is not None and ts.tzinfo is None else ts


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is refused, not silently ignored


# --- holds -----------------------------------------------------------------------------------------------

class HoldIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"customer": "C001", "reason": "invoice under review by sales", "until": "2025-07-31", "invoice": "F-002"}]})
    customer: Code
    reason: Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S")]
    until: dt.date | None = Field(None, description="last day of the hold; none: until released")
    invoice: Annotated[str, Field(max_length=64)] = Field("", description="hold one invoice; empty: all items")


class HoldOut(BaseModel):
    id: int
    customer: str
    invoice: str | None
    reason: str
    until: dt.date | None
    released_on: dt.date | None

    @classmethod
    def of(cls, r: HoldRecord) -> HoldOut:
        return cls(id=r.id, customer=r.customer, invoice=r.invoice or None, reason=r.reason, until=r.until,
                   released_on=r.released_on)


# --- disputes --------------------------------------------------------------------------------------------

class DisputeIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"customer": "C001", "invoices": ["F-002"], "reason_code": "quality", "amount": "500.00",
         "resolve_by": "2025-07-15", "note": "damaged pallets"}]})
    customer: Code
    invoices: Annotated[list[Code], Field(min_length=1, max_length=100)]
    reason_code: DisputeReason
    amount: Amount | None = Field(None, description="the disputed part; none: all that is open on the invoices")
    owner: Name = ""
    resolve_by: dt.date | None = None
    note: Text = ""


class ResolveIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"resolution": "credit note issued"}]})
    resolution: Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]


class DisputeOut(BaseModel):
    id: int
    customer: str
    invoices: list[str]
    reason_code: DisputeReason
    amount: str | None = Field(description="the disputed amount; null: all that is open on the invoices")
    currency: str
    owner: str
    resolve_by: dt.date | None
    status: DisputeStatus

    @classmethod
    def of(cls, r: DisputeRecord) -> DisputeOut:
        return cls(id=r.id, customer=r.customer, invoices=list(r.invoices), reason_code=r.reason_code,
                   amount=format_minor(r.amount_minor, r.currency) if r.amount_minor else None, currency=r.currency,
                   owner=r.owner, resolve_by=r.resolve_by, status=r.status)


# --- promises and plans ----------------------------------------------------------------------------------

class PromiseIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"customer": "C001", "amount": "1000.00", "currency": "EUR", "due_on": "2025-07-10",
         "contact": "María Peña", "channel": "phone"}]})
    customer: Code
    amount: Amount
    currency: Currency | None = Field(None, description="none: the one currency the customer owes in")
    due_on: dt.date
    contact: Annotated[str, Field(max_length=200)] = ""
    channel: Annotated[str, Field(pattern=r"^(phone|email|meeting|letter|portal|other)$")] = "phone"
    grace_days: Annotated[int, Field(ge=0, le=60)] | None = Field(None, description="none: the policy's")


class PromiseOut(BaseModel):
    id: int
    customer: str
    amount: str
    currency: str
    due_on: dt.date
    grace_days: int
    pause_until: dt.date
    contact: str
    channel: str
    status: PromiseStatus
    paid: str

    @classmethod
    def of(cls, r: PromiseRecord) -> PromiseOut:
        return cls(id=r.id, customer=r.customer, amount=format_minor(r.amount_minor, r.currency), currency=r.currency,
                   due_on=r.due_on, grace_days=r.grace_days, pause_until=r.pause_until, contact=r.contact,
                   channel=r.channel, status=r.status, paid=format_minor(r.paid_minor, r.currency))


class PlanInstalmentIn(_In):
    due_on: dt.date
    amount: Amount


class PlanIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"customer": "C001", "invoices": ["F-001"], "note": "agreed with the CFO",
         "instalments": [{"due_on": "2025-07-31", "amount": "500.00"}, {"due_on": "2025-08-31", "amount": "500.00"}]}]})
    customer: Code
    invoices: Annotated[list[Code], Field(min_length=1, max_length=100)]
    instalments: Annotated[list[PlanInstalmentIn], Field(min_length=1, max_length=120)]
    note: Text = ""


class PlanInstalmentOut(BaseModel):
    due_on: dt.date
    amount: str


class PlanOut(BaseModel):
    id: int
    customer: str
    currency: str
    total: str
    status: PlanStatus
    agreed_on: dt.date
    instalments: list[PlanInstalmentOut]

    @classmethod
    def of(cls, r: PlanSummary) -> PlanOut:
        return cls(id=r.id, customer=r.customer, currency=r.currency, total=format_minor(r.total_minor, r.currency),
                   status=r.status, agreed_on=r.agreed_on,
                   instalments=[PlanInstalmentOut(due_on=d, amount=format_minor(m, r.currency))
                                for d, m in r.instalments])


# --- tasks -----------------------------------------------------------------------------------------------

class TaskOut(BaseModel):
    id: int
    customer: str
    kind: TaskKind
    collector: str
    contact: str
    phone: str
    due_on: dt.date
    status: TaskStatus
    outcome: TaskOutcome | None
    summary: str
    overdue: bool = Field(False, description="open past its due date by more than the policy's SLA days for "
                                             "its kind (tasks.sla_days)")

    @classmethod
    def of(cls, r: TaskRecord) -> TaskOut:
        return cls(id=r.id, customer=r.customer, kind=r.kind, collector=r.collector, contact=r.contact,
                   phone=r.phone, due_on=r.due_on, status=r.status, outcome=r.outcome, summary=r.summary,
                   overdue=r.overdue)


class ReassignIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"to": "maria@example.com", "reason": "carla is on leave"}]})
    to: Annotated[str, Field(min_length=1, max_length=120, pattern=r"^\S(.*\S)?$")]
    reason: Annotated[str, Field(min_length=1, max_length=2000, description="why: on the timeline and in the "
                                                                           "audit log")]


class PromiseDetails(_In):
    amount: Amount
    due_on: dt.date


class DisputeDetails(_In):
    reason_code: DisputeReason = DisputeReason.OTHER


class OutcomeIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"outcome": "promise", "note": "pays on the 10th", "promise": {"amount": "1000.00", "due_on": "2025-07-10"}},
        {"outcome": "dispute", "note": "goods damaged", "dispute": {"reason_code": "quality"}}]})
    outcome: TaskOutcome
    note: Text = ""
    promise: PromiseDetails | None = Field(None, description="required with outcome 'promise'")
    dispute: DisputeDetails | None = Field(None, description="with outcome 'dispute' (reason 'other' if absent)")
    callback: dt.date | None = Field(None, description="the agreed call-back / next-action date: opens the "
                                                       "follow-up task, due that day")


class OutcomeOut(BaseModel):
    task: int
    outcome: TaskOutcome
    promise: int | None = None
    dispute: int | None = None
    follow_up: int | None = None


# --- exceptions ------------------------------------------------------------------------------------------

class ExceptionIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"customer": "C001", "kind": "pause", "justification": "CFO asked for two weeks",
         "expires_on": "2025-07-15"},
        {"customer": "C001", "kind": "higher_limit", "value": "50000 EUR", "justification": "seasonal peak",
         "expires_on": "2025-09-30"}]})
    customer: Code
    kind: ExceptionKind
    value: Annotated[str, Field(max_length=120)] = Field(
        "", description="longer_terms: days (1..180); higher_limit: 'AMOUNT CUR'; skip_step: the step id")
    justification: Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]
    expires_on: dt.date


class DecisionIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"note": "within the CFO's mandate"}]})
    note: Text = ""


class ExceptionOut(BaseModel):
    id: int
    customer: str
    kind: ExceptionKind
    value: str
    justification: str
    requested_by: str
    approved_by: str
    status: ExceptionStatus
    expires_on: dt.date

    @classmethod
    def of(cls, r: PolicyExceptionRecord) -> ExceptionOut:
        return cls(id=r.id, customer=r.customer, kind=r.kind, value=r.value, justification=r.justification,
                   requested_by=r.requested_by, approved_by=r.approved_by, status=r.status, expires_on=r.expires_on)


# --- escalation ------------------------------------------------------------------------------------------

class CaseItemOut(BaseModel):
    invoice: str
    seq: int
    due_date: dt.date
    days_past_due: int
    open: str
    currency: str


class CaseOut(BaseModel):
    id: int
    customer: str
    currency: str
    amount: str
    status: CaseStatus
    opened_on: dt.date
    handed_off_to: str
    credit_stop: bool
    reason: str
    items: list[CaseItemOut]

    @classmethod
    def of(cls, c: EscalationCase) -> CaseOut:
        return cls(id=c.id, customer=c.customer, currency=c.currency, amount=format_minor(c.amount_minor, c.currency),
                   status=c.status, opened_on=c.opened_on, handed_off_to=c.handed_off_to, credit_stop=c.credit_stop,
                   reason=c.reason, items=[CaseItemOut(invoice=i.invoice, seq=i.seq, due_date=i.due_date,
                                                       days_past_due=i.days_past_due,
                                                       open=format_minor(i.open_minor, i.currency),
                                                       currency=i.currency) for i in c.items])


class HandOffIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"to": "Agencia Cobros Norte SL"}]})
    to: Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]


class CloseIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"note": "paid in full after the agency's letter", "lift_credit_stop": True}]})
    note: Text = ""
    lift_credit_stop: bool = False


# --- cycle runs ------------------------------------------------------------------------------------------

class RunOut(BaseModel):
    id: int
    as_of: dt.date
    dry_run: bool
    started_at: dt.datetime
    finished_at: dt.datetime | None
    counts: dict[str, int]

    @classmethod
    def of(cls, r: CycleRun) -> RunOut:
        started = utc(r.started_at)
        assert started is not None
        return cls(id=r.id, as_of=r.as_of, dry_run=r.dry_run, started_at=started, finished_at=utc(r.finished_at),
                   counts=dict(r.counts))


class ActionOut(BaseModel):
    id: int
    run_id: int | None
    customer: str
    currency: str
    step: str
    channel: str
    as_of: dt.date
    episode: int
    policy: str
    policy_version: int
    total: str
    instalments: list[int] = Field(description="instalment ids (negative: a payment-plan instalment)")
    status: str
    reason: str

    @classmethod
    def of(cls, a: PlannedActionRecord) -> ActionOut:
        return cls(id=a.id, run_id=a.run_id, customer=a.customer, currency=a.currency, step=a.step, channel=a.channel,
                   as_of=a.as_of, episode=a.episode, policy=a.policy, policy_version=a.policy_version,
                   total=format_minor(a.total_minor, a.currency), instalments=list(a.items), status=a.status,
                   reason=a.reason)
