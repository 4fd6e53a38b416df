"""Authentication and permissions over HTTP, generated from the app's routes (a new route is covered without
editing this file), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.routing import RouteContext, iter_route_contexts
from fastapi.testclient import TestClient

from cobro.identity import service
from cobro.identity.domain import Role, allows
from cobro.platform.container import Container
from cobro.platform.http.auth import Require, get_tenant, is_public
from cobro.platform.tenants import resolve_tenant
from tests.apps import app_for

PASSWORD = "Sunny-harbour-2026"
# answer without credentials: health, logging in, and the API's documentation pages (no data; like the OpenAPI
# document they read, which is not a route with dependencies)
PUBLIC = {("GET", "/api/health"), ("GET", "/api/ready"), ("POST", "/api/v1/auth/token"),
          ("POST", "/api/v1/auth/refresh"),
          ("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("GET", "/api/docs"), ("GET", "/api/redoc"),
          ("GET", "/metrics")}  # /metrics checks its own scrape token or a loopback client (tests/integration/operations)
ANY_PRINCIPAL = {("GET", "/api/v1/me"), ("POST", "/api/v1/auth/logout")}  # need a login, no permission


@pytest.fixture
def app(container: Container) -> FastAPI:
    with container.uow() as uow:
        resolve_tenant(uow.session, "other", create=True)
        for role in Role:
            email = f"{role}@example.com"
            service.create_user(uow, email=email, password=PASSWORD)
            service.add_membership(uow, email=email, tenant="default", role=role)
        uow.commit()
    return app_for(container)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def login(client: TestClient, email: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def routes(app: FastAPI) -> list[tuple[str, str, RouteContext]]:
    """(method, path with sample path parameters, route) of every API route and page: FastAPI's own walk of the
    routers the app includes, with the dependencies each route really runs (the app's, its routers', its own)."""
    found = []
    for route in iter_route_contexts(app.routes):
        if getattr(route, "dependant", None) is None or not route.path:  # the OpenAPI document, static files
            continue
        path = re.sub(r"\{[^}]+\}", "C001", route.path)
        found += [(method, path, route) for method in sorted(route.methods or ())]
    return found


def _calls(route: RouteContext) -> list[object]:
    stack, calls = list(route.dependant.dependencies), []
    while stack:
        dep = stack.pop()
        calls.append(dep.call)
        stack += dep.dependencies
    return calls


def permissions_of(route: RouteContext) -> list[str]:
    """Every permission the route requires (a router's and the route's own)."""
    return [c.permission for c in _calls(route) if isinstance(c, Require)]


def test_every_route_but_the_public_ones_answers_401(app: FastAPI, client: TestClient) -> None:
    public = {(m, r.path) for m, _, r in routes(app) if is_public(r.endpoint)}
    assert public == PUBLIC
    checked = 0
    for method, path, route in routes(app):
        if (method, route.path) in PUBLIC:
            continue
        for headers in ({}, {"Authorization": "Bearer not.a.token"}, {"X-Api-Key": "cobro_12345678_nope"},
                        {"Cookie": "cobro_session=forged"}):
            r = client.request(method, path, headers=headers, follow_redirects=False)
            if method == "GET" and not path.startswith(("/api", "/metrics")):  # a page: sent to the login
                assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), (path, headers)
                continue
            assert r.status_code == 401, (method, path, headers, r.status_code)
        if path.startswith("/api"):
            assert r.headers["content-type"].startswith("application/problem+json")
        checked += 1
    assert checked >= 10
    assert client.get("/api/health").status_code == 200


def test_every_route_names_its_permission(app: FastAPI) -> None:
    missing = [(m, r.path) for m, _, r in routes(app)
               if not is_public(r.endpoint) and (m, r.path) not in ANY_PRINCIPAL and not permissions_of(r)]
    assert missing == [], "give these routes dependencies=[require(...)]"


def test_every_role_against_every_route(app: FastAPI, client: TestClient) -> None:
    tried = 0
    for role in Role:
        headers = login(client, f"{role}@example.com")
        for method, path, route in routes(app):
            needed = permissions_of(route)
            if not needed:
                continue
            r = client.request(method, path, headers=headers)
            allowed = all(allows(role, p) for p in needed)
            assert (r.status_code == 403) == (not allowed), (role, method, path, needed, r.status_code)
            tried += 1
    assert tried >= 5 * 8


def test_a_tenant_the_user_does_not_belong_to_is_not_found(app: FastAPI, client: TestClient) -> None:
    headers = login(client, "admin@example.com")
    tenant_routes = [(m, p) for m, p, r in routes(app) if get_tenant in _calls(r)]
    assert len(tenant_routes) >= 8
    for method, path in tenant_routes:
        for tenant in ("other", "ghost"):  # exists but not theirs; does not exist: the same answer
            r = client.request(method, path, headers={**headers, "X-Cobro-Tenant": tenant})
            assert r.status_code == 404, (method, path, tenant, r.status_code)
            assert "does not exist" in r.text and tenant in r.text
    assert client.get("/api/v1/me", headers=headers).json()["tenant"] == "default"


def test_a_user_of_two_tenants_picks_one_with_the_header(container: Container, client: TestClient) -> None:
    with container.uow() as uow:
        service.add_membership(uow, email="sales@example.com", tenant="other", role="collector")
        uow.commit()
    headers = login(client, "sales@example.com")
    me = client.get("/api/v1/me", headers=headers).json()
    assert (me["tenant"], me["role"]) == ("default", "sales")
    me = client.get("/api/v1/me", headers={**headers, "X-Cobro-Tenant": "other"}).json()
    assert (me["tenant"], me["role"]) == ("other", "collector")
    assert client.get("/worklist", headers=headers).status_code == 403  # sales in default
    assert client.get("/worklist", headers={**headers, "X-Cobro-Tenant": "other"}).status_code == 200


def test_an_api_key_of_one_tenant_cannot_reach_another(container: Container, client: TestClient) -> None:
    with container.uow("default") as uow:
        issued = service.create_api_key(uow, name="ERP", role="auditor", created_by="test")
        uow.commit()
    for headers in ({"X-Api-Key": issued.secret}, {"Authorization": f"Bearer {issued.secret}"}):
        assert client.get("/api/customers", headers=headers).status_code == 200
        me = client.get("/api/v1/me", headers=headers).json()
        assert (me["kind"], me["name"], me["tenant"], me["role"]) == ("apikey", "ERP", "default", "auditor")
        r = client.get("/api/customers", headers={**headers, "X-Cobro-Tenant": "other"})
        assert r.status_code == 404
        assert client.get("/worklist", headers=headers).status_code == 403  # auditor
    with container.uow("default") as uow:
        service.revoke_api_key(uow, prefix=issued.key.prefix, now=container.clock.now())
        uow.commit()
    assert client.get("/api/customers", headers={"X-Api-Key": issued.secret}).status_code == 401


def test_token_refresh_logout_and_throttling(client: TestClient) -> None:
    r = client.post("/api/v1/auth/token", data={"username": "collector@example.com", "password": PASSWORD})
    pair = r.json()
    assert (pair["token_type"], pair["expires_in"]) == ("bearer", 900)
    renewed = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert renewed.status_code == 200 and renewed.json()["access_token"] != pair["access_token"]
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401
    fresh = login(client, "collector@example.com")
    r = client.post("/api/v1/auth/token", data={"username": "collector@example.com", "password": PASSWORD})
    assert client.post("/api/v1/auth/logout", json={"refresh_token": r.json()["refresh_token"]},
                       headers=fresh).status_code == 204
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": r.json()["refresh_token"]}).status_code == 401
    for _ in range(service.ACCOUNT_FAILURES):
        bad = client.post("/api/v1/auth/token", data={"username": "auditor@example.com", "password": "nope"})
        assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"
    locked = client.post("/api/v1/auth/token", data={"username": "auditor@example.com", "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert "try again" in locked.json()["detail"]


def test_dashboard_login_with_a_session_cookie(client: TestClient) -> None:
    page = client.get("/", follow_redirects=False)  # an anonymous page request is sent to the login
    assert page.status_code == 303 and page.headers["location"] == "/login?next=%2F"
    assert 'name="password"' in client.get("/login").text
    wrong = client.post("/login", data={"username": "admin@example.com", "password": "nope", "next": "/customers"})
    assert wrong.status_code == 401 and "Wrong e-mail or password." in wrong.text
    ok = client.post("/login", data={"username": "admin@example.com", "password": PASSWORD, "next": "/customers"},
                     follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/customers"
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie  # loopback: no TLS
    html = client.get("/customers").text
    token = html.split('<meta name="csrf-token" content="', 1)[1].split('"', 1)[0]
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/customers", follow_redirects=False).headers["location"] == "/login?next=%2Fcustomers"
    elsewhere = client.post("/login", data={"username": "admin@example.com", "password": PASSWORD,
                                            "next": "//evil.example.com/"}, follow_redirects=False)
    assert elsewhere.headers["location"] == "/"


def test_the_session_cookie_is_secure_off_loopback(app: FastAPI) -> None:
    with TestClient(app, base_url="http://cobro.example.com") as remote:
        ok = remote.post("/login", data={"username": "admin@example.com", "password": PASSWORD},
                         follow_redirects=False)
    assert ok.status_code == 303 and "secure" in ok.headers["set-cookie"].lower()
