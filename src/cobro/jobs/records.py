"""Tables of jobs: one row per run of a scheduled job (the memory of what ran, and the key that makes a slot run
once however many schedulers there are) and one row per worker process (its heartbeat)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cobro.platform.db.base import Base, IdType


class JobRunRow(Base):
    __tablename__ = "job_runs"
    # the idempotency key: a job runs once per tenant and slot (the daily cycle once per tenant and day)
    __table_args__ = (UniqueConstraint("job", "tenant", "scheduled_for", name="uq_job_runs_slot"),
                      Index("ix_job_runs_recent", "started_at"))
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    tenant: Mapped[str] = mapped_column(String(60))  # the tenant code; "" for a job of the whole installation
    scheduled_for: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # the slot (UTC)
    status: Mapped[str] = mapped_column(String(16))  # jobs.domain.RunStatus
    attempts: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(120))  # who holds (or last held) the run
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    retry_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")


class WorkerHeartbeatRow(Base):
    __tablename__ = "worker_heartbeats"
    worker: Mapped[str] = mapped_column(String(120), primary_key=True)  # host:pid:start
    engine: Mapped[str] = mapped_column(String(20))  # procrastinate | inline
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    beat_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    passes: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
