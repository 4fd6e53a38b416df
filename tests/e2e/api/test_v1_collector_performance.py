"""/api/v1/collector-performance and /api/v1/collector-targets on the small ledger (SQLite and PostgreSQL)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cobro.platform.container import Container
from tests.e2e.auth import add_user, bearer


def test_collector_targets_and_performance(client: TestClient, ledger_container: Container) -> None:
    body = {"collector": "carla", "period": "2025-06", "amount": "1500.00", "currency": "EUR"}
    add_user(ledger_container, "col@example.com", role="collector")
    collector = bearer(client, "col@example.com")
    assert client.post("/api/v1/collector-targets", json=body, headers=collector).status_code == 403
    assert client.post("/api/v1/collector-targets", json={**body, "amount": "-1"}).json()["detail"].startswith(
        "amount")
    assert client.post("/api/v1/collector-targets", json={**body, "period": "2025-6"}).status_code == 422
    made = client.post("/api/v1/collector-targets", json=body)
    assert made.status_code == 200 and made.json()["amount"] == "1500.00"
    listed = client.get("/api/v1/collector-targets", params={"period": "2025-06"}, headers=collector)
    assert listed.status_code == 200 and [t["collector"] for t in listed.json()] == ["carla"]
    report = client.get("/api/v1/collector-performance", params={"period": "2025-06", "window_days": 30},
                        headers=collector)
    assert report.status_code == 200, report.text
    data = report.json()
    assert (data["period"], data["window_days"], data["end"]) == ("2025-06", 30, "2025-06-30")
    carla = next(c for c in data["collectors"] if c["collector"] == "carla" and c["currency"] == "EUR")
    assert carla["target"] == "1500.00"
    assert client.get("/api/v1/collector-performance", params={"window_days": 999}).status_code == 422
