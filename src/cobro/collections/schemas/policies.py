"""Policy versions as stored, their assignments, and `cobro policy show`."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from cobro.collections.domain.policy import Policy
from cobro.collections.domain.status import AssignmentScope
from cobro.collections.schemas import Json


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
