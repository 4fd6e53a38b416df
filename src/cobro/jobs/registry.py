"""The registry of jobs: a name, a schedule, a scope and a plain function.

A job function is `run(container, tenant, *, as_of, now) -> str` (a one-line summary): the same function runs under
procrastinate (PostgreSQL) and under the in-process loop (SQLite), and from `cobro jobs run NAME`.  `tenant` is a
tenant code for a tenant-scoped job and "" for one that serves the whole installation (the outbox and webhook
queues); `as_of` is the tenant-local day of the slot (today, for continuous jobs).  Raising means "failed": the run
is recorded failed and retried (`max_attempts`).

The registry is built by `cobro.app.jobs.registry()`, the one place that knows every feature; a feature adds a job
with one `registry.add(Job(...))` line there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from cobro.jobs.domain import Kind, Schedule, Scope
from cobro.kernel.errors import NotFoundError

if TYPE_CHECKING:
    from cobro.platform.container import Container


class JobFunction(Protocol):
    def __call__(self, container: Container, tenant: str, *, as_of: dt.date, now: dt.datetime) -> str: ...


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    schedule: Schedule
    run: JobFunction
    scope: Scope = Scope.TENANT
    description: str = ""
    max_attempts: int = 3  # tries of one slot before it is given up (continuous jobs just run again next time)

    @property
    def scheduled(self) -> bool:
        return self.schedule.kind is not Kind.CONTINUOUS


class UnknownJobError(NotFoundError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown job {name!r}; the jobs are: {', '.join(known)}")


class Registry:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}

    def add(self, job: Job) -> Job:
        if job.name in self._jobs:
            raise ValueError(f"job {job.name!r} is registered twice")
        self._jobs[job.name] = job
        return job

    def get(self, name: str) -> Job:
        try:
            return self._jobs[name]
        except KeyError:
            raise UnknownJobError(name, sorted(self._jobs)) from None

    def __iter__(self) -> Iterator[Job]:
        return iter(self._jobs.values())

    def __len__(self) -> int:
        return len(self._jobs)

    def names(self) -> list[str]:
        return list(self._jobs)
