"""Rate limits per credential, per address and on the login routes: a 429 problem with Retry-After, other budgets
untouched, health and static files never limited."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cobro.app.http import create_app
from cobro.platform.container import Container
from cobro.platform.http.ratelimit import Budgets
from cobro.platform.settings import Settings
from tests.e2e.auth import ADMIN, PASSWORD, add_user, bearer


def limited_app(container: Container, **limits: str) -> TestClient:
    settings = container.settings.model_copy(update={
        "rate_limit_per_credential": "", "rate_limit_per_address": "", "rate_limit_login": "", **limits})
    return TestClient(create_app(settings, container=container))


def test_a_credential_over_its_budget_gets_429_and_another_does_not(ledger_container: Container) -> None:
    add_user(ledger_container)
    add_user(ledger_container, "second@example.com")
    with limited_app(ledger_container, rate_limit_per_credential="5/minute") as c:
        first, second = bearer(c), bearer(c, "second@example.com")
        answers = [c.get("/api/customers", headers=first).status_code for _ in range(6)]
        assert answers == [200] * 5 + [429]
        refused = c.get("/api/customers", headers=first)
        assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.json()["status"] == 429 and "try again in" in refused.json()["detail"]
        assert refused.headers["X-Frame-Options"] == "DENY"  # the security headers are on it too
        assert c.get("/api/customers", headers=second).status_code == 200
        assert c.get("/api/health").status_code == 200  # never limited


def test_one_address_is_limited_with_or_without_credentials(ledger_container: Container) -> None:
    with limited_app(ledger_container, rate_limit_per_address="4/minute") as c:
        assert [c.get("/api/customers").status_code for _ in range(5)] == [401] * 4 + [429]
        assert c.get("/static/app.css").status_code == 200
        assert c.get("/api/health").status_code == 200


def test_the_login_routes_have_their_own_small_budget(ledger_container: Container) -> None:
    add_user(ledger_container)
    with limited_app(ledger_container, rate_limit_login="3/minute") as c:
        wrong = {"username": ADMIN, "password": "not-it"}
        assert [c.post("/api/v1/auth/token", data=wrong).status_code for _ in range(3)] == [401] * 3
        assert c.post("/api/v1/auth/token", data={"username": ADMIN, "password": PASSWORD}).status_code == 429
        assert c.get("/api/health").status_code == 200


def test_a_budget_that_is_not_a_rate_is_refused_naming_the_setting() -> None:
    with pytest.raises(ValueError, match="COBRO_RATE_LIMIT_PER_ADDRESS"):
        Budgets.from_settings(Settings(rate_limit_per_address="lots"))
    assert Budgets.from_settings(Settings(rate_limit_login="")).login is None
