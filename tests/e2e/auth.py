"""Users for end-to-end tests: the API and the pages require a principal since identity landed."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi.testclient import TestClient

from cobro.identity import service
from cobro.platform.container import Container

PASSWORD = "e2e-Password-2026"
ADMIN = "admin@example.com"


def add_user(container: Container, email: str = ADMIN, *, role: str = "admin",
             tenants: Iterable[str] = ("default",)) -> None:
    """A user with `role` in each of `tenants` (the first is their default)."""
    with container.uow() as uow:
        service.create_user(uow, email=email, password=PASSWORD)
        for i, tenant in enumerate(tenants):
            service.add_membership(uow, email=email, tenant=tenant, role=role, default=i == 0)
        uow.commit()


def bearer(client: TestClient, email: str = ADMIN) -> dict[str, str]:
    """Log in through the OAuth2 password flow; the Authorization header for the access token."""
    r = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}
