"""What stops or reshapes dunning: holds, disputes, promises to pay, payment plans and policy exceptions.

Pure values plus the rules that apply them to a customer×currency's open items.  Dates are inclusive: a hold
until the 15th pauses through the 15th; a promise due on the 10th with 3 grace days pauses through the 13th.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from cobro.kernel.money import Money, format_grouped

EXCEPTION_KINDS = ("longer_terms", "higher_limit", "skip_step", "pause")


class Item(NamedTuple):
    """One open instalment (or a payment-plan instalment, with a negative id) as the planner sees it."""

    instalment_id: int
    invoice_id: int
    invoice: str
    seq: int
    issue_date: dt.date
    due_date: dt.date
    open_minor: int
    currency: str
    flagged_disputed: bool = False  # the invoice came in marked disputed


@dataclass(frozen=True, slots=True)
class Hold:
    id: int
    reason: str
    invoice_id: int | None = None  # None = the whole customer
    until: dt.date | None = None

    def active(self, as_of: dt.date) -> bool:
        return self.until is None or as_of <= self.until


@dataclass(frozen=True, slots=True)
class Dispute:
    id: int
    invoice_ids: frozenset[int]
    reason_code: str
    amount_minor: int = 0  # 0 = everything open on those invoices
    currency: str = ""


@dataclass(frozen=True, slots=True)
class Promise:
    id: int
    currency: str
    amount_minor: int
    due_on: dt.date
    grace_days: int = 3
    status: str = "pending"  # pending | kept | broken
    evaluated_on: dt.date | None = None

    @property
    def pause_until(self) -> dt.date:
        return self.due_on + dt.timedelta(days=self.grace_days)


@dataclass(frozen=True, slots=True)
class PolicyException:
    id: int
    kind: str
    value: str
    expires_on: dt.date

    def active(self, as_of: dt.date) -> bool:
        return as_of <= self.expires_on


@dataclass(frozen=True, slots=True)
class PlanInstalment:
    seq: int
    due_date: dt.date
    amount_minor: int


@dataclass(frozen=True, slots=True)
class Plan:
    id: int
    currency: str
    covered: frozenset[int]  # instalment ids the plan replaces
    instalments: tuple[PlanInstalment, ...]
    agreed_on: dt.date

    @property
    def total_minor(self) -> int:
        return sum(p.amount_minor for p in self.instalments)


def evaluate_promise(promise: Promise, paid_minor: int, as_of: dt.date) -> str:
    """kept once payments since the promise reach its amount; broken once the grace period passes short of it."""
    if promise.status != "pending":
        return promise.status
    if paid_minor >= promise.amount_minor:
        return "kept"
    if as_of > promise.pause_until:
        return "broken"
    return "pending"


def apply_plans(items: Sequence[Item], plans: Iterable[Plan]) -> list[Item]:
    """Replace covered items by the plan's own instalments.  Money paid on the covered items since the plan was
    agreed (their open total fell) settles plan instalments oldest first."""
    plans = list(plans)
    if not plans:
        return list(items)
    covered = {iid for p in plans for iid in p.covered}
    out = [it for it in items if it.instalment_id not in covered]
    for plan in plans:
        still_open = sum(it.open_minor for it in items if it.instalment_id in plan.covered)
        paid = max(0, plan.total_minor - still_open)
        for pi in sorted(plan.instalments, key=lambda p: (p.due_date, p.seq)):
            take = min(paid, pi.amount_minor)
            paid -= take
            if pi.amount_minor - take > 0:
                out.append(Item(-(plan.id * 1000 + pi.seq), 0, f"PLAN-{plan.id}", pi.seq, plan.agreed_on,
                                pi.due_date, pi.amount_minor - take, plan.currency))
    return out


def shift_terms(items: Sequence[Item], exceptions: Iterable[PolicyException], as_of: dt.date) -> list[Item]:
    """An approved `longer_terms` exception moves every due date by its number of days (the largest wins)."""
    days = max((int(e.value) for e in exceptions
                if e.kind == "longer_terms" and e.active(as_of) and e.value.strip().isdigit()), default=0)
    if not days:
        return list(items)
    delta = dt.timedelta(days=days)
    return [it._replace(due_date=it.due_date + delta) for it in items]


@dataclass(frozen=True, slots=True)
class Pauses:
    """The result of applying pauses: eligible open per item (0 = fully paused) and why each paused item is."""

    eligible: dict[int, int]  # instalment id → open minor still in dunning
    why: dict[int, str]  # instalment id → reason it is (partly) paused
    notes: tuple[str, ...]  # every pause that applies, for `cycle explain`


def apply_pauses(items: Sequence[Item], *, as_of: dt.date, holds: Iterable[Hold] = (),
                 disputes: Iterable[Dispute] = (), promises: Iterable[Promise] = (),
                 exceptions: Iterable[PolicyException] = ()) -> Pauses:
    eligible = {it.instalment_id: it.open_minor for it in items}
    why: dict[int, str] = {}
    notes: list[str] = []

    def pause(ids: Iterable[int], reason: str) -> None:
        for iid in ids:
            if eligible.get(iid):
                eligible[iid] = 0
                why.setdefault(iid, reason)

    everything = [it.instalment_id for it in items]
    for h in holds:
        if not h.active(as_of):
            continue
        until = f" until {h.until.isoformat()}" if h.until else ""
        if h.invoice_id is None:
            reason = f"hold #{h.id} on the customer{until}: {h.reason}"
            pause(everything, reason)
        else:
            reason = f"hold #{h.id} on invoice{until}: {h.reason}"
            pause([it.instalment_id for it in items if it.invoice_id == h.invoice_id], reason)
        notes.append(reason)
    for e in exceptions:
        if e.kind == "pause" and e.active(as_of):
            reason = f"exception #{e.id} pauses dunning until {e.expires_on.isoformat()}"
            pause(everything, reason)
            notes.append(reason)
        elif e.active(as_of):
            notes.append(f"exception #{e.id} {e.kind} {e.value} until {e.expires_on.isoformat()}".replace("  ", " "))
    for p in promises:
        if p.status == "pending" and as_of <= p.pause_until:
            reason = (f"promise #{p.id} to pay {_amount(p.amount_minor, p.currency)} by {p.due_on.isoformat()} "
                      f"(paused until {p.pause_until.isoformat()})")
            pause([it.instalment_id for it in items if it.currency == p.currency], reason)
            notes.append(reason)
        elif p.status == "broken":
            notes.append(f"promise #{p.id} due {p.due_on.isoformat()} was broken")
    for d in disputes:
        disputed = sorted((it for it in items if it.invoice_id in d.invoice_ids),
                          key=lambda it: (it.due_date, it.seq), reverse=True)
        reason = f"dispute #{d.id} ({d.reason_code})"
        notes.append(reason + (f" for {_amount(d.amount_minor, d.currency)}" if d.amount_minor else ""))
        left = d.amount_minor or sum(it.open_minor for it in disputed)
        for it in disputed:  # the disputed amount comes off the latest instalments first
            take = min(left, eligible.get(it.instalment_id, 0))
            if take:
                eligible[it.instalment_id] -= take
                why.setdefault(it.instalment_id, reason)
                left -= take
    for it in items:
        if it.flagged_disputed and eligible.get(it.instalment_id):
            pause([it.instalment_id], "invoice marked disputed in the ledger")
    return Pauses(eligible, why, tuple(notes))


def _amount(minor: int, currency: str) -> str:
    """Minor units as people read them in explanations: "5,000.00 EUR", "500,000 CLP"."""
    return f"{format_grouped(Money.from_minor(minor, currency).amount, currency)} {currency}"
