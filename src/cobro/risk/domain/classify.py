"""Liquidity problem or unwillingness to pay?  Classify a delinquent customer from the evidence, in words.

Each rule below looks at one kind of evidence and, when it fires, adds a `Signal` with its sentence.  The first
firing rule in `PRIORITY` is the classification; every other signal is kept as supporting evidence, so a
collector sees the whole picture ("stopped paying; also broke 2 promises").  The order puts hard, recorded
facts (financial statements, broken promises, disputes ruled against the customer) before patterns read from
the ledger, and "too little history" before the patterns that need history.

======================  =============  =========================================================================
label                   nature         fires when
======================  =============  =========================================================================
solvency_falling        liquidity      financials: P(default) ≥ 20 %, Z'' in distress, or ≥ 2 key indicators
                                       falling materially while Z'' is not in the safe zone
broken_promises         unwillingness  ≥ 2 promises broken, or more broken than kept
unfounded_disputes      unwillingness  a dispute was resolved against the customer
pays_others             unwillingness  an outside source says it pays other suppliers on time
open_dispute            dispute        ≥ 50 % of the overdue amount is under an open dispute
too_little_history      unknown        fewer than 3 settled items or under 90 days as a customer
stopped_paying          liquidity      paid before, nothing received for 60+ days while items fall due
deteriorating           liquidity      the last 5 payments are 15+ days later than the earlier ones
partial_in_contact      liquidity      part payments in the last 90 days and the customer answers
chronic_slow            unwillingness  pays everything, but consistently ≥ 20 days late, and not getting worse
unclear                 unknown        none of the above
======================  =============  =========================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from cobro.kernel.money import format_grouped

NATURES = ("liquidity", "unwillingness", "dispute", "unknown")


@dataclass(frozen=True, slots=True)
class Evidence:
    """What is known about one delinquent customer at the as-of date (None = not known)."""

    customer: str
    overdue: Decimal
    overdue_days_weighted: float
    currency: str = ""
    settled_items: int = 0
    customer_days: int = 0  # days since the first invoice
    mean_delay: float | None = None  # days beyond terms of settled items
    delay_trend: float | None = None  # recent minus earlier mean delay
    days_since_last_payment: int | None = None  # None = never paid
    partial_payments_90d: int = 0  # payments in the last 90 days on items still open afterwards
    paid_90d: Decimal = Decimal(0)
    contact_recent: bool | None = None  # reached / promised / answered in the last 60 days
    promises_kept: int = 0
    promises_broken: int = 0
    disputes_unfounded: int = 0
    disputed_overdue: Decimal = Decimal(0)  # overdue amount under an open dispute (or flagged disputed)
    pays_others: bool | None = None  # from a bureau / trade-payment experience, when available
    p_default: float | None = None
    z2_zone: str | None = None
    solvency_worsened: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClassifyParameters:
    min_history_items: int = 3
    min_history_days: int = 90
    stopped_days: int = 60
    chronic_delay: float = 20.0
    chronic_max_trend: float = 15.0
    dispute_share: float = 0.5
    pd_high: float = 0.20


@dataclass(frozen=True, slots=True)
class Signal:
    label: str
    nature: str
    text: str


@dataclass(frozen=True, slots=True)
class Classification:
    customer: str
    label: str
    nature: str
    explanation: str  # what a collector can say/do, one sentence
    evidence: tuple[Signal, ...]

    def as_dict(self) -> dict[str, object]:
        return {"customer": self.customer, "label": self.label, "nature": self.nature,
                "explanation": self.explanation, "evidence": [s.text for s in self.evidence]}


Rule = Callable[[Evidence, ClassifyParameters], Signal | None]


def _solvency(e: Evidence, p: ClassifyParameters) -> Signal | None:
    parts = []
    if e.p_default is not None and e.p_default >= p.pd_high:
        parts.append(f"financial statements give a {e.p_default:.0%} probability of default")
    if e.z2_zone == "distress":
        parts.append("Altman Z'' is in the distress zone")
    if len(e.solvency_worsened) >= 2 and e.z2_zone != "safe":  # a safe firm's dip is not a liquidity problem
        more = f" (+{len(e.solvency_worsened) - 4} more)" if len(e.solvency_worsened) > 4 else ""
        parts.append(f"{', '.join(e.solvency_worsened[:4])}{more} worsened in the latest accounts")
    return Signal("solvency_falling", "liquidity", "; ".join(parts)) if parts else None


def _promises(e: Evidence, p: ClassifyParameters) -> Signal | None:
    if e.promises_broken >= 2 or (e.promises_broken >= 1 and e.promises_broken > e.promises_kept):
        return Signal("broken_promises", "unwillingness",
                      f"broke {e.promises_broken} promise(s) to pay, kept {e.promises_kept}")
    return None


def _unfounded(e: Evidence, p: ClassifyParameters) -> Signal | None:
    if e.disputes_unfounded:
        return Signal("unfounded_disputes", "unwillingness",
                      f"{e.disputes_unfounded} dispute(s) were resolved against the customer")
    return None


def _others(e: Evidence, p: ClassifyParameters) -> Signal | None:
    if e.pays_others:
        return Signal("pays_others", "unwillingness", "pays other suppliers on time but not us")
    return None


def _dispute(e: Evidence, p: ClassifyParameters) -> Signal | None:
    if e.overdue > 0 and e.disputed_overdue / e.overdue >= Decimal(str(p.dispute_share)):
        share = e.disputed_overdue / e.overdue
        return Signal("open_dispute", "dispute", f"{share:.0%} of the overdue amount is disputed")
    return None


def _new(e: Evidence, p: ClassifyParameters) -> Signal | None:
    if e.settled_items < p.min_history_items or e.customer_days < p.min_history_days:
        return Signal("too_little_history", "unknown",
                      f"new customer: {e.settled_items} settled item(s) in {e.customer_days} days")
    return None


def _stopped(e: Evidence, p: ClassifyParameters) -> Signal | None:
    if e.settled_items and e.days_since_last_payment is not None and e.days_since_last_payment >= p.stopped_days:
        trend = f"; delays had grown by {e.delay_trend:.0f} days before" if e.delay_trend and e.delay_trend > 5 \
            else ""
        return Signal("stopped_paying", "liquidity",
                      f"paid before, but nothing received for {e.days_since_last_payment} days{trend}")
    return None


def _deteriorating(e: Evidence, p: ClassifyParameters) -> Signal | None:
    if e.delay_trend is not None and e.delay_trend >= p.chronic_max_trend:
        return Signal("deteriorating", "liquidity",
                      f"pays later and later: the last payments came {e.delay_trend:.0f} days later than before")
    return None


def _partial(e: Evidence, p: ClassifyParameters) -> Signal | None:
    if e.partial_payments_90d > 0 and e.contact_recent is not False:
        contact = " and answers our calls" if e.contact_recent else ""
        return Signal("partial_in_contact", "liquidity",
                      f"made {e.partial_payments_90d} part payment(s) in 90 days{contact}")
    return None


def _chronic(e: Evidence, p: ClassifyParameters) -> Signal | None:
    if (e.mean_delay is not None and e.mean_delay >= p.chronic_delay
            and (e.delay_trend is None or e.delay_trend < p.chronic_max_trend)):
        return Signal("chronic_slow", "unwillingness",
                      f"always pays in the end, but {e.mean_delay:.0f} days late on average, steadily")
    return None


PRIORITY: tuple[Rule, ...] = (_solvency, _promises, _unfounded, _others, _dispute, _new, _stopped, _deteriorating,
                              _partial, _chronic)

_SAY = {
    "solvency_falling": "Liquidity problem shown in its accounts: secure what you can now (payment plan with "
                        "guarantees, or escalate before other creditors do); stop new credit.",
    "broken_promises": "Stalling: promises are not kept. Ask for a firm date with a first payment now and "
                       "state the next step (agency / monitorio) if it slips.",
    "unfounded_disputes": "Disputes without basis: the claims were checked and rejected. Do not reopen them; "
                          "demand payment and escalate.",
    "pays_others": "Chooses not to pay us: remind them of the statutory interest and the EUR 40 per invoice, "
                   "and that we escalate on a date.",
    "open_dispute": "Genuine dispute pending: resolve it first (documents, credit note if due); chasing the "
                    "disputed amount before that only delays payment.",
    "too_little_history": "New customer: too little history to judge. Call to check the invoice reached the "
                          "right person and confirm the payment date.",
    "stopped_paying": "Stopped paying after slowing down: a liquidity crisis. Act fast (escalate or a "
                      "secured plan) and stop further deliveries on credit.",
    "deteriorating": "Paying later and later: an early sign of cash strain. Call now, agree dates for what "
                     "is overdue and watch the credit limit before it becomes a stop.",
    "partial_in_contact": "Wants to pay but short of cash: offer a payment plan that matches what it can pay.",
    "chronic_slow": "Habitual late payer financing itself with our money: call before the due date and "
                    "charge late-payment interest.",
    "unclear": "No clear pattern: call to find out why it is late.",
}


def classify(e: Evidence, params: ClassifyParameters | None = None) -> Classification:
    """The first firing rule of `PRIORITY` decides; all firing rules are kept as evidence."""
    p = params or ClassifyParameters()
    signals = [s for rule in PRIORITY if (s := rule(e, p)) is not None]
    overdue = (f"{format_grouped(e.overdue, e.currency)} {e.currency}".strip() + f" overdue, {e.overdue_days_weighted:.0f} days on average")
    if not signals:
        return Classification(e.customer, "unclear", "unknown", _SAY["unclear"],
                              (Signal("unclear", "unknown", overdue),))
    first = signals[0]
    return Classification(e.customer, first.label, first.nature, _SAY[first.label],
                          (*signals, Signal("overdue", first.nature, overdue)))
