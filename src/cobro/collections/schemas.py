"""What the collections services hand back: frozen values carrying minor units with their currency, statuses as
the `StrEnum`s of `cobro.collections.domain.status`.

Each value's `as_json()` is the one place it becomes the JSON the CLI prints (and the dashboard reads): keys,
order and formats (amounts as plain decimal text, dates as ISO text) are those of the commands' `--json`.
The credit check's values are the domain's (`cobro.collections.domain.credit.CreditCheck`, `as_dict()`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from cobro.collections.domain.policy import Policy
from cobro.collections.domain.status import (
    AssignmentScope,
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
from cobro.kernel.money import Money, format_minor

Json = dict[str, Any]  # what `json.dumps` prints: the CLI's --json and the dashboard's templates read it


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _plain(minor: int, currency: str) -> str:
    return Money.from_minor(minor, currency).format_plain()


# --- policies ------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class StoredPolicy:
    """A policy version just stored and assigned."""

    name: str
    version: int
    policy: Policy


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """One stored version of a named policy; `parsed_json` is the policy as data, as it was stored."""

    name: str
    version: int
    parsed_json: str
    created_by: str
    created_at: dt.datetime | None

    @property
    def created(self) -> str:
        return self.created_at.isoformat() if self.created_at else ""


@dataclass(frozen=True, slots=True)
class PolicyAssignment:
    """Which policy covers the tenant, a segment or one customer (`customer` is its code, "" for the others)."""

    scope: AssignmentScope
    segment: str
    customer_id: int | None
    customer: str
    policy_name: str

    def as_json(self) -> Json:
        return {"scope": self.scope, "segment": self.segment, "customer": self.customer, "policy": self.policy_name}


@dataclass(frozen=True, slots=True)
class PolicyOverview:
    """`cobro policy show`: the newest version of each policy (by name), the assignments, every version."""

    newest: tuple[PolicyVersion, ...]
    assignments: tuple[PolicyAssignment, ...]
    history: tuple[PolicyVersion, ...]

    def as_json(self) -> Json:
        return {
            "policies": {v.name: {"version": v.version, "created_at": v.created, "created_by": v.created_by,
                                  "policy": json.loads(v.parsed_json)} for v in self.newest},
            "assignments": [a.as_json() for a in self.assignments],
            "history": [{"policy": v.name, "version": v.version, "created_by": v.created_by,
                         "created_at": v.created} for v in self.history],
        }


# --- exceptions, holds, disputes, promises, plans ------------------------------------------------------------

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
                "reason": self.reason, "until": _iso(self.until), "released_on": _iso(self.released_on)}


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
                "currency": self.currency, "owner": self.owner, "resolve_by": _iso(self.resolve_by),
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
        return {"id": self.id, "customer": self.customer, "amount": _plain(self.amount_minor, self.currency),
                "currency": self.currency, "due_on": self.due_on.isoformat(), "grace_days": self.grace_days,
                "contact": self.contact, "channel": self.channel, "status": self.status,
                "paid": _plain(self.paid_minor, self.currency)}


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

    def as_json(self) -> Json:
        return {"id": self.id, "customer": self.customer, "kind": self.kind, "collector": self.collector,
                "contact": self.contact, "phone": self.phone, "due_on": self.due_on.isoformat(),
                "status": self.status, "outcome": self.outcome or "", "summary": self.summary}


@dataclass(frozen=True, slots=True)
class TaskCompletion:
    """A task closed with its outcome, and the promise or dispute the outcome recorded."""

    task: int
    outcome: TaskOutcome
    promise: int | None = None
    dispute: int | None = None

    def as_json(self) -> Json:
        out: Json = {"task": self.task, "outcome": self.outcome}
        if self.promise is not None:
            out["promise"] = self.promise
        if self.dispute is not None:
            out["dispute"] = self.dispute
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
                "amount": _plain(self.amount_minor, self.currency), "status": self.status,
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


# --- cycle explain -------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ExplainedItem:
    """One open item: how much of it is in dunning, the step it reached on its own (and why), what pauses it."""

    invoice: str
    seq: int
    due_date: dt.date
    days_past_due: int
    open_minor: int
    in_dunning_minor: int
    currency: str
    step: str | None
    why: str
    paused: str | None

    def as_json(self) -> Json:
        return {"invoice": self.invoice, "seq": self.seq, "due_date": self.due_date.isoformat(),
                "days_past_due": self.days_past_due, "open": _plain(self.open_minor, self.currency),
                "in_dunning": _plain(self.in_dunning_minor, self.currency), "step": self.step, "why": self.why,
                "paused": self.paused}


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """A step of the policy: done on a day, due now (with the reason) or next (on a day, if known)."""

    step: str
    channel: str = ""
    on: dt.date | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CurrencyExplanation:
    currency: str
    episode: int | None
    steps_done: tuple[PlannedStep, ...]
    items: tuple[ExplainedItem, ...]
    pauses: tuple[str, ...]
    action_now: PlannedStep | None
    not_now: tuple[str, ...]
    next: PlannedStep | None

    def as_json(self) -> Json:
        now, nxt = self.action_now, self.next
        return {
            "currency": self.currency, "episode": self.episode,
            "steps_done": [{"step": s.step, "on": _iso(s.on)} for s in self.steps_done],
            "items": [i.as_json() for i in self.items],
            "pauses": list(self.pauses),
            "action_now": {"step": now.step, "channel": now.channel, "reason": now.reason} if now else None,
            "not_now": list(self.not_now),
            "next": {"step": nxt.step, "channel": nxt.channel, "on": _iso(nxt.on)} if nxt else None,
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    """`cobro cycle explain`: per currency, why each item is where it is and what comes next."""

    customer: str
    as_of: dt.date
    policy: str | None  # "name vN", None when no policy covers the customer
    problems: tuple[str, ...]
    currencies: tuple[CurrencyExplanation, ...]

    def as_json(self) -> Json:
        return {"customer": self.customer, "as_of": self.as_of.isoformat(), "policy": self.policy,
                "problems": list(self.problems), "currencies": [c.as_json() for c in self.currencies]}
