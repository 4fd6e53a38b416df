"""What the audit log takes and gives: a change to record, who made it, and a recorded entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True, slots=True)
class Who:
    """The actor of a change: a logged-in user, an API key, the local CLI (with `--user`) or the system itself."""

    kind: str = "system"
    id: str = ""
    name: str = ""
    request_id: str = ""


SYSTEM = Who("system", "", "cobro")


@dataclass(frozen=True, slots=True)
class Change:
    """One state change of one entity.  `before`/`after` hold the fields that matter (None: created / removed)."""

    entity: str
    entity_id: str
    action: str
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    reason: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


class AuditEntry(BaseModel):
    id: int
    at: dt.datetime
    actor_kind: str
    actor_id: str
    actor_name: str
    entity: str
    entity_id: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str
    request_id: str


class AuditQuery(BaseModel):
    entity: str = ""
    entity_id: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    after_id: int = 0  # cursor: entries with a larger id
    limit: int = 500
