"""The governed records and the collector's work: exceptions, holds, disputes, promises, plans, tasks, the
timeline, escalation cases, credit stops and terms acknowledgements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
from cobro.collections.schemas import Json, iso, plain
from cobro.kernel.money import Money, format_minor


@dataclass(frozen=True, slots=True)
class InvoiceRef:
    """An invoice a hold, dispute or plan names: whose it is and in which currency."""

    id: int
    number: str
    customer_id: int
    currency: str


@dataclass(frozen=True, slots=True)
class PolicyExceptionRecord:
    """A governed deviation from the policy (four eyes: `approved_by` differs from `requested_by`)."""

    id: int
    customer_id: int
    customer: str
    kind: ExceptionKind
    value: str
    justification: str
    requested_by: str
    approved_by: str
    status: ExceptionStatus
    expires_on: dt.date

    def status_on(self, today: dt.date) -> ExceptionStatus:
        """The status as of `today`: a requested or approved exception past its expiry date has expired."""
        lapsed = self.status in (ExceptionStatus.REQUESTED, ExceptionStatus.APPROVED) and self.expires_on < today
        return ExceptionStatus.EXPIRED if lapsed else self.status

    def as_json(self) -> Json:
        return {"id": self.id, "customer": self.customer, "kind": self.kind, "value": self.value,
                "status": self.status, "justification": self.justification, "requested_by": self.requested_by,
                "approved_by": self.approved_by, "expires_on": self.expires_on.isoformat()}


@dataclass(frozen=True, slots=True)
class HoldRecord:
    """A hold on a customer (`invoice_id` None) or on one of its invoices, until a day (None: until released)."""

    id: int
    customer_id: int
    customer: str
    invoice_id: int | None
    invoice: str
    reason: str
    until: dt.date | None
    released_on: dt.date | None

    def as_json(self) -> Json:
        return {"id": self.id, "customer": self.customer, "invoice_id": self.invoice_id, "invoice": self.invoice,
                "reason": self.reason, "until": iso(self.until), "released_on": iso(self.released_on)}


@dataclass(frozen=True, slots=True)
class DisputeRecord:
    """A dispute on one or more invoices of one currency; `amount_minor` 0 disputes all that is open on them."""

    id: int
    customer_id: int
    customer: str
    invoice_ids: tuple[int, ...]
    invoices: tuple[str, ...]
    reason_code: DisputeReason
    amount_minor: int
    currency: str
    owner: str
    resolve_by: dt.date | None
    status: DisputeStatus

    @property
    def amount(self) -> Money | None:
        """The disputed amount, None when the dispute covers everything open on its invoices."""
        return Money.from_minor(self.amount_minor, self.currency) if self.amount_minor else None

    def as_json(self) -> Json:
        return {"id": self.id, "customer": self.customer, "invoice_ids": list(self.invoice_ids),
                "invoices": list(self.invoices), "reason_code": self.reason_code,
                "amount": format_minor(self.amount_minor, self.currency) if self.amount_minor else "all",
                "currency": self.currency, "owner": self.owner, "resolve_by": iso(self.resolve_by),
                "status": self.status}


@dataclass(frozen=True, slots=True)
class PromiseRecord:
    """A promise to pay `amount_minor` by `due_on`; it pauses dunning in its currency through `pause_until`."""

    id: int
    customer_id: int
    customer: str
    currency: str
    amount_minor: int
    due_on: dt.date
    grace_days: int
    contact: str
    channel: str
    status: PromiseStatus
    paid_minor: int

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def pause_until(self) -> dt.date:
        return self.due_on + dt.timedelta(days=self.grace_days)

    def as_json(self) -> Json:
        return {"id": self.id, "customer": self.customer, "amount": plain(self.amount_minor, self.currency),
                "currency": self.currency, "due_on": self.due_on.isoformat(), "grace_days": self.grace_days,
                "contact": self.contact, "channel": self.channel, "status": self.status,
                "paid": plain(self.paid_minor, self.currency)}


@dataclass(frozen=True, slots=True)
class PaymentPlanRecord:
    """A payment plan: its instalments (due day, minor units) replace the covered instalments' schedule."""

    id: int
    customer_id: int
    currency: str
    total_minor: int
    covered: tuple[int, ...]
    instalments: tuple[tuple[dt.date, int], ...]
    status: PlanStatus
    agreed_on: dt.date


# --- tasks, timeline, escalation, terms ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TaskRecord:
    """A call or meeting for the customer's collector; `outcome` is None until it is done."""

    id: int
    customer_id: int
    customer: str
    action_id: int | None
    kind: TaskKind
    collector: str
    contact: str
    phone: str
    due_on: dt.date
    status: TaskStatus
    outcome: TaskOutcome | None
    summary: str
    overdue: bool = False  # open past its due date by more than the policy's SLA (`tasks.sla_days`), when asked

    def as_json(self) -> Json:
        return {"id": self.id, "customer": self.customer, "kind": self.kind, "collector": self.collector,
                "contact": self.contact, "phone": self.phone, "due_on": self.due_on.isoformat(),
                "status": self.status, "outcome": self.outcome or "", "summary": self.summary,
                "overdue": self.overdue}


@dataclass(frozen=True, slots=True)
class TaskCompletion:
    """A task closed with its outcome, and the promise or dispute the outcome recorded."""

    task: int
    outcome: TaskOutcome
    promise: int | None = None
    dispute: int | None = None
    follow_up: int | None = None  # the call-back task the outcome's callback date created

    def as_json(self) -> Json:
        out: Json = {"task": self.task, "outcome": self.outcome}
        if self.promise is not None:
            out["promise"] = self.promise
        if self.dispute is not None:
            out["dispute"] = self.dispute
        if self.follow_up is not None:
            out["follow_up"] = self.follow_up
        return out


@dataclass(frozen=True, slots=True)
class ActionItems:
    """What a task's dunning action covered: its currency and the invoices of its items."""

    currency: str
    invoices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    day: dt.date
    kind: str  # e.g. "dunning.email", "promise.made", "task.call.reached"
    ref: str
    actor: str
    summary: str

    def as_json(self) -> Json:
        return {"day": self.day.isoformat(), "kind": self.kind, "ref": self.ref, "actor": self.actor,
                "summary": self.summary}


@dataclass(frozen=True, slots=True)
class CaseItem:
    """One item of an escalation case, as the cycle recorded it when it opened the case."""

    invoice: str
    seq: int
    instalment_id: int
    due_date: dt.date
    days_past_due: int
    open_minor: int
    currency: str

    def as_json(self) -> Json:
        return {"invoice": self.invoice, "seq": self.seq, "instalment_id": self.instalment_id,
                "due_date": self.due_date.isoformat(), "days_past_due": self.days_past_due,
                "open": format_minor(self.open_minor, self.currency), "currency": self.currency}


@dataclass(frozen=True, slots=True)
class EscalationCase:
    id: int
    customer_id: int
    customer: str
    currency: str
    amount_minor: int
    status: CaseStatus
    opened_on: dt.date
    handed_off_to: str
    credit_stop: bool  # the customer is (still) under a credit stop
    items: tuple[CaseItem, ...]
    reason: str

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)

    def as_json(self) -> Json:
        return {"id": self.id, "customer": self.customer, "currency": self.currency,
                "amount": plain(self.amount_minor, self.currency), "status": self.status,
                "opened_on": self.opened_on.isoformat(), "handed_off_to": self.handed_off_to,
                "credit_stop": self.credit_stop, "items": [i.as_json() for i in self.items], "reason": self.reason}


@dataclass(frozen=True, slots=True)
class CreditStop:
    """A customer sales must not extend credit to, since when and why."""

    customer_id: int
    customer: str
    since: dt.date
    reason: str

    def as_json(self) -> Json:
        return {"customer": self.customer, "since": self.since.isoformat(), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class TermsAcknowledgement:
    id: int
    customer_id: int
    terms: str
    statement: str
    acknowledged_on: dt.date
    acknowledged_by: str
    channel: str
