"""Security headers, the body limit, CORS and the local API docs over the small ledger (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from cobro.app.http import create_app
from cobro.platform.container import Container
from cobro.platform.http.errors import install_error_handlers
from cobro.platform.http.security import (
    CONTENT_SECURITY_POLICY,
    DOCS_CONTENT_SECURITY_POLICY,
    install_security,
)

EN = {"Accept-Language": "en"}
# API answers, pages, fragments, static files, the docs, and errors of every kind (problem JSON and HTML)
RESPONSES = (
    ("/api/health", 200), ("/api/customers", 200), ("/api/customers/C001", 200), ("/api/reports/ageing", 200),
    ("/", 200), ("/customers", 200), ("/customers/C001", 200), ("/fragments/search?q=C0", 200),
    ("/fragments/customers", 200), ("/static/app.js", 200), ("/api/docs", 200), ("/api/redoc", 200),
    ("/api/customers/NOPE", 404), ("/customers/NOPE", 404), ("/nowhere", 404),
    ("/api/reports/ageing?buckets=x", 422), ("/customers?page=0", 422),
)
PAGES = ("/", "/customers", "/customers/C001", "/customers/C002", "/fragments/search?q=C0", "/fragments/customers",
         "/customers/NOPE")


def directives(policy: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


@pytest.mark.parametrize(("path", "status"), RESPONSES)
def test_every_response_carries_the_security_headers(client: TestClient, path: str, status: int) -> None:
    r = client.get(path, headers=EN)
    assert r.status_code == status, r.text[:200]
    h = r.headers
    assert h["X-Frame-Options"] == "DENY"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    assert "camera=()" in h["Permissions-Policy"] and "geolocation=()" in h["Permissions-Policy"]
    csp = directives(h["Content-Security-Policy"])
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert "Strict-Transport-Security" not in h  # plain HTTP: no promise of TLS


def test_the_script_policy_allows_no_inline_script_and_no_eval() -> None:
    for policy in (CONTENT_SECURITY_POLICY, DOCS_CONTENT_SECURITY_POLICY):
        csp = directives(policy)
        assert csp["script-src"] == ["'self'"]
        assert csp["default-src"] == ["'self'"]
        assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    # outside the docs pages not even a <style> element may be injected; style attributes only
    assert directives(CONTENT_SECURITY_POLICY)["style-src"] == ["'self'"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_hold_no_inline_script_or_handler(client: TestClient, path: str) -> None:
    html = client.get(path, headers=EN).text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S | re.I)
    assert scripts or path.startswith("/fragments") or path == "/customers/NOPE"
    for attrs, body in scripts:
        assert 'src="/static/' in attrs and not body.strip(), attrs
    assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), "inline event handler"
    assert "javascript:" not in html.lower()


def test_worklist_autosubmit_is_a_data_attribute(client: TestClient) -> None:
    r = client.get("/worklist", headers=EN)
    if r.status_code == 404:  # the collections tables are optional
        pytest.skip("no worklist without the collections feature")
    assert "data-autosubmit" in r.text and "onchange" not in r.text
    assert client.get("/static/forms.js").status_code == 200


@pytest.mark.parametrize("path", ["/api/docs", "/api/redoc"])
def test_docs_load_only_local_assets(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "://" not in r.text, "the docs page names an external host"
    assets = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert assets and all(a.startswith("/static/") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "/api/v1/openapi.json" in r.text
    assert directives(r.headers["Content-Security-Policy"])["script-src"] == ["'self'"]


def test_hsts_over_tls(app: FastAPI) -> None:
    with TestClient(app, base_url="https://testserver") as tls:
        for path in ("/api/health", "/", "/api/customers/NOPE"):
            assert tls.get(path).headers["Strict-Transport-Security"].startswith("max-age=31536000"), path


def _chunks(total: int, size: int = 256) -> Iterator[bytes]:
    for _ in range(total // size):
        yield b"x" * size


def test_a_declared_oversize_body_is_a_413_problem(ledger_container: Container) -> None:
    settings = ledger_container.settings.model_copy(update={"max_request_bytes": 1024})
    with TestClient(create_app(settings, container=ledger_container)) as c:
        for path in ("/api/customers", "/customers", "/api/nowhere"):  # refused before routing or authentication
            r = c.post(path, content=b"x" * 1025)
            assert r.status_code == 413, path
            assert r.headers["content-type"].startswith("application/problem+json")
            body = r.json()
            assert body["status"] == 413 and body["title"] == "Payload too large"
            assert "1024 bytes" in body["detail"] and body["instance"] == path
            assert r.headers["X-Frame-Options"] == "DENY"


def test_a_chunked_oversize_body_is_a_413_problem(ledger_container: Container) -> None:
    # a route that reads its body, on an app with only the security layer (the API has no POST route yet)
    app = FastAPI()

    @app.post("/api/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    install_error_handlers(app)
    install_security(app, ledger_container.settings.model_copy(update={"max_request_bytes": 1024}))
    with TestClient(app) as c:
        assert c.post("/api/echo", content=b"x" * 1024).json() == {"bytes": 1024}
        assert c.post("/api/echo", content=_chunks(1024)).json() == {"bytes": 1024}
        for body in (_chunks(4096), _chunks(1280)):  # no Content-Length: counted as it arrives
            r = c.post("/api/echo", content=body)
            assert r.status_code == 413 and r.json()["title"] == "Payload too large"
            assert r.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_cors_is_off_by_default(client: TestClient) -> None:
    r = client.get("/api/customers", headers={"Origin": "https://evil.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    pre = client.options("/api/customers", headers={"Origin": "https://evil.example",
                                                    "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in pre.headers


def test_cors_allows_only_listed_origins(ledger_container: Container) -> None:
    settings = ledger_container.settings.model_copy(update={"cors_origins": ["https://erp.example/"]})
    with TestClient(create_app(settings, container=ledger_container)) as c:
        ok = c.get("/api/customers", headers={"Origin": "https://erp.example"})
        assert ok.headers["access-control-allow-origin"] == "https://erp.example"
        pre = c.options("/api/customers", headers={"Origin": "https://erp.example",
                                                   "Access-Control-Request-Method": "GET",
                                                   "Access-Control-Request-Headers": "X-Cobro-Tenant"})
        assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "https://erp.example"
        assert pre.headers["X-Frame-Options"] == "DENY"  # the preflight answer carries the headers too
        other = c.get("/api/customers", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_anonymous_answers_carry_the_headers_and_the_docs_are_public(app: FastAPI) -> None:
    with TestClient(app) as anonymous:  # no credentials
        refused = anonymous.get("/api/customers")
        assert refused.status_code == 401 and refused.headers["X-Frame-Options"] == "DENY"
        assert "'unsafe-inline'" not in directives(refused.headers["Content-Security-Policy"])["script-src"]
        for path in ("/api/docs", "/api/redoc", "/api/v1/openapi.json", "/api/openapi.json"):  # they hold no data
            assert anonymous.get(path).status_code == 200, path
