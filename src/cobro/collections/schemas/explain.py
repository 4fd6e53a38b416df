"""`cobro cycle explain`: per currency, why each item of a customer is where it is and what comes next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cobro.collections.schemas import Json, iso, plain


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
                "days_past_due": self.days_past_due, "open": plain(self.open_minor, self.currency),
                "in_dunning": plain(self.in_dunning_minor, self.currency), "step": self.step, "why": self.why,
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
            "steps_done": [{"step": s.step, "on": iso(s.on)} for s in self.steps_done],
            "items": [i.as_json() for i in self.items],
            "pauses": list(self.pauses),
            "action_now": {"step": now.step, "channel": now.channel, "reason": now.reason} if now else None,
            "not_now": list(self.not_now),
            "next": {"step": nxt.step, "channel": nxt.channel, "on": iso(nxt.on)} if nxt else None,
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
