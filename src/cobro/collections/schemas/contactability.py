"""What `cobro report contacts` shows: customers whose contact data stops a step of their policy, and why."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Reachability(StrEnum):
    FALLBACK = "fallback"  # the step goes out, on another contact or channel than it names
    BLOCKED = "blocked"  # nobody can be reached for the step, even on its fallback channels


@dataclass(frozen=True, slots=True)
class StepReach:
    step: str
    channel: str  # the step's channel
    used: str  # the channel it would use ("" when blocked)
    contact: str  # whom it would address ("" when blocked or the customer itself)
    status: Reachability
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"step": self.step, "channel": self.channel, "used": self.used, "contact": self.contact,
                "status": str(self.status), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class CustomerReach:
    customer: str
    legal_name: str
    policy: str
    steps: tuple[StepReach, ...]

    @property
    def blocked(self) -> bool:
        return any(s.status == Reachability.BLOCKED for s in self.steps)

    def as_json(self) -> dict[str, Any]:
        return {"customer": self.customer, "legal_name": self.legal_name, "policy": self.policy,
                "blocked": self.blocked, "steps": [s.as_json() for s in self.steps]}


@dataclass(frozen=True, slots=True)
class InvalidContactPoint:
    """An address or phone known not to work (a hard bounce, a wrong number), as delivery recorded it."""

    kind: str  # email | phone
    address: str
    source: str  # bounce | wrong_number | manual
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "address": self.address, "source": self.source, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ContactsReport:
    customers: int  # customers with a policy that were checked
    rows: tuple[CustomerReach, ...]
    invalid_points: tuple[InvalidContactPoint, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"customers_checked": self.customers, "with_problems": len(self.rows),
                "blocked": sum(r.blocked for r in self.rows), "customers": [r.as_json() for r in self.rows],
                "invalid_points": [p.as_json() for p in self.invalid_points]}
