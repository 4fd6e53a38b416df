"""Typed values of jobs: a run as stored, a worker's heartbeat, and what `cobro jobs list|status` print."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cobro.jobs.domain import RunStatus


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True, slots=True)
class JobRun:
    id: int
    job: str
    tenant: str
    scheduled_for: dt.datetime
    status: RunStatus
    attempts: int
    worker: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    retry_at: dt.datetime | None
    summary: str
    error: str

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "job": self.job, "tenant": self.tenant,
                "scheduled_for": self.scheduled_for.isoformat(), "status": self.status.value,
                "attempts": self.attempts, "worker": self.worker, "started_at": self.started_at.isoformat(),
                "finished_at": _iso(self.finished_at), "retry_at": _iso(self.retry_at), "summary": self.summary,
                "error": self.error}


@dataclass(frozen=True, slots=True)
class Heartbeat:
    worker: str
    engine: str
    started_at: dt.datetime
    beat_at: dt.datetime
    passes: int
    last_error: str

    def age(self, now: dt.datetime) -> float:
        return (now - self.beat_at).total_seconds()

    def as_json(self, now: dt.datetime) -> dict[str, object]:
        return {"worker": self.worker, "engine": self.engine, "started_at": self.started_at.isoformat(),
                "beat_at": self.beat_at.isoformat(), "age_seconds": round(self.age(now), 1),
                "passes": self.passes, "last_error": self.last_error}


class Claim:
    """The outcome of asking to run a slot: `run` (this caller holds it, `attempt` is its number) or not, why."""

    __slots__ = ("attempt", "reason", "run_id")

    def __init__(self, run_id: int | None, attempt: int = 0, reason: str = "") -> None:
        self.run_id, self.attempt, self.reason = run_id, attempt, reason

    @property
    def granted(self) -> bool:
        return self.run_id is not None


@dataclass(frozen=True, slots=True)
class Readiness:
    """The worker part of `/api/ready`: fresh when the newest heartbeat is younger than the setting."""

    fresh: bool
    detail: str
    age_seconds: float | None
