"""End-to-end fixtures: the small ledger imported into the parametrized database (SQLite and PostgreSQL), an app
built on it with a fixed clock, and a TestClient logged in as an admin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cobro.kernel.clock import FixedClock
from cobro.platform.container import Container, build
from cobro.platform.settings import Settings
from tests.apps import app_for
from tests.e2e.auth import add_user, bearer
from tests.e2e.ledger import AS_OF, seed


@pytest.fixture
def ledger_container(db_url: str, tmp_path: Path) -> Iterator[Container]:
    container = build(Settings(database_url=db_url),
                      clock=FixedClock(dt.datetime.combine(AS_OF, dt.time(12), tzinfo=dt.UTC)))
    seed(container, tmp_path)
    yield container
    container.close()


@pytest.fixture
def app(ledger_container: Container) -> FastAPI:
    return app_for(ledger_container)


@pytest.fixture
def client(app: FastAPI, ledger_container: Container) -> Iterator[TestClient]:
    """A client logged in as an admin of both tenants of the small ledger (`default` and `other`)."""
    add_user(ledger_container, tenants=("default", "other"))
    with TestClient(app) as c:
        c.headers.update(bearer(c))
        yield c
