"""`GET /metrics`: Prometheus text, for a scraper, never for the public.

Who may scrape: with `COBRO_METRICS_TOKEN` set, a request with `Authorization: Bearer <token>`; without it, only a
client on loopback that did not come through a proxy (no X-Forwarded-For / Forwarded header), so a server behind
nginx never exposes its metrics by accident.  docs/operations.md lists every metric.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator

from fastapi import APIRouter, Request, Response
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from cobro.kernel.errors import AuthenticationError, PermissionDeniedError
from cobro.operations import service
from cobro.operations.schemas import QueueDepth, Snapshot
from cobro.platform.http.auth import public
from cobro.platform.http.deps import ContainerDep
from cobro.platform.metrics import CONTENT_TYPE, exposition

router = APIRouter(tags=["operations"])

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def may_scrape(request: Request, token: str) -> None:
    """Refuse a scrape that is not the configured scraper's (raises the CobroError the problem handler renders)."""
    if token:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise AuthenticationError("metrics: send Authorization: Bearer <COBRO_METRICS_TOKEN>")
        return
    host = request.client.host if request.client else ""
    if host not in LOOPBACK or any(h in request.headers for h in PROXY_HEADERS):
        raise PermissionDeniedError("metrics: only loopback may scrape without a token; set COBRO_METRICS_TOKEN "
                                    "to scrape from another host")


class SnapshotCollector:
    """The database's gauges as Prometheus families (one scrape's snapshot)."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap

    def collect(self) -> Iterator[Metric]:
        snap = self.snap
        up = GaugeMetricFamily("cobro_database_up", "1 when the scrape's database queries answered")
        up.add_metric([], 1.0 if snap.database_up else 0.0)
        yield up
        yield from _queue("cobro_outbox", "outbox messages", ("tenant", "channel", "status"), snap.outbox,
                          lambda q: [q.tenant, q.channel, q.status])
        yield from _queue("cobro_webhook", "webhook deliveries", ("tenant", "status"), snap.webhooks,
                          lambda q: [q.tenant, q.status])
        runs = GaugeMetricFamily("cobro_cycle_runs_recorded", "Finished real cycle runs in the database",
                                 labels=("tenant",))
        last = GaugeMetricFamily("cobro_cycle_last_duration_seconds", "The last finished cycle run's duration",
                                 labels=("tenant",))
        when = GaugeMetricFamily("cobro_cycle_last_finished_timestamp_seconds",
                                 "When the last cycle run finished (Unix time)", labels=("tenant",))
        actions = GaugeMetricFamily("cobro_cycle_last_actions", "Actions the last cycle run planned, by channel",
                                    labels=("tenant", "channel"))
        for c in snap.cycles:
            runs.add_metric([c.tenant], c.runs)
            last.add_metric([c.tenant], c.last_duration_seconds)
            when.add_metric([c.tenant], c.last_finished_epoch)
            for channel, n in c.last_actions:
                actions.add_metric([c.tenant, channel], n)
        yield from (runs, last, when, actions)
        jobs = GaugeMetricFamily("cobro_job_runs_last_day", "Job runs started in the last day, by job and status "
                                 "(done, running, failed: to be retried, gave_up)", labels=("job", "status"))
        for r in snap.job_runs:
            jobs.add_metric([r.job, r.status], r.count)
        beats = GaugeMetricFamily("cobro_worker_heartbeat_age_seconds", "Seconds since each worker's last heartbeat",
                                  labels=("worker", "engine"))
        for b in snap.heartbeats:
            beats.add_metric([b.worker, b.engine], b.age_seconds)
        yield from (jobs, beats)


def _queue(prefix: str, what: str, labels: tuple[str, ...], rows: tuple[QueueDepth, ...],
           values: Callable[[QueueDepth], list[str]]) -> Iterator[Metric]:
    depth = GaugeMetricFamily(f"{prefix}_depth", f"{what.capitalize()} waiting or given up, by status", labels=labels)
    age = GaugeMetricFamily(f"{prefix}_oldest_age_seconds", f"Age of the oldest of these {what}", labels=labels)
    retrying = GaugeMetricFamily(f"{prefix}_retrying", f"Of these {what}, those that failed at least once",
                                 labels=labels)
    for q in rows:
        depth.add_metric(values(q), q.count)
        age.add_metric(values(q), q.oldest_age_seconds)
        retrying.add_metric(values(q), q.retrying)
    yield from (depth, age, retrying)


@router.get("/metrics", include_in_schema=False)
@public
def metrics(request: Request, container: ContainerDep) -> Response:
    may_scrape(request, container.settings.metrics_token.get_secret_value())
    with container.sessions() as session:
        snap = service.snapshot(session, now=container.clock.now())
    return Response(exposition([SnapshotCollector(snap)]), media_type=CONTENT_TYPE)
