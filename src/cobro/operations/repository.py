"""The scrape-time queries behind /metrics: cheap aggregates over every tenant, read-only.

They name the other features' tables through lightweight `table()`/`column()` clauses instead of importing their
records: this feature only counts rows, it never writes or joins into their models, and a query stays cheap
because each one reads what an index already orders (the outbox and webhook queues by status, the cycle runs by
id).  Delivered messages and deliveries are not counted: they only grow, and nobody pages on them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Protocol

from sqlalchemy import Boolean, DateTime, Integer, Select, String, Text, column, func, select, table
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cobro.operations.schemas import CycleSummary, Heartbeat, JobRuns, QueueDepth

# the statuses that still need work or attention (delivery.domain.OutboxStatus, webhooks' delivery statuses)
OUTBOX_WATCHED = ("pending", "sending", "failed", "dead")
WEBHOOK_WATCHED = ("pending", "dead")

_tenants = table("tenants", column("id", Integer), column("code", String))
_outbox = table("outbox_messages", column("tenant_id", Integer), column("channel", String),
                column("status", String), column("attempts", Integer), column("created_at", DateTime(timezone=True)))
_deliveries = table("webhook_deliveries", column("tenant_id", Integer), column("status", String),
                    column("attempts", Integer), column("next_attempt_at", DateTime(timezone=True)))
_job_runs = table("job_runs", column("job", String), column("status", String),
                  column("started_at", DateTime(timezone=True)))
_beats = table("worker_heartbeats", column("worker", String), column("engine", String),
               column("beat_at", DateTime(timezone=True)))
JOB_WINDOW = dt.timedelta(days=1)  # runs counted: those started in the last day (the recent-runs index)
MAX_WORKERS_SHOWN = 50  # the freshest heartbeats; a dead worker's row stays, but only while it is recent
_runs = table("cycle_runs", column("id", Integer), column("tenant_id", Integer), column("dry_run", Boolean),
              column("started_at", DateTime(timezone=True)), column("finished_at", DateTime(timezone=True)),
              column("counts_json", Text))


class DatabaseUnavailable(Exception):
    """The database did not answer a scrape query (down, unreachable, or not initialised)."""


class MonitoringRepository(Protocol):
    def outbox(self, now: dt.datetime) -> list[QueueDepth]: ...

    def webhooks(self, now: dt.datetime) -> list[QueueDepth]: ...

    def cycles(self) -> list[CycleSummary]: ...

    def job_runs(self, now: dt.datetime) -> list[JobRuns]: ...

    def heartbeats(self, now: dt.datetime) -> list[Heartbeat]: ...


def _age(now: dt.datetime, oldest: dt.datetime | None) -> float:
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:  # SQLite hands timestamps back without their zone; cobro writes UTC
        oldest = oldest.replace(tzinfo=dt.UTC)
    return max(0.0, (now - oldest).total_seconds())


class SqlMonitoringRepository:
    """Across every tenant (the scrape is the installation's, not one tenant's)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _rows(self, stmt: Select[Any]) -> list[tuple[Any, ...]]:
        try:
            return [tuple(row) for row in self.session.execute(stmt)]
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(type(exc).__name__) from exc

    def outbox(self, now: dt.datetime) -> list[QueueDepth]:
        retrying = func.sum(func.coalesce((_outbox.c.attempts > 0).cast(Integer), 0))
        stmt = (select(_tenants.c.code, _outbox.c.channel, _outbox.c.status, func.count(), func.min(_outbox.c.created_at),
                       retrying)
                .join(_tenants, _tenants.c.id == _outbox.c.tenant_id)
                .where(_outbox.c.status.in_(OUTBOX_WATCHED))
                .group_by(_tenants.c.code, _outbox.c.channel, _outbox.c.status))
        return [QueueDepth(code, channel, status, int(n), _age(now, oldest), int(again or 0))
                for code, channel, status, n, oldest, again in self._rows(stmt)]

    def webhooks(self, now: dt.datetime) -> list[QueueDepth]:
        retrying = func.sum(func.coalesce((_deliveries.c.attempts > 0).cast(Integer), 0))
        stmt = (select(_tenants.c.code, _deliveries.c.status, func.count(), func.min(_deliveries.c.next_attempt_at),
                       retrying)
                .join(_tenants, _tenants.c.id == _deliveries.c.tenant_id)
                .where(_deliveries.c.status.in_(WEBHOOK_WATCHED))
                .group_by(_tenants.c.code, _deliveries.c.status))
        return [QueueDepth(code, "webhook", status, int(n), _age(now, oldest), int(again or 0))
                for code, status, n, oldest, again in self._rows(stmt)]

    def cycles(self) -> list[CycleSummary]:
        real = _runs.c.dry_run.is_(False) & _runs.c.finished_at.is_not(None)
        per_tenant = (select(_runs.c.tenant_id, func.count().label("runs"), func.max(_runs.c.id).label("last"))
                      .where(real).group_by(_runs.c.tenant_id).subquery())
        stmt = (select(_tenants.c.code, per_tenant.c.runs, _runs.c.started_at, _runs.c.finished_at,
                       _runs.c.counts_json)
                .join(per_tenant, per_tenant.c.tenant_id == _tenants.c.id)
                .join(_runs, _runs.c.id == per_tenant.c.last))
        found = []
        for code, runs, started, finished, counts_json in self._rows(stmt):
            counts = json.loads(counts_json or "{}")
            actions = tuple(sorted((str(k).removeprefix("channel."), int(v)) for k, v in counts.items()
                                   if str(k).startswith("channel.")))
            done = finished if finished.tzinfo else finished.replace(tzinfo=dt.UTC)
            found.append(CycleSummary(code, int(runs), _age(done, started), done.timestamp(), actions))
        return found

    def job_runs(self, now: dt.datetime) -> list[JobRuns]:
        stmt = (select(_job_runs.c.job, _job_runs.c.status, func.count())
                .where(_job_runs.c.started_at >= now - JOB_WINDOW)
                .group_by(_job_runs.c.job, _job_runs.c.status))
        return [JobRuns(job, status, int(n)) for job, status, n in self._rows(stmt)]

    def heartbeats(self, now: dt.datetime) -> list[Heartbeat]:
        stmt = (select(_beats.c.worker, _beats.c.engine, _beats.c.beat_at)
                .order_by(_beats.c.beat_at.desc()).limit(MAX_WORKERS_SHOWN))
        return [Heartbeat(worker, engine, _age(now, beat)) for worker, engine, beat in self._rows(stmt)]
