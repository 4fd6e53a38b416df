"""`cobro worker` on PostgreSQL: the jobs run on procrastinate, a PostgreSQL-native job queue.

Every worker process (on any machine) runs the same app: a `tick` periodic task (procrastinate defers each tick
once, whichever worker sees it first) asks which slots are due and defers one `slot` job per job, tenant and slot,
and one `continuous` job per continuous job and tenant.  Each deferred job carries a `lock` (the job and tenant:
one cycle per tenant runs at a time) and a `queueing_lock` (at most one waiting), and the slot job retries a
failure.  The job-runs table is still the idempotency key: a slot deferred twice, or run by two workers, runs once.

procrastinate's tables live in their own schema (`procrastinate`), applied on the worker's first start.  Each tick
also puts back in the queue the jobs of a worker that stopped beating (killed, machine lost).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import threading
from typing import Any

from cobro.jobs import domain, service
from cobro.jobs.domain import Scope
from cobro.jobs.registry import Registry
from cobro.jobs.runner import Heart, due_runs, execute, run_continuous, tenant_codes, worker_name
from cobro.platform.container import Container

log = logging.getLogger("cobro.jobs")
SCHEMA = "procrastinate"
QUEUE = "cobro"
RESTART_SECONDS = 5.0  # after the database went away, start the worker again this much later
STALLED_SECONDS = 30.0  # a job whose procrastinate worker has not beaten for this long is put back in the queue


class JobFailedError(Exception):
    """Raised from a slot task so procrastinate records the failure and retries it."""


def conninfo(database_url: str) -> str:
    """libpq's URL for SQLAlchemy's (`postgresql+psycopg://` → `postgresql://`)."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", database_url)


def ensure_schema(container: Container) -> bool:
    """Apply procrastinate's schema unless it is there (several workers may start at once)."""
    from procrastinate.schema import SchemaManager

    with container.uow() as uow:
        created = service.install_procrastinate(uow, schema=SCHEMA, sql=SchemaManager.get_schema())
        uow.commit()
    return created


def build_app(container: Container, registry: Registry, *, worker: str, tick_seconds: int) -> Any:
    """The procrastinate app of this process, its tasks bound to `container` and `registry`."""
    from procrastinate import App, PsycopgConnector, RetryStrategy
    from procrastinate.exceptions import AlreadyEnqueued

    connector = PsycopgConnector(conninfo=conninfo(container.settings.database_url),
                                 kwargs={"options": f"-c search_path={SCHEMA}"})
    app = App(connector=connector)
    attempts = max((j.max_attempts for j in registry), default=1)
    last_continuous: dict[str, dt.datetime] = {}

    @app.task(name="cobro.jobs.slot", queue=QUEUE,
              retry=RetryStrategy(max_attempts=attempts - 1, wait=int(service.RETRY_BASE_SECONDS) + 1))
    def slot_task(job: str, tenant: str, slot: str, as_of: str) -> str:
        outcome = execute(container, registry.get(job), tenant, dt.datetime.fromisoformat(slot),
                          as_of=dt.date.fromisoformat(as_of), worker=worker)
        if outcome.status == "failed":
            raise JobFailedError(outcome.detail)
        return outcome.status

    @app.task(name="cobro.jobs.continuous", queue=QUEUE)
    def continuous_task(job: str, tenant: str) -> str:
        return run_continuous(container, registry.get(job), tenant).status

    async def defer(task: Any, lock: str, queueing_lock: str, **kwargs: str) -> bool:
        try:
            await task.configure(lock=lock, queueing_lock=queueing_lock).defer_async(**kwargs)
        except AlreadyEnqueued:
            return False
        return True

    async def defer_due() -> int:
        # a worker killed mid-job leaves its job "doing" (holding its lock): put it back in the queue; the slot's
        # claim is taken over once the dead worker's heartbeat is stale, so the slot still runs once
        for stalled in await app.job_manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=STALLED_SECONDS):
            log.warning("job %s #%s of a stopped worker goes back in the queue", stalled.task_name, stalled.id)
            await app.job_manager.retry_job(stalled)
        runs = await asyncio.to_thread(due_runs, container, registry)
        deferred = 0
        for run in runs:
            deferred += await defer(slot_task, f"{run.job}:{run.tenant}", f"slot:{run.job}:{run.tenant}",
                                    job=run.job, tenant=run.tenant, slot=run.slot.isoformat(),
                                    as_of=run.as_of.isoformat())
        now = container.clock.now()
        tenants: list[str] | None = None
        for job in registry:
            if job.scheduled or not domain.continuous_due(job.schedule, now, last_continuous.get(job.name)):
                continue
            last_continuous[job.name] = now
            if tenants is None and job.scope is Scope.TENANT:
                tenants = await asyncio.to_thread(tenant_codes, container)
            for tenant in [""] if job.scope is Scope.GLOBAL else (tenants or []):
                deferred += await defer(continuous_task, f"{job.name}:{tenant}", f"continuous:{job.name}:{tenant}",
                                        job=job.name, tenant=tenant)
        return deferred

    @app.periodic(cron=f"* * * * * */{tick_seconds}", periodic_id="tick")
    @app.task(name="cobro.jobs.tick", queue=QUEUE, queueing_lock="cobro.jobs.tick")
    async def tick(timestamp: int) -> int:
        return await defer_due()

    app.cobro_defer_due = defer_due  # type: ignore[attr-defined]
    return app


def run_procrastinate(container: Container, registry: Registry, *, concurrency: int = 1, once: bool = False,
                      tick_seconds: int = 5, stop: threading.Event | None = None,
                      restart_seconds: float = RESTART_SECONDS) -> int:
    """Run the procrastinate worker until SIGTERM/SIGINT (or, with `once`, until the due work is done); a lost
    database connection restarts it after RESTART_SECONDS instead of ending the process.  Returns the starts."""
    stop = stop or threading.Event()
    ensure_schema(container)
    name = worker_name()
    heart = Heart(container, name, "procrastinate").start()
    app = build_app(container, registry, worker=name, tick_seconds=max(1, min(59, tick_seconds)))
    starts = 0

    async def main() -> None:
        async with app.open_async():
            await app.cobro_defer_due()
            await app.run_worker_async(queues=[QUEUE], concurrency=concurrency, wait=not once, name=name,
                                       install_signal_handlers=threading.current_thread() is threading.main_thread(),
                                       delete_jobs="successful")

    try:
        while not stop.is_set():
            starts += 1
            try:
                asyncio.run(main())
                heart.error = ""
                break  # stopped by a signal, or `once` drained the queue
            except Exception as exc:  # the database restarted: log, wait, start again
                heart.error = f"{type(exc).__name__}: {exc}"[:500]
                log.exception("procrastinate worker stopped on an error; starting again in %gs", restart_seconds)
                if once or stop.wait(restart_seconds):
                    break
    finally:
        heart.beat()
        heart.close()
    return starts
