"""Idempotency-Key on POST: a retry replays the first response without acting twice; the same key with another
body is refused; a key in flight answers 409; a server error releases the key; keys are scoped to the caller."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from cobro.platform.container import Container
from cobro.platform.http.idempotency import IdempotencyMiddleware
from cobro.platform.idempotency import Claim, IdempotencyStore, Stored


def _app(container: Container) -> tuple[FastAPI, list[dict[str, object]]]:
    calls: list[dict[str, object]] = []
    app = FastAPI()
    app.state.container = container

    @app.post("/api/v1/things")
    async def create(request: Request) -> JSONResponse:
        payload = await request.json()
        calls.append(payload)
        if payload.get("explode"):
            return JSONResponse({"detail": "boom"}, status_code=500)
        return JSONResponse({"id": len(calls), **payload}, status_code=201, headers={"Location": f"/x/{len(calls)}"})

    app.add_middleware(IdempotencyMiddleware)
    return app, calls


def test_a_retry_replays_the_first_response(container: Container) -> None:
    app, calls = _app(container)
    client = TestClient(app)
    first = client.post("/api/v1/things", json={"name": "ACME"}, headers={"Idempotency-Key": "k-1"})
    again = client.post("/api/v1/things", json={"name": "ACME"}, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() == {"id": 1, "name": "ACME"}
    assert again.headers["location"] == "/x/1" and again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(calls) == 1


def test_the_same_key_with_another_body_is_refused(container: Container) -> None:
    app, calls = _app(container)
    client = TestClient(app)
    client.post("/api/v1/things", json={"name": "ACME"}, headers={"Idempotency-Key": "k-2"})
    other = client.post("/api/v1/things", json={"name": "OTHER"}, headers={"Idempotency-Key": "k-2"})
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert len(calls) == 1


def test_without_a_key_every_post_acts(container: Container) -> None:
    app, calls = _app(container)
    client = TestClient(app)
    client.post("/api/v1/things", json={"name": "A"})
    client.post("/api/v1/things", json={"name": "A"})
    assert len(calls) == 2


def test_a_server_error_releases_the_key(container: Container) -> None:
    app, calls = _app(container)
    client = TestClient(app)
    failed = client.post("/api/v1/things", json={"explode": True}, headers={"Idempotency-Key": "k-3"})
    retried = client.post("/api/v1/things", json={"explode": True}, headers={"Idempotency-Key": "k-3"})
    assert failed.status_code == retried.status_code == 500
    assert len(calls) == 2


def test_keys_are_scoped_to_the_caller(container: Container) -> None:
    app, calls = _app(container)
    client = TestClient(app)
    a = client.post("/api/v1/things", json={"n": 1}, headers={"Idempotency-Key": "same", "Authorization": "Bearer a"})
    b = client.post("/api/v1/things", json={"n": 1}, headers={"Idempotency-Key": "same", "Authorization": "Bearer b"})
    assert a.json()["id"] == 1 and b.json()["id"] == 2 and "idempotent-replayed" not in b.headers
    assert len(calls) == 2


@pytest.mark.parametrize("key", [b"", b"x" * 256, "clé".encode("latin-1"), b"a\tb"])
def test_malformed_keys_are_refused(container: Container, key: bytes) -> None:
    app, calls = _app(container)
    response = TestClient(app).post("/api/v1/things", json={}, headers={b"Idempotency-Key": key})
    assert response.status_code == 400 and calls == []


def test_concurrent_claims_let_exactly_one_run(container: Container) -> None:
    store = IdempotencyStore(container.engine)
    now = dt.datetime.now(dt.UTC)
    results: list[Claim] = []
    barrier = threading.Barrier(4)

    def claim() -> None:
        barrier.wait()
        results.append(store.claim("scope", "k", "h", now).claim)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == sorted([Claim.NEW, Claim.IN_PROGRESS, Claim.IN_PROGRESS, Claim.IN_PROGRESS])
    store.complete("scope", "k", Stored(201, [("content-type", "application/json")], b"{}"))
    assert store.claim("scope", "k", "h", now).claim is Claim.REPLAY


def test_expired_keys_are_new_again(container: Container) -> None:
    store = IdempotencyStore(container.engine, ttl=dt.timedelta(hours=1))
    then = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert store.claim("s", "k", "h", then).claim is Claim.NEW
    store.complete("s", "k", Stored(200, [], b"old"))
    assert store.claim("s", "k", "other", then + dt.timedelta(hours=2)).claim is Claim.NEW
    assert store.purge(then + dt.timedelta(hours=5)) == 1
