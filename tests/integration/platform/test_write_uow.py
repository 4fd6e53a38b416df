"""A route that changes state commits when it returns and writes nothing when it fails; the change is recorded
with the authenticated actor; an Idempotency-Key retry on the real app does not act twice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from cobro.app.http import create_app
from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.kernel.errors import InvalidInputError
from cobro.platform.container import Container
from cobro.platform.http.deps import WriteUowDep
from tests.e2e.auth import add_user, bearer

router = APIRouter(prefix="/api/v1/test-writes")


@router.post("/{outcome}", status_code=201)
def write(outcome: str, uow: WriteUowDep) -> dict[str, str]:
    audit.record(uow, Change("probe", outcome, "write"))
    if outcome == "fail":
        raise InvalidInputError("outcome: this one fails after writing")
    return {"written": outcome}


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    app: FastAPI = create_app(container=container)
    app.include_router(router)
    add_user(container)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        c.headers.update(bearer(c))
        yield c


def _entries(container: Container) -> list[tuple[str, str, str]]:
    with container.uow() as uow:
        # only the probe's entries: creating the test user is audited too
        return [(e.entity_id, e.actor_kind, e.actor_name) for e in audit.history(uow) if e.entity == "probe"]


def test_a_write_commits_with_the_actor_and_a_failure_writes_nothing(container: Container,
                                                                     client: TestClient) -> None:
    assert client.post("/api/v1/test-writes/ok").status_code == 201
    failed = client.post("/api/v1/test-writes/fail")
    assert failed.status_code == 422 and failed.headers["content-type"].startswith("application/problem+json")
    assert _entries(container) == [("ok", "user", "admin@example.com")]


def test_an_idempotent_retry_does_not_write_twice(container: Container, client: TestClient) -> None:
    key = {"Idempotency-Key": "3f0c2a4e-retry"}
    first = client.post("/api/v1/test-writes/once", headers=key)
    again = client.post("/api/v1/test-writes/once", headers=key)
    assert first.status_code == again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
    assert _entries(container) == [("once", "user", "admin@example.com")]
