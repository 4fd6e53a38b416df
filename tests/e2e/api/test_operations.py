"""/metrics (who may scrape it, what it reports from the database and the process), request ids and JSON logs,
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from cobro.app.http import create_app
from cobro.platform.container import Container, build
from cobro.platform.logs import configure_logging
from cobro.platform.settings import Settings
from cobro.webhooks import service as webhooks
from tests.e2e.auth import add_user, bearer

TOKEN = "scrape-token-for-tests-0123456789abcdef"
NOW = dt.datetime(2025, 6, 30, 12, tzinfo=dt.UTC)


def samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


@pytest.fixture
def token_app(ledger_container: Container) -> Iterator[Container]:
    """The ledger's database, with a scrape token configured."""
    container = build(Settings(database_url=ledger_container.settings.database_url, metrics_token=TOKEN),
                      clock=ledger_container.clock)
    yield container
    container.close()


def test_only_the_token_or_loopback_may_scrape(token_app: Container, ledger_container: Container) -> None:
    with TestClient(create_app(container=token_app)) as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        r = c.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    untokened = create_app(container=ledger_container)
    with TestClient(untokened) as c:  # the test client's address is not loopback
        assert c.get("/metrics").status_code == 403
    with TestClient(untokened, client=("127.0.0.1", 40000)) as c:
        assert c.get("/metrics").status_code == 200
        # through a reverse proxy the peer is loopback too: a forwarded request is not a local one
        assert c.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403


def test_metrics_report_queues_cycles_and_latency(token_app: Container) -> None:
    hour_ago, day_ago = NOW - dt.timedelta(hours=1), NOW - dt.timedelta(days=1)
    with token_app.sessions.begin() as s:
        tenant = s.execute(text("SELECT id FROM tenants WHERE code = 'default'")).scalar_one()
        for key, channel, status, attempts, created in (("k1", "email", "pending", 0, hour_ago),
                                                        ("k2", "email", "pending", 2, day_ago),
                                                        ("k3", "sms", "dead", 8, day_ago),
                                                        ("k4", "email", "sent", 1, day_ago)):
            s.execute(text("INSERT INTO outbox_messages (tenant_id, channel, recipient, recipient_name, language, "
                           "template, tone, context_json, idempotency_key, status, attempts, created_at) VALUES "
                           "(:t, :c, 'maria@pena.example', '', 'es', 'reminder_1', '', '{}', :k, :st, :a, :at)"),
                      {"t": tenant, "c": channel, "k": key, "st": status, "a": attempts, "at": created})
        s.execute(text("INSERT INTO cycle_runs (tenant_id, as_of, dry_run, started_at, finished_at, counts_json) "
                       "VALUES (:t, :d, :dry, :s, :f, :c)"),
                  [{"t": tenant, "d": dt.date(2025, 6, 29), "dry": False, "s": day_ago, "f": day_ago + dt.timedelta(
                      seconds=5), "c": "{}"},
                   {"t": tenant, "d": dt.date(2025, 6, 30), "dry": False, "s": hour_ago,
                    "f": hour_ago + dt.timedelta(seconds=42.5),
                    "c": json.dumps({"planned": 3, "channel.email": 2, "channel.call": 1})},
                   {"t": tenant, "d": dt.date(2025, 6, 30), "dry": True, "s": hour_ago, "f": hour_ago, "c": "{}"}])
        for job, status, started in (("cycle", "failed", hour_ago), ("cycle", "done", hour_ago - dt.timedelta(hours=1)),
                                     ("cycle", "done", NOW - dt.timedelta(days=2)), ("deliver", "running", hour_ago)):
            s.execute(text("INSERT INTO job_runs (job, tenant, scheduled_for, status, attempts, worker, started_at, "
                           "summary, error) VALUES (:j, 'default', :s, :st, 1, 'w1', :s, '', '')"),
                      {"j": job, "s": started, "st": status})
        s.execute(text("INSERT INTO worker_heartbeats (worker, engine, started_at, beat_at, passes, last_error) "
                       "VALUES ('host:1:x', 'inline', :a, :b, 3, '')"), {"a": day_ago, "b": NOW - dt.timedelta(seconds=30)})
    with token_app.uow("default") as uow:
        webhooks.subscribe(uow, url="https://hooks.example.com/cobro", events=["*"])
        webhooks.emit(uow, "dispute.opened", entity="dispute:1", data={"id": 1})
        uow.commit()

    with TestClient(create_app(container=token_app)) as c:
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/v1/customers/C001").status_code == 401  # a route with a parameter, by its template
        body = c.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    got = samples(body)
    d = ("tenant", "default")
    assert got[("cobro_database_up", ())] == 1
    assert got[("cobro_outbox_depth", (("channel", "email"), ("status", "pending"), d))] == 2
    assert got[("cobro_outbox_retrying", (("channel", "email"), ("status", "pending"), d))] == 1
    assert got[("cobro_outbox_depth", (("channel", "sms"), ("status", "dead"), d))] == 1
    assert not any(k[0] == "cobro_outbox_depth" and ("status", "sent") in k[1] for k in got)
    age = got[("cobro_outbox_oldest_age_seconds", (("channel", "email"), ("status", "pending"), d))]
    assert 86400 <= age < 86400 + 600  # the clock is fixed at NOW; the oldest pending email is a day old
    assert got[("cobro_webhook_depth", (("status", "pending"), d))] == 1
    assert got[("cobro_cycle_runs_recorded", (d,))] == 2  # the dry run does not count
    assert got[("cobro_cycle_last_duration_seconds", (d,))] == pytest.approx(42.5)
    assert got[("cobro_cycle_last_actions", (("channel", "email"), d))] == 2
    assert got[("cobro_cycle_last_finished_timestamp_seconds", (d,))] == pytest.approx(
        (hour_ago + dt.timedelta(seconds=42.5)).timestamp())
    assert got[("cobro_job_runs_last_day", (("job", "cycle"), ("status", "failed")))] == 1
    assert got[("cobro_job_runs_last_day", (("job", "cycle"), ("status", "done")))] == 1  # not the one 2 days old
    assert got[("cobro_worker_heartbeat_age_seconds", (("engine", "inline"), ("worker", "host:1:x")))] == 30
    health = [v for (name, labels), v in got.items() if name == "cobro_http_request_duration_seconds_count"
              and ("route", "/api/health") in labels and ("status", "200") in labels]
    assert health and health[0] >= 1
    assert any(("route", "/api/v1/customers/{code}") in labels for (name, labels) in got
               if name == "cobro_http_request_duration_seconds_count")
    assert not any(("route", "/api/v1/customers/C001") in labels for (_, labels) in got)


def test_request_ids_and_json_logs(ledger_container: Container) -> None:
    add_user(ledger_container, tenants=("default", "other"))
    out = io.StringIO()
    with TestClient(create_app(container=ledger_container)) as c:
        configure_logging("json", "INFO", stream=out)  # after create_app, which configured its own
        try:
            auth = bearer(c)
            r = c.get("/api/ledger/summary", headers={**auth, "X-Request-ID": "ops-test-42", "X-Cobro-Tenant": "other"})
            assert r.status_code == 200 and r.headers["x-request-id"] == "ops-test-42"
            fresh = c.get("/api/health", headers={"X-Request-ID": "not ok <script>"}).headers["x-request-id"]
            assert len(fresh) == 32 and all(ch in "0123456789abcdef" for ch in fresh)
            logging.getLogger("cobro.test").warning("plain stdlib line", extra={"detail": 7})
        finally:  # back to no configuration, as the other tests expect
            root = logging.getLogger()
            for handler in [h for h in root.handlers if h.get_name() == "cobro"]:
                root.removeHandler(handler)
            root.setLevel(logging.WARNING)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    access = [x for x in lines if x.get("event") == "request" and x.get("request_id") == "ops-test-42"]
    assert len(access) == 1
    assert access[0]["route"] == "/api/ledger/summary" and access[0]["status"] == 200
    assert access[0]["tenant"] == "other" and access[0]["level"] == "info" and access[0]["timestamp"].endswith("Z")
    assert any(x.get("request_id") == fresh and x.get("route") == "/api/health" for x in lines)
    stdlib = [x for x in lines if x.get("event") == "plain stdlib line"]
    assert stdlib and stdlib[0]["logger"] == "cobro.test" and stdlib[0]["detail"] == 7
