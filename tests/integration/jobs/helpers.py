"""Small helpers of the jobs tests: a clock that moves, a registry of test jobs that count their runs."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from cobro.collections.records import CycleRunRow
from cobro.jobs.domain import Schedule, Scope
from cobro.jobs.records import JobRunRow
from cobro.jobs.registry import Job, Registry
from cobro.platform.container import Container

UTC = dt.UTC


@dataclass
class MovingClock:
    at: dt.datetime

    def now(self) -> dt.datetime:
        return self.at

    def today(self) -> dt.date:
        return self.at.date()

    def move(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)


@dataclass
class Counting:
    """A job function that counts its runs per (tenant, as_of) and fails its first `fail` runs."""

    fail: int = 0
    pause: float = 0.0
    runs: Counter[tuple[str, dt.date]] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    calls: int = 0

    def __call__(self, container: Container, tenant: str, *, as_of: dt.date, now: dt.datetime) -> str:
        with self.lock:
            self.calls += 1
            call = self.calls
        if self.pause:
            threading.Event().wait(self.pause)
        if call <= self.fail:
            raise RuntimeError(f"boom {call}")
        with self.lock:
            self.runs[(tenant, as_of)] += 1
        return f"ran for {tenant} {as_of}"


def registry_of(*jobs: tuple[str, Schedule, Counting, Scope]) -> Registry:
    reg = Registry()
    for name, schedule, fn, scope in jobs:
        reg.add(Job(name, schedule, fn, scope=scope))
    return reg


def job_runs(container: Container) -> list[tuple[str, str, str, int]]:
    with container.sessions() as s:
        return [(r.job, r.tenant, r.status, r.attempts)
                for r in s.scalars(select(JobRunRow).order_by(JobRunRow.id)).all()]


def cycle_runs(container: Container) -> int:
    with container.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(CycleRunRow).where(CycleRunRow.dry_run.is_(False)))
                   or 0)
