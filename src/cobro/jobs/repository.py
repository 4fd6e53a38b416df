"""All SQL of jobs: claim a slot (insert under the unique key, or take over a failed or abandoned run with a
conditional UPDATE, so two schedulers never both hold one), record how it ended, heartbeats, listings."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cobro.jobs.domain import RunStatus
from cobro.jobs.records import JobRunRow, WorkerHeartbeatRow
from cobro.jobs.schemas import Claim, Heartbeat, JobRun
from cobro.platform.uow import RepositoryKey

UTC = dt.UTC


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite keeps no offset: every instant this feature writes is UTC
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _opt(value: dt.datetime | None) -> dt.datetime | None:
    return _utc(value) if value is not None else None


def _rows(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _run(r: JobRunRow) -> JobRun:
    return JobRun(r.id, r.job, r.tenant, _utc(r.scheduled_for), RunStatus(r.status), r.attempts, r.worker,
                  _utc(r.started_at), _opt(r.finished_at), _opt(r.retry_at), r.summary, r.error)


def _beat(r: WorkerHeartbeatRow) -> Heartbeat:
    return Heartbeat(r.worker, r.engine, _utc(r.started_at), _utc(r.beat_at), r.passes, r.last_error)


class JobRepository(Protocol):
    def claim(self, *, job: str, tenant: str, slot: dt.datetime, worker: str, now: dt.datetime,
              lease: dt.timedelta, stale_before: dt.datetime, max_attempts: int) -> Claim: ...
    def finish(self, run_id: int, *, status: RunStatus, now: dt.datetime, summary: str = "", error: str = "",
               retry_at: dt.datetime | None = None) -> None: ...
    def last_slots(self) -> dict[tuple[str, str], dt.datetime]: ...
    def resumable(self, now: dt.datetime, lease: dt.timedelta, stale_before: dt.datetime) -> list[JobRun]: ...
    def runs(self, *, limit: int, job: str = "", status: str = "") -> list[JobRun]: ...
    def last_runs(self) -> dict[tuple[str, str], JobRun]: ...
    def beat(self, *, worker: str, engine: str, started_at: dt.datetime, now: dt.datetime, error: str) -> None: ...
    def heartbeats(self) -> list[Heartbeat]: ...
    def forget_workers(self, before: dt.datetime) -> int: ...
    def has_schema(self, schema: str) -> bool: ...
    def install_schema(self, schema: str, sql: str) -> bool: ...


class SqlJobRepository:
    """Jobs are the installation's, not one tenant's: the tenant is a column (its code), not the unit of work's."""

    def __init__(self, session: Session, tenant: int) -> None:
        self.session = session

    def _get(self, job: str, tenant: str, slot: dt.datetime) -> JobRunRow | None:
        return self.session.scalars(select(JobRunRow).where(
            JobRunRow.job == job, JobRunRow.tenant == tenant, JobRunRow.scheduled_for == slot)).first()

    def claim(self, *, job: str, tenant: str, slot: dt.datetime, worker: str, now: dt.datetime,
              lease: dt.timedelta, stale_before: dt.datetime, max_attempts: int) -> Claim:
        try:
            with self.session.begin_nested():
                run_id = self.session.execute(insert(JobRunRow).values(
                    job=job, tenant=tenant, scheduled_for=slot, status=RunStatus.RUNNING.value, attempts=1,
                    worker=worker, started_at=now, summary="", error="").returning(JobRunRow.id)).scalar_one()
            return Claim(run_id, 1)
        except IntegrityError:
            pass  # the slot has a run already: someone else's, finished, failed or abandoned
        row = self._get(job, tenant, slot)
        if row is None:  # deleted between the two statements: let the next pass try again
            return Claim(None, reason="changed meanwhile")
        status = RunStatus(row.status)
        if status in (RunStatus.DONE, RunStatus.GAVE_UP):
            return Claim(None, reason=f"already {status.value}")
        if status is RunStatus.FAILED:
            if row.attempts >= max_attempts:
                return Claim(None, reason="out of attempts")
            if row.retry_at is not None and _utc(row.retry_at) > now:
                return Claim(None, reason=f"retry at {_utc(row.retry_at):%Y-%m-%d %H:%M:%S} UTC")
        elif not self._abandoned(row, now, lease, stale_before):
            return Claim(None, reason=f"running on {row.worker}")
        # take it over only if nobody else did since we read it (same status, same attempt count)
        run_id, attempts = row.id, row.attempts  # read before the UPDATE refreshes the row in the session
        taken = self.session.execute(update(JobRunRow).where(
            JobRunRow.id == run_id, JobRunRow.status == row.status, JobRunRow.attempts == attempts).values(
            status=RunStatus.RUNNING.value, attempts=attempts + 1, worker=worker, started_at=now,
            finished_at=None, retry_at=None))
        if _rows(taken) != 1:
            return Claim(None, reason="taken by another worker")
        return Claim(run_id, attempts + 1)

    def _abandoned(self, row: JobRunRow, now: dt.datetime, lease: dt.timedelta, stale_before: dt.datetime) -> bool:
        """A running claim whose holder is gone: its worker's heartbeat has stopped or, for a holder that beats
        none (`cobro jobs run`), its lease is over.  A worker still beating keeps a long run, however long."""
        beat = self.session.get(WorkerHeartbeatRow, row.worker)
        if beat is not None:
            return _utc(beat.beat_at) < stale_before
        return _utc(row.started_at) + lease <= now

    def finish(self, run_id: int, *, status: RunStatus, now: dt.datetime, summary: str = "", error: str = "",
               retry_at: dt.datetime | None = None) -> None:
        self.session.execute(update(JobRunRow).where(JobRunRow.id == run_id).values(
            status=status.value, finished_at=now, summary=summary[:4000], error=error[:4000], retry_at=retry_at))

    def last_slots(self) -> dict[tuple[str, str], dt.datetime]:
        rows = self.session.execute(select(JobRunRow.job, JobRunRow.tenant, func.max(JobRunRow.scheduled_for))
                                    .group_by(JobRunRow.job, JobRunRow.tenant)).all()
        return {(job, tenant): _utc(slot) for job, tenant, slot in rows}

    def resumable(self, now: dt.datetime, lease: dt.timedelta, stale_before: dt.datetime) -> list[JobRun]:
        """Failed runs whose retry time has come, and running ones whose holder is gone (killed, machine lost)."""
        retry = self.session.scalars(select(JobRunRow).where(
            JobRunRow.status == RunStatus.FAILED.value, JobRunRow.retry_at.is_not(None),
            JobRunRow.retry_at <= now).order_by(JobRunRow.id)).all()
        running = self.session.scalars(select(JobRunRow).where(JobRunRow.status == RunStatus.RUNNING.value)).all()
        return [_run(r) for r in (*retry, *(r for r in running if self._abandoned(r, now, lease, stale_before)))]

    def runs(self, *, limit: int, job: str = "", status: str = "") -> list[JobRun]:
        q = select(JobRunRow).order_by(JobRunRow.started_at.desc(), JobRunRow.id.desc()).limit(limit)
        if job:
            q = q.where(JobRunRow.job == job)
        if status:
            q = q.where(JobRunRow.status == status)
        return [_run(r) for r in self.session.scalars(q).all()]

    def last_runs(self) -> dict[tuple[str, str], JobRun]:
        newest = (select(func.max(JobRunRow.id).label("id")).group_by(JobRunRow.job, JobRunRow.tenant)
                  .subquery())
        rows = self.session.scalars(select(JobRunRow).join(newest, newest.c.id == JobRunRow.id)).all()
        return {(r.job, r.tenant): _run(r) for r in rows}

    def beat(self, *, worker: str, engine: str, started_at: dt.datetime, now: dt.datetime, error: str) -> None:
        changed = self.session.execute(update(WorkerHeartbeatRow).where(WorkerHeartbeatRow.worker == worker).values(
            beat_at=now, passes=WorkerHeartbeatRow.passes + 1, last_error=error[:2000]))
        if not _rows(changed):
            self.session.execute(insert(WorkerHeartbeatRow).values(
                worker=worker, engine=engine, started_at=started_at, beat_at=now, passes=1, last_error=error[:2000]))

    def heartbeats(self) -> list[Heartbeat]:
        rows = self.session.scalars(select(WorkerHeartbeatRow).order_by(WorkerHeartbeatRow.beat_at.desc())).all()
        return [_beat(r) for r in rows]

    def forget_workers(self, before: dt.datetime) -> int:
        return _rows(self.session.execute(delete(WorkerHeartbeatRow).where(WorkerHeartbeatRow.beat_at < before)))

    def has_schema(self, schema: str) -> bool:
        """Whether procrastinate's tables are in `schema` (PostgreSQL only)."""
        if self.session.get_bind().dialect.name != "postgresql":
            return False
        found = self.session.execute(text("SELECT to_regclass(:t)"), {"t": f"{schema}.procrastinate_jobs"})
        return found.scalar() is not None

    def install_schema(self, schema: str, sql: str) -> bool:
        """Create procrastinate's tables in their own schema unless they are there; True when created.  Workers
        starting together serialise on an advisory lock, so the schema is applied once."""
        self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('cobro.jobs.procrastinate_schema'))"))
        if self.has_schema(schema):
            return False
        self.session.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        self.session.execute(text(f'SET LOCAL search_path TO "{schema}"'))
        # procrastinate's own DDL, run as one simple-protocol script (no parameters, so '%' stays as it is)
        raw = self.session.connection().connection.driver_connection
        raw.execute(sql)  # type: ignore[union-attr]
        self.session.execute(text("SET LOCAL search_path TO DEFAULT"))
        return True


JOBS: RepositoryKey[JobRepository] = RepositoryKey("jobs", SqlJobRepository, tenant_scoped=False)
