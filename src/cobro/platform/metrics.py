"""Process metrics in Prometheus format, and the text /metrics answers.

Two kinds of numbers reach /metrics:

* counted by the process that did the work, here: HTTP latency per route template (`platform/http/observe.py`),
  imports (`record_import`, called by the import commands' shared runner), jobs (`record_job`, for the worker:
  `cobro.jobs` calls it when a job ends) and cycles (`record_cycle`).  With several processes (web, worker, a CLI
  run from cron) set `PROMETHEUS_MULTIPROC_DIR` to one writable directory in every process's environment
  (deploy/cobro.env.example does): prometheus-client then keeps the values in files there and /metrics adds up
  every process's values.  Without it, /metrics shows the web process's own counts only.
* read from the database at scrape time by the caller's `extra` collectors (`cobro.operations`): outbox and
  webhook queues, each tenant's cycle runs.  These are right whichever process did the work.

Every name is listed in docs/operations.md ("Monitoring").
"""

from __future__ import annotations

import os
from collections.abc import Iterable


def _usable_multiprocess_dir() -> None:
    """prometheus-client reads PROMETHEUS_MULTIPROC_DIR when it is imported and then fails on every count if the
    directory is missing (e.g. a command run before the services created /run/cobro-metrics): create it, or count
    in this process only."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        try:
            os.makedirs(path, exist_ok=True)
        except OSError:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]


_usable_multiprocess_dir()

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest  # noqa: E402
from prometheus_client.multiprocess import MultiProcessCollector  # noqa: E402
from prometheus_client.registry import Collector  # noqa: E402

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# seconds: an API read is a few ms, an import or a PDF can take seconds
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LONG_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0, 3600.0)

HTTP_SECONDS = Histogram("cobro_http_request_duration_seconds",
                         "Time from request to the end of the response, by route template",
                         ("method", "route", "status"), buckets=HTTP_BUCKETS)
IMPORTS = Counter("cobro_imports", "Import runs, by tenant, kind and outcome (ok, rejected, dry_run)",
                  ("tenant", "kind", "outcome"))
IMPORT_ROWS = Counter("cobro_import_rows", "Rows read by imports (created + updated + unchanged)", ("tenant", "kind"))
IMPORT_ERRORS = Counter("cobro_import_errors", "Problems that rejected an import, by tenant and kind",
                        ("tenant", "kind"))
JOB_RUNS = Counter("cobro_job_runs", "Job runs, by job name and outcome (ok, failed)", ("job", "outcome"))
JOB_SECONDS = Histogram("cobro_job_duration_seconds", "Job run time, by job name", ("job",), buckets=LONG_BUCKETS)
CYCLE_RUNS = Counter("cobro_cycle_runs", "Daily-cycle runs done by this process, by tenant", ("tenant",))
CYCLE_SECONDS = Histogram("cobro_cycle_duration_seconds", "Daily-cycle run time, by tenant", ("tenant",),
                          buckets=LONG_BUCKETS)
CYCLE_ACTIONS = Counter("cobro_cycle_actions", "Actions the daily cycle planned, by tenant and channel",
                        ("tenant", "channel"))


def record_import(*, tenant: str, kind: str, rows: int, errors: int, dry_run: bool) -> None:
    outcome = "rejected" if errors else "dry_run" if dry_run else "ok"
    IMPORTS.labels(tenant, kind, outcome).inc()
    IMPORT_ROWS.labels(tenant, kind).inc(rows)
    if errors:
        IMPORT_ERRORS.labels(tenant, kind).inc(errors)


def record_job(*, job: str, ok: bool, seconds: float) -> None:
    """For the worker: one call when a job run ends (`ok` False when it raised)."""
    JOB_RUNS.labels(job, "ok" if ok else "failed").inc()
    JOB_SECONDS.labels(job).observe(seconds)


def record_cycle(*, tenant: str, seconds: float, actions: Iterable[tuple[str, int]]) -> None:
    """One real (not dry) cycle run that committed: its time and the actions it planned per channel."""
    CYCLE_RUNS.labels(tenant).inc()
    CYCLE_SECONDS.labels(tenant).observe(seconds)
    for channel, count in actions:
        CYCLE_ACTIONS.labels(tenant, channel).inc(count)


def observe_http(*, method: str, route: str, status: int, seconds: float) -> None:
    HTTP_SECONDS.labels(method, route, str(status)).observe(seconds)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exposition(extra: Iterable[Collector] = ()) -> bytes:
    """The /metrics body: every process's counters (or this process's), then the `extra` collectors'."""
    if multiprocess_dir():
        counted = CollectorRegistry()
        MultiProcessCollector(counted)  # type: ignore[no-untyped-call]
    else:
        counted = REGISTRY
    scraped = CollectorRegistry(auto_describe=False)
    for collector in extra:
        scraped.register(collector)
    return generate_latest(counted) + generate_latest(scraped)
