"""`/api/ready`: 200 with a fresh worker heartbeat, 503 when no worker ever ran and when the heartbeat stops;
`/api/health` (liveness) stays 200 throughout."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from cobro.app.http import create_app
from cobro.jobs import service
from cobro.jobs.runner import Heart
from cobro.platform.container import Container
from tests.integration.jobs.helpers import UTC, MovingClock

NOW = dt.datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_ready_follows_the_worker_heartbeat(container: Container) -> None:
    clock = container.clock = MovingClock(NOW)
    with TestClient(create_app(container=container), base_url="http://127.0.0.1") as client:
        never = client.get("/api/ready")
        assert never.status_code == 503
        assert never.json()["worker"] == "no worker has ever run (start `cobro worker`)"
        assert never.json()["database"] == "ok" and never.json()["migrations"] == "ok"

        heart = Heart(container, "w1", "inline")
        assert heart.beat()
        fresh = client.get("/api/ready")
        assert fresh.status_code == 200 and fresh.json()["status"] == "ready"
        assert fresh.json()["worker"].startswith("worker w1 beat 0s ago")

        clock.move(seconds=container.settings.worker_heartbeat_max_age_seconds + 1)  # the worker stopped
        stale = client.get("/api/ready")
        assert stale.status_code == 503 and stale.json()["status"] == "not ready"
        assert "heartbeat is 121s old" in stale.json()["worker"]
        assert client.get("/api/health").status_code == 200

        heart.beat()  # it came back
        assert client.get("/api/ready").status_code == 200


def test_ready_without_the_worker_check(container: Container) -> None:
    container.settings = container.settings.model_copy(update={"worker_heartbeat_max_age_seconds": 0})
    with TestClient(create_app(container=container), base_url="http://127.0.0.1") as client:
        answer = client.get("/api/ready")
    assert answer.status_code == 200 and answer.json()["worker"].startswith("not checked")


def test_old_heartbeats_are_forgotten(container: Container) -> None:
    with container.uow() as uow:
        service.beat(uow, worker="old", engine="inline", started_at=NOW, now=NOW)
        service.beat(uow, worker="new", engine="inline", started_at=NOW, now=NOW + dt.timedelta(days=8))
        assert service.forget_workers(uow, now=NOW + dt.timedelta(days=8), older_than_seconds=7 * 86400) == 1
        assert [h.worker for h in service.status(uow, now=NOW).heartbeats] == ["new"]
        uow.commit()
