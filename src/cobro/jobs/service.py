"""Use cases of jobs: which slots are due, claiming a slot, recording how it ended, heartbeats, the listings.

Everything takes `now` from the entrypoint and flushes; the worker commits each step on its own, so a claim is
visible to other schedulers before the job itself starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cobro.jobs import domain
from cobro.jobs.domain import Place, RunStatus, Scope
from cobro.jobs.registry import Job
from cobro.jobs.repository import JOBS
from cobro.jobs.schemas import Claim, Heartbeat, JobRun, Readiness
from cobro.platform.uow import Uow
from cobro.tenancy import service as tenancy

RETRY_BASE_SECONDS = 60.0  # a failed slot runs again after 1 min, then 2, 4 ...


@dataclass(frozen=True, slots=True)
class DueRun:
    job: str
    tenant: str
    slot: dt.datetime
    as_of: dt.date


@dataclass(frozen=True, slots=True)
class JobLine:
    """One job for one tenant, as `cobro jobs list` shows it."""

    job: str
    tenant: str
    schedule: str
    last: JobRun | None
    next_at: dt.datetime | None

    def as_json(self) -> dict[str, object]:
        return {"job": self.job, "tenant": self.tenant, "schedule": self.schedule,
                "last": self.last.as_json() if self.last else None,
                "next": self.next_at.isoformat() if self.next_at else None}


@dataclass(frozen=True, slots=True)
class StatusReport:
    runs: tuple[JobRun, ...]
    failures: tuple[JobRun, ...]
    heartbeats: tuple[Heartbeat, ...]
    now: dt.datetime

    def as_json(self) -> dict[str, object]:
        return {"runs": [r.as_json() for r in self.runs], "failures": [r.as_json() for r in self.failures],
                "workers": [h.as_json(self.now) for h in self.heartbeats]}


def places(uow: Uow) -> Mapping[str, Place]:
    """Every tenant's time zone and business days, from its profile."""
    return {t.code: Place.of(t.profile.time_zone, t.profile.country) for t in tenancy.list_tenants(uow).tenants}


def _targets(job: Job, where: Mapping[str, Place]) -> list[tuple[str, Place]]:
    if job.scope is Scope.GLOBAL:
        return [("", Place.of("", ""))]
    return sorted(where.items())


def due(uow: Uow, jobs: Iterable[Job], *, now: dt.datetime, lease_seconds: float, stale_seconds: float,
        where: Mapping[str, Place] | None = None) -> list[DueRun]:
    """The scheduled runs to start now: each job's latest slot not run yet (a slot missed while the machine was
    off runs once), failed runs whose retry time has come, and runs whose worker is gone."""
    where = places(uow) if where is None else where
    repo = uow.repo(JOBS)
    last = repo.last_slots()
    found: dict[tuple[str, str, dt.datetime], DueRun] = {}
    scheduled = {j.name: j for j in jobs if j.scheduled}
    for job in scheduled.values():
        for tenant, place in _targets(job, where):
            slot = domain.due_slot(job.schedule, now, place, last.get((job.name, tenant)))
            if slot is not None:
                found[(job.name, tenant, slot)] = DueRun(job.name, tenant, slot, domain.slot_day(slot, place))
    for run in repo.resumable(now, dt.timedelta(seconds=lease_seconds), now - dt.timedelta(seconds=stale_seconds)):
        if run.job in scheduled and (run.tenant in where or not run.tenant):
            place = where.get(run.tenant) or Place.of("", "")
            found.setdefault((run.job, run.tenant, run.scheduled_for),
                             DueRun(run.job, run.tenant, run.scheduled_for,
                                    domain.slot_day(run.scheduled_for, place)))
    return sorted(found.values(), key=lambda d: (d.slot, d.job, d.tenant))


def claim(uow: Uow, *, job: Job, tenant: str, slot: dt.datetime, worker: str, now: dt.datetime,
          lease_seconds: float, stale_seconds: float) -> Claim:
    """Take the slot for `worker`: a new run, a failed one whose retry is due, or one whose holder is gone."""
    claimed = uow.repo(JOBS).claim(job=job.name, tenant=tenant, slot=slot, worker=worker, now=now,
                                   lease=dt.timedelta(seconds=lease_seconds),
                                   stale_before=now - dt.timedelta(seconds=stale_seconds),
                                   max_attempts=job.max_attempts)
    uow.flush()
    return claimed


def succeeded(uow: Uow, run_id: int, *, now: dt.datetime, summary: str) -> None:
    uow.repo(JOBS).finish(run_id, status=RunStatus.DONE, now=now, summary=summary)
    uow.flush()


def failed(uow: Uow, run_id: int, *, job: Job, attempt: int, now: dt.datetime, error: str) -> RunStatus:
    """Record a failure; returns FAILED (it will be retried) or GAVE_UP (no attempts left)."""
    again = domain.retry_at(attempt, now, base_seconds=RETRY_BASE_SECONDS, max_attempts=job.max_attempts)
    status = RunStatus.FAILED if again is not None else RunStatus.GAVE_UP
    uow.repo(JOBS).finish(run_id, status=status, now=now, error=error, retry_at=again)
    uow.flush()
    return status


def beat(uow: Uow, *, worker: str, engine: str, started_at: dt.datetime, now: dt.datetime, error: str = "") -> None:
    uow.repo(JOBS).beat(worker=worker, engine=engine, started_at=started_at, now=now, error=error)
    uow.flush()


def forget_workers(uow: Uow, *, now: dt.datetime, older_than_seconds: float) -> int:
    """Drop heartbeats of workers gone for longer than `older_than_seconds` (a week by default)."""
    gone = uow.repo(JOBS).forget_workers(now - dt.timedelta(seconds=older_than_seconds))
    uow.flush()
    return gone


def readiness(uow: Uow, *, now: dt.datetime, max_age_seconds: float) -> Readiness:
    """Fresh when some worker beat within `max_age_seconds`; no worker ever seen is reported as not ready."""
    beats = uow.repo(JOBS).heartbeats()
    if not beats:
        return Readiness(False, "no worker has ever run (start `cobro worker`)", None)
    age = beats[0].age(now)
    if age > max_age_seconds:
        return Readiness(False, f"the newest worker heartbeat is {age:.0f}s old (limit {max_age_seconds:g}s)", age)
    return Readiness(True, f"worker {beats[0].worker} beat {age:.0f}s ago", age)


def listing(uow: Uow, jobs: Iterable[Job], *, now: dt.datetime) -> list[JobLine]:
    where = places(uow)
    last = uow.repo(JOBS).last_runs()
    lines: list[JobLine] = []
    for job in jobs:
        for tenant, place in _targets(job, where):
            nxt = domain.next_slot(job.schedule, now, place) if job.scheduled else None
            lines.append(JobLine(job.name, tenant, job.schedule.describe(), last.get((job.name, tenant)), nxt))
    return lines


def status(uow: Uow, *, now: dt.datetime, limit: int = 20) -> StatusReport:
    repo = uow.repo(JOBS)
    failures = [r for r in repo.runs(limit=limit * 5) if r.status in (RunStatus.FAILED, RunStatus.GAVE_UP)]
    return StatusReport(tuple(repo.runs(limit=limit)), tuple(failures[:limit]), tuple(repo.heartbeats()), now)


def procrastinate_ready(uow: Uow, schema: str) -> bool:
    return uow.repo(JOBS).has_schema(schema)


def install_procrastinate(uow: Uow, *, schema: str, sql: str) -> bool:
    """Apply the job engine's schema once (idempotent; PostgreSQL only)."""
    created = uow.repo(JOBS).install_schema(schema, sql)
    uow.flush()
    return created
