"""What the cycle left behind and the plans agreed, as the API lists them: runs, their actions, payment plans."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cobro.collections.domain.status import PlanStatus


@dataclass(frozen=True, slots=True)
class CycleRun:
    """One run of the cycle: its date, whether it was a dry run, when it ran and what it counted."""

    id: int
    as_of: dt.date
    dry_run: bool
    started_at: dt.datetime
    finished_at: dt.datetime | None
    counts: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class PlannedActionRecord:
    """An action a run planned: the step, its channel, the items (instalment ids) and their total."""

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
    total_minor: int
    items: tuple[int, ...]
    status: str
    reason: str


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """A payment plan as listed: whose, in which currency, its instalments (due day, minor units)."""

    id: int
    customer: str
    currency: str
    total_minor: int
    status: PlanStatus
    agreed_on: dt.date
    note: str
    instalments: tuple[tuple[dt.date, int], ...]
