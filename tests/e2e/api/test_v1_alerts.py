"""/api/v1/risk alerts people receive (SQLite and PostgreSQL): snooze with If-Match under `collections.work`, and
each user's own alert preference under `alerts.receive` (an auditor has none; an API key is no person)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from cobro.platform.container import Container
from cobro.risk.repository import RISK
from cobro.risk.schemas import AlertKind
from tests.e2e.auth import add_user, bearer

R = "/api/v1/risk"


def _alert(container: Container) -> None:
    with container.uow() as uow:
        c001 = next(c for c in uow.repo(RISK).customers() if c.code == "C001")
        uow.repo(RISK).add_alert(c001.id, kind=AlertKind.BOUNCE, key="bounce-1", as_of=dt.date(2025, 6, 1),
                                 message="e-mail bounced", recipients=("Ana Ruiz",))
        uow.commit()


def _as(client: TestClient, container: Container, role: str) -> dict[str, str]:
    email = f"{role}@example.com"
    add_user(container, email, role=role)
    return bearer(client, email)


def test_snooze_hides_the_alert_and_refuses_a_past_day(client: TestClient, ledger_container: Container) -> None:
    _alert(ledger_container)
    alert_id = client.get(f"{R}/alerts").json()["items"][0]["id"]
    url = f"{R}/alerts/{alert_id}/snooze"
    sales = _as(client, ledger_container, "sales")
    assert client.post(url, json={"until": "2099-01-01"}, headers=sales).status_code == 403
    collector = _as(client, ledger_container, "collector")
    past = client.post(url, json={"until": "2000-01-01"}, headers=collector)
    assert past.status_code == 422 and "until:" in past.json()["detail"]
    assert client.post(url, json={"until": "2099-01-01"}, headers={**collector, "If-Match": '"x"'}).status_code == 412
    etag = client.get(f"{R}/alerts/{alert_id}").headers["ETag"]
    done = client.post(url, json={"until": "2099-01-01"}, headers={**collector, "If-Match": etag})
    assert done.status_code == 200, done.text
    assert done.json()["snoozed_until"] == "2099-01-01" and done.json()["status"] == "open"
    audit = client.get("/api/v1/audit", params={"entity": "risk_alert", "id": str(alert_id)}).json()["items"]
    assert [(e["action"], e["actor_name"]) for e in audit] == [("snooze", "collector@example.com")]


def test_each_user_sets_their_own_preference(client: TestClient, ledger_container: Container) -> None:
    sales = _as(client, ledger_container, "sales")
    assert client.get(f"{R}/alerts/preferences", headers=sales).json() == {"user": "sales@example.com",
                                                                           "mode": "daily"}
    put = client.put(f"{R}/alerts/preferences", json={"mode": "off"}, headers=sales)
    assert put.status_code == 200, put.text
    assert client.get(f"{R}/alerts/preferences", headers=sales).json()["mode"] == "off"
    assert client.put(f"{R}/alerts/preferences", json={"mode": "hourly"}, headers=sales).status_code == 422
    auditor = _as(client, ledger_container, "auditor")
    assert client.get(f"{R}/alerts/preferences", headers=auditor).status_code == 403
