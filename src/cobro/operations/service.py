"""What the database says about the installation's health, for /metrics (read-only, every tenant)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from cobro.operations.repository import DatabaseUnavailable, MonitoringRepository, SqlMonitoringRepository
from cobro.operations.schemas import Snapshot


def snapshot(session: Session, *, now: dt.datetime, repo: MonitoringRepository | None = None) -> Snapshot:
    """The outbox and webhook queues (depth, oldest age, retries per tenant, channel and status), each
    tenant's cycle runs, the last day's job runs by status and the workers' heartbeats, as of `now`; a database that does not answer gives an empty snapshot marked down (the
    scrape still answers, and says so)."""
    source = repo or SqlMonitoringRepository(session)
    try:
        return Snapshot(outbox=tuple(source.outbox(now)), webhooks=tuple(source.webhooks(now)),
                        cycles=tuple(source.cycles()), job_runs=tuple(source.job_runs(now)),
                        heartbeats=tuple(source.heartbeats(now)))
    except DatabaseUnavailable:
        return Snapshot(outbox=(), webhooks=(), cycles=(), database_up=False)
