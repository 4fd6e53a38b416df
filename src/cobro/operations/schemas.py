"""What /metrics reads from the database at scrape time, as typed values (one per tenant and label set)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QueueDepth:
    """Messages or deliveries of one tenant (and channel) in one status, and how old the oldest one is."""

    tenant: str
    channel: str  # outbox: email | whatsapp | sms | letter; webhooks: "webhook"
    status: str
    count: int
    oldest_age_seconds: float
    retrying: int  # of `count`, those that failed at least once and wait for another attempt


@dataclass(frozen=True, slots=True)
class CycleSummary:
    """A tenant's daily cycle: how many real runs so far, and the last finished one."""

    tenant: str
    runs: int
    last_duration_seconds: float
    last_finished_epoch: float
    last_actions: tuple[tuple[str, int], ...]  # per channel


@dataclass(frozen=True, slots=True)
class JobRuns:
    """Runs of one job in one status that started in the last day (jobs.domain.RunStatus)."""

    job: str
    status: str
    count: int


@dataclass(frozen=True, slots=True)
class Heartbeat:
    worker: str
    engine: str
    age_seconds: float


@dataclass(frozen=True, slots=True)
class Snapshot:
    outbox: tuple[QueueDepth, ...]
    webhooks: tuple[QueueDepth, ...]
    cycles: tuple[CycleSummary, ...]
    database_up: bool = True
    job_runs: tuple[JobRuns, ...] = ()
    heartbeats: tuple[Heartbeat, ...] = ()
