"""The procrastinate engine survives its database going away: when the worker stops on a connection error it is
logged, the error is written with the heartbeat, and the worker starts again (the app is faked here so the test
needs no database restart; two real procrastinate workers run in test_procrastinate.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cobro.jobs import engine, service
from cobro.jobs.domain import Schedule, Scope
from cobro.platform.container import Container
from tests.integration.jobs.helpers import UTC, Counting, MovingClock, registry_of


class FlakyApp:
    """Fails like psycopg does when PostgreSQL restarts under a running worker, then runs until stopped."""

    def __init__(self) -> None:
        self.runs = 0

    def open_async(self) -> Any:
        app = self

        class Opened:
            async def __aenter__(self) -> FlakyApp:
                return app

            async def __aexit__(self, *_: object) -> None:
                return None

        return Opened()

    async def cobro_defer_due(self) -> int:
        return 0

    async def run_worker_async(self, **options: object) -> None:
        self.runs += 1
        if self.runs == 1:
            raise ConnectionError("terminating connection due to administrator command")


def test_a_lost_connection_restarts_the_worker(container: Container, monkeypatch: pytest.MonkeyPatch,
                                               caplog: pytest.LogCaptureFixture) -> None:
    container.clock = MovingClock(dt.datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    app = FlakyApp()
    monkeypatch.setattr(engine, "ensure_schema", lambda c: False)
    monkeypatch.setattr(engine, "build_app", lambda *a, **k: app)
    registry = registry_of(("daily", Schedule.daily(dt.time(6, 0)), Counting(), Scope.TENANT))
    starts = engine.run_procrastinate(container, registry, restart_seconds=0.01)
    assert starts == 2 and app.runs == 2
    assert "procrastinate worker stopped on an error; starting again" in caplog.text
    with container.uow() as uow:
        (beat,) = service.status(uow, now=container.clock.now()).heartbeats
    assert beat.engine == "procrastinate" and beat.last_error == ""  # cleared once it ran again


def test_the_engine_url_is_libpq_s() -> None:
    assert engine.conninfo("postgresql+psycopg://u@h:5432/db") == "postgresql://u@h:5432/db"
    assert engine.conninfo("postgresql://u@h/db") == "postgresql://u@h/db"
