"""Running jobs, shared by both engines and `cobro jobs run`: claim a slot, run its function, record the outcome.

Each step is its own transaction: the claim commits before the job starts (another scheduler sees it and skips
the slot), the job commits its own work (the cycle is one transaction), and the outcome commits after.  A worker
killed inside the job leaves its claim `running` and the job's transaction rolled back; the claim is taken over
once its lease expires or the worker's heartbeat stops, and the slot runs again, once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field

from cobro.jobs import domain, service
from cobro.jobs.domain import RunStatus, Scope
from cobro.jobs.registry import Job, Registry
from cobro.platform import logs, metrics
from cobro.platform.container import Container

log = logging.getLogger("cobro.jobs")
FORGET_WORKERS_AFTER = 7 * 86400.0  # seconds


def worker_name(prefix: str = "") -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"{prefix}{socket.gethostname()}:{os.getpid()}:{stamp}"[:120]


@dataclass(frozen=True, slots=True)
class Outcome:
    job: str
    tenant: str
    slot: dt.datetime | None
    status: str  # done | failed | gave_up | skipped
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.status in (RunStatus.FAILED.value, RunStatus.GAVE_UP.value)


def execute(container: Container, job: Job, tenant: str, slot: dt.datetime, *, as_of: dt.date,
            worker: str) -> Outcome:
    """Run one slot of a scheduled job once: skipped when another worker has it or it already ran."""
    settings = container.settings
    with container.uow() as uow:
        claim = service.claim(uow, job=job, tenant=tenant, slot=slot, worker=worker, now=container.clock.now(),
                              lease_seconds=settings.jobs_lease_seconds,
                              stale_seconds=settings.worker_heartbeat_max_age_seconds)
        uow.commit()
    if claim.run_id is None:
        return Outcome(job.name, tenant, slot, "skipped", claim.reason)
    log.info("job %s tenant=%s slot=%s attempt %d started", job.name, tenant or "-", slot.isoformat(),
             claim.attempt)
    try:
        summary = _timed(job, container, tenant, as_of=as_of, now=container.clock.now())
    except Exception as exc:  # any failure of the job is recorded and retried, never fatal to the worker
        error = f"{type(exc).__name__}: {exc}"
        log.exception("job %s tenant=%s failed (attempt %d)", job.name, tenant or "-", claim.attempt)
        with container.uow() as uow:
            status = service.failed(uow, claim.run_id, job=job, attempt=claim.attempt, now=container.clock.now(),
                                    error=error)
            uow.commit()
        return Outcome(job.name, tenant, slot, status.value, error)
    with container.uow() as uow:
        service.succeeded(uow, claim.run_id, now=container.clock.now(), summary=summary)
        uow.commit()
    log.info("job %s tenant=%s done: %s", job.name, tenant or "-", summary)
    return Outcome(job.name, tenant, slot, "done", summary)


def _timed(job: Job, container: Container, tenant: str, *, as_of: dt.date, now: dt.datetime) -> str:
    """Run the job with its name and tenant on every log line it writes, and count it for /metrics (runs by
    outcome, duration), however it ends."""
    started, ok = time.monotonic(), False
    logs.bind(job=job.name, tenant=tenant or "-")
    try:
        summary = job.run(container, tenant, as_of=as_of, now=now)
        ok = True
        return summary
    finally:
        metrics.record_job(job=job.name, ok=ok, seconds=time.monotonic() - started)
        logs.unbind("job", "tenant")


def run_continuous(container: Container, job: Job, tenant: str) -> Outcome:
    """One pass of a continuous job; a failure is logged and returned (the next pass is the retry)."""
    now = container.clock.now()
    try:
        summary = _timed(job, container, tenant, as_of=now.date(), now=now)
    except Exception as exc:
        log.exception("job %s tenant=%s failed", job.name, tenant or "-")
        return Outcome(job.name, tenant, None, "failed", f"{type(exc).__name__}: {exc}")
    return Outcome(job.name, tenant, None, "done", summary)


def due_runs(container: Container, registry: Registry) -> list[service.DueRun]:
    settings = container.settings
    with container.uow() as uow:
        return service.due(uow, registry, now=container.clock.now(), lease_seconds=settings.jobs_lease_seconds,
                           stale_seconds=settings.worker_heartbeat_max_age_seconds)


def tenant_codes(container: Container) -> list[str]:
    with container.uow() as uow:
        return sorted(service.places(uow))


@dataclass
class Pass:
    """One pass of the in-process engine: heartbeat, due continuous jobs, due scheduled slots."""

    container: Container
    registry: Registry
    worker: str
    last_continuous: dict[str, dt.datetime] = field(default_factory=dict)

    def run(self) -> list[Outcome]:
        outcomes: list[Outcome] = []
        now = self.container.clock.now()
        tenants = tenant_codes(self.container)
        for job in self.registry:
            if job.scheduled or not domain.continuous_due(job.schedule, now, self.last_continuous.get(job.name)):
                continue
            self.last_continuous[job.name] = now
            for tenant in ([""] if job.scope is Scope.GLOBAL else tenants):
                outcomes.append(run_continuous(self.container, job, tenant))
        for run in due_runs(self.container, self.registry):
            outcomes.append(execute(self.container, self.registry.get(run.job), run.tenant, run.slot,
                                    as_of=run.as_of, worker=self.worker))
        return outcomes


class Heart:
    """Writes the worker's heartbeat every `settings.worker_heartbeat_seconds` from a thread, so a long cycle does
    not make the worker look dead; a failed beat (the database restarting) is logged and tried again."""

    def __init__(self, container: Container, worker: str, engine: str) -> None:
        self.container, self.worker, self.engine = container, worker, engine
        self.started_at = container.clock.now()
        self.stop = threading.Event()
        self.error = ""
        self._thread = threading.Thread(target=self._loop, name="cobro-heartbeat", daemon=True)

    def beat(self) -> bool:
        try:
            with self.container.uow() as uow:
                service.beat(uow, worker=self.worker, engine=self.engine, started_at=self.started_at,
                             now=self.container.clock.now(), error=self.error)
                uow.commit()
        except Exception:  # the database may be restarting: the next beat tries again
            log.exception("heartbeat failed")
            return False
        return True

    def _loop(self) -> None:
        while not self.stop.wait(self.container.settings.worker_heartbeat_seconds):
            self.beat()

    def start(self) -> Heart:
        try:  # workers gone for a week are dropped, so `cobro jobs status` lists the living
            with self.container.uow() as uow:
                service.forget_workers(uow, now=self.started_at, older_than_seconds=FORGET_WORKERS_AFTER)
                uow.commit()
        except Exception:
            log.exception("could not drop old heartbeats")
        self.beat()
        self._thread.start()
        return self

    def close(self) -> None:
        self.stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
