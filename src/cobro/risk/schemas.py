"""What the risk services hand back: typed, frozen values; `as_json()` is the JSON `cobro risk|alerts|recommend|
worklist` print (amounts as plain strings on the currency's grid, dates as ISO strings, kinds as their names).

`Customer`, `StoredScore` and `StoredAlert` are what the risk repository reads (values, not ORM rows);
`Profile`/`Context` are one run's evidence per customer, built once and read by every use case of that run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cobro.kernel.money import Money
from cobro.risk.domain import classify as cl
from cobro.risk.domain import decide as dc
from cobro.risk.domain import risk as rk
from cobro.solvency.schemas import Assessment, SolvencyDetails


class AlertKind(StrEnum):
    SCORE_WORSENED = "score_worsened"
    DBT_WORSENED = "dbt_worsened"
    OVER_LIMIT = "over_limit"
    PROMISE_BROKEN = "promise_broken"
    CREDIT_STOP_SET = "credit_stop_set"
    DISPUTE_OVERDUE = "dispute_overdue"  # a dispute still open past its SLA
    LARGE_PAYMENT = "large_payment"
    BOUNCE = "bounce"  # a message to the customer bounced: its address is invalid now


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"


class AlertPreference(StrEnum):
    """How a user receives the alerts addressed to them."""

    OFF = "off"
    DAILY = "daily"  # one digest e-mail a day (the default)
    IMMEDIATE = "immediate"  # an e-mail as each alert is raised


class WorkKind(StrEnum):
    TASK = "task"  # an open call or meeting
    CASE = "case"  # an open escalation case
    CUSTOMER = "customer"  # nothing open yet: a delinquent customer with its recommended action


def plain(amount: Money) -> str:
    """A plain decimal string on the currency's grid ("1234.50", "1802447"); as given without a currency."""
    return amount.format_plain() if amount.currency else f"{amount.amount:f}"


# --- what the repository reads -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Customer:
    id: int
    code: str
    legal_name: str
    country: str
    collector: str
    account_owner: str
    credit_limit_minor: int | None
    credit_limit_currency: str  # may be set without an amount: it is still the customer's main currency

    @property
    def credit_limit(self) -> Money | None:
        if self.credit_limit_minor is None or not self.credit_limit_currency:
            return None
        return Money.from_minor(self.credit_limit_minor, self.credit_limit_currency)

    @property
    def recipients(self) -> tuple[str, ...]:
        """Who hears of its alerts: the collector, then the account owner (once each)."""
        return tuple(dict.fromkeys(r for r in (self.collector, self.account_owner) if r))


@dataclass(frozen=True, slots=True)
class StoredScore:
    """A score as stored for the next run to compare against (exposure in minor units of `currency`)."""

    score: int
    grade: str
    days_beyond_terms: int
    exposure_minor: int
    currency: str
    broken_promises: int
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredAlert:
    id: int
    as_of: dt.date
    customer: str  # code
    kind: AlertKind
    message: str
    recipients: tuple[str, ...]
    status: AlertStatus
    snoozed_until: dt.date | None = None
    key: str = ""  # what makes it one alert (not shown)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "as_of": self.as_of.isoformat(), "customer": self.customer, "kind": str(self.kind),
            "message": self.message, "recipients": ",".join(self.recipients), "status": str(self.status)}
        if self.snoozed_until is not None:
            out["snoozed_until"] = self.snoozed_until.isoformat()
        return out


@dataclass(frozen=True, slots=True)
class NewAlert:
    """What `raise_alert` stored (`created` False: the same alert was raised before, nothing new was written)."""

    id: int
    key: str
    kind: AlertKind
    customer: str
    message: str
    recipients: tuple[str, ...]
    created: bool

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "key": self.key, "kind": str(self.kind), "customer": self.customer,
                "message": self.message, "recipients": list(self.recipients), "created": self.created}


@dataclass(frozen=True, slots=True)
class UserDigest:
    """One user's digest e-mail: the alerts it carried (`outbox_key` empty: nothing was due)."""

    user: str
    mode: AlertPreference
    alerts: tuple[int, ...]
    outbox_key: str

    def as_json(self) -> dict[str, Any]:
        return {"user": self.user, "mode": str(self.mode), "alerts": list(self.alerts), "outbox_key": self.outbox_key}


@dataclass(frozen=True, slots=True)
class DigestReport:
    """One digest run: who got an e-mail with which alerts; alerts no user of the tenant could be found for."""

    as_of: dt.date
    raised: int  # alerts the run's scan raised (disputes past their SLA, large payments)
    digests: tuple[UserDigest, ...]
    unaddressed: tuple[int, ...]  # open alerts whose recipients match no user of the tenant

    @property
    def delivered(self) -> int:
        return sum(len(d.alerts) for d in self.digests)

    def as_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "raised": self.raised, "delivered": self.delivered,
                "digests": [d.as_json() for d in self.digests], "unaddressed": list(self.unaddressed)}


# --- one run's evidence ------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Profile:
    """Everything known about one customer at the as-of date."""

    customer: Customer
    currency: str
    risk_input: rk.RiskInput
    evidence: cl.Evidence
    score: rk.RiskScore
    classification: cl.Classification | None  # None: not delinquent
    cases: tuple[dc.Case, ...]  # one per overdue currency of a delinquent customer
    accounts: Assessment | None  # financial statements, when the customer has any


@dataclass(frozen=True, slots=True)
class Context:
    as_of: dt.date
    thresholds: rk.RiskThresholds
    decision: dc.DecisionParameters
    profiles: tuple[Profile, ...]
    broken: Mapping[int, list[str]]  # customer id → its broken promises, oldest first


# --- results -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CustomerScore:
    customer: str  # code
    customer_name: str
    score: int  # 0 best .. 100 worst
    grade: str
    days_beyond_terms: float
    thin_history: bool
    exposure: Money  # open in the customer's main currency (as summed: not rounded)
    credit_limit: Money | None
    reasons: tuple[str, ...]  # the top ones, and every solvency reason
    components: Mapping[str, float]  # reason code → points
    collector: str
    account_owner: str

    def as_json(self) -> dict[str, Any]:
        return {"customer_name": self.customer_name, "customer": self.customer, "score": self.score,
                "grade": self.grade, "days_beyond_terms": round(self.days_beyond_terms, 1),
                "thin_history": self.thin_history, "exposure": str(self.exposure.amount),
                "credit_limit": None if self.credit_limit is None else str(self.credit_limit.amount),
                "currency": self.exposure.currency, "reasons": list(self.reasons),
                "components": {k: round(v, 1) for k, v in self.components.items()},
                "collector": self.collector, "account_owner": self.account_owner}


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    customer: str
    kind: AlertKind
    message: str
    recipients: tuple[str, ...] | None  # None: scored without storing, so nobody was told

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"customer": self.customer, "kind": str(self.kind), "message": self.message}
        if self.recipients is not None:
            out["recipients"] = list(self.recipients)
        return out


@dataclass(frozen=True, slots=True)
class ScoreRun:
    as_of: dt.date
    scores: tuple[CustomerScore, ...]  # worst first
    alerts: tuple[RaisedAlert, ...]

    def as_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "scores": [s.as_json() for s in self.scores],
                "alerts": [a.as_json() for a in self.alerts]}


@dataclass(frozen=True, slots=True)
class ClassifiedCustomer:
    classification: cl.Classification
    overdue: Money
    days_past_due: int  # amount-weighted, rounded
    collector: str

    @property
    def customer(self) -> str:
        return self.classification.customer

    def as_json(self) -> dict[str, Any]:
        return {**self.classification.as_dict(), "overdue": plain(self.overdue), "currency": self.overdue.currency,
                "days_past_due": self.days_past_due, "collector": self.collector}


@dataclass(frozen=True, slots=True)
class RecommendedAction:
    """The best action for one delinquent customer × currency, with the case it was chosen for."""

    recommendation: dc.Recommendation
    label: str  # the classification's
    nature: str
    overdue: Money
    days_past_due: int
    claimable: Money  # statutory interest and compensation to date
    collector: str
    value_vs_wait_base: float  # in the base currency: what ranks cases of different currencies

    @property
    def customer(self) -> str:
        return self.recommendation.customer

    @property
    def action(self) -> str:
        return self.recommendation.action

    def as_json(self) -> dict[str, Any]:
        return {**self.recommendation.as_dict(), "label": self.label, "nature": self.nature,
                "overdue": plain(self.overdue), "days_past_due": self.days_past_due,
                "claimable": plain(self.claimable), "collector": self.collector,
                "value_vs_wait_base": self.value_vs_wait_base}


@dataclass(frozen=True, slots=True)
class CustomerRisk:
    """`cobro risk show`: one customer's score with every component, classification, accounts, actions, alerts."""

    customer: str
    name: str
    collector: str
    account_owner: str
    score: rk.RiskScore
    classification: cl.Classification | None
    solvency: SolvencyDetails | None
    recommendations: tuple[dc.Recommendation, ...]
    alerts: tuple[StoredAlert, ...]

    @property
    def exposure(self) -> Money:
        return Money(self.score.exposure, self.score.currency)

    def as_json(self) -> dict[str, Any]:
        return {"customer": self.customer, "name": self.name, "collector": self.collector,
                "account_owner": self.account_owner, "score": self.score.as_dict(),
                "all_reasons": [{"code": r.code, "points": round(r.points, 1), "text": r.text}
                                for r in self.score.reasons],
                "classification": self.classification.as_dict() if self.classification else None,
                "solvency": self.solvency.as_json() if self.solvency else None,
                "recommendations": [r.as_dict() for r in self.recommendations],
                "alerts": [{"as_of": a.as_of.isoformat(), "kind": str(a.kind), "message": a.message,
                            "status": str(a.status)} for a in self.alerts]}


@dataclass(frozen=True, slots=True)
class WorkItemRank:
    """One line of the collector worklist: what to do, for whom, and the money per minute it is expected to win."""

    kind: WorkKind
    id: int | None  # the task's or case's; None for a customer line
    customer: str
    collector: str
    currency: str
    action: str
    minutes: int
    due_on: dt.date | None
    gain: Money  # expected value over waiting, to the cent
    per_minute_base: float  # gain per collector minute in the base currency: the ranking key
    reason: str
    rank: int = 0  # 1 = do first

    def as_json(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "id": self.id, "customer": self.customer, "collector": self.collector,
                "currency": self.currency, "action": self.action, "minutes": self.minutes,
                "due_on": self.due_on.isoformat() if self.due_on else None, "gain": f"{self.gain.amount}",
                "per_minute_base": self.per_minute_base, "reason": self.reason, "rank": self.rank}
