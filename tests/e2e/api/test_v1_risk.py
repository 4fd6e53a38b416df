"""/api/v1/risk on the small ledger (SQLite and PostgreSQL), as of 2025-06-30: scores, classification,
recommendations, the ranked worklist, and alerts (listed by status, acknowledged by the authenticated caller)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from cobro.platform.container import Container
from cobro.risk.repository import RISK
from cobro.risk.schemas import AlertKind
from tests.e2e.auth import add_user, bearer

R = "/api/v1/risk"
OTHER = {"X-Cobro-Tenant": "other"}


def _alerts(container: Container, n: int) -> None:
    """Alerts as `cobro risk score` stores them (its run raises them only against an earlier stored score)."""
    with container.uow() as uow:
        c001 = next(c for c in uow.repo(RISK).customers() if c.code == "C001")
        for i in range(n):
            uow.repo(RISK).add_alert(c001.id, kind=AlertKind.OVER_LIMIT, key=f"test-{i}", as_of=dt.date(2025, 6, 1 + i),
                                     message=f"alert {i}", recipients=("Ana Ruiz",))
        uow.commit()


def _as(client: TestClient, container: Container, role: str) -> dict[str, str]:
    email = f"{role}@example.com"
    add_user(container, email, role=role)
    return bearer(client, email)


def test_scores_worst_first_and_one_customer_in_full(client: TestClient) -> None:
    r = client.get(f"{R}/scores")
    assert r.status_code == 200, r.text
    scores = r.json()["scores"]
    assert {s["customer"] for s in scores} == {"C001", "C002", "C003"}
    assert [s["score"] for s in scores] == sorted((s["score"] for s in scores), reverse=True)
    one = client.get(f"{R}/scores/C001").json()
    assert one["customer"] == "C001" and one["score"]["score"] == next(s["score"] for s in scores
                                                                         if s["customer"] == "C001")
    assert client.get(f"{R}/scores/NOPE").status_code == 404
    assert client.get(f"{R}/scores/C001", headers=OTHER).status_code == 404


def test_classification_recommendations_and_worklist(client: TestClient) -> None:
    classified = client.get(f"{R}/classification").json()
    assert {c["customer"] for c in classified} <= {"C001", "C002"} and classified  # only the overdue ones
    recs = client.get(f"{R}/recommendations").json()
    assert recs and [r["value_vs_wait_base"] for r in recs] == sorted((r["value_vs_wait_base"] for r in recs),
                                                                       reverse=True)
    only = client.get(f"{R}/recommendations", params={"customer": "C001"}).json()
    assert {r["customer"] for r in only} == {"C001"}
    assert client.get(f"{R}/recommendations", params={"customer": "NOPE"}).status_code == 404
    work = client.get(f"{R}/worklist").json()
    assert [w["rank"] for w in work] == list(range(1, len(work) + 1))
    assert client.get(f"{R}/worklist", params={"collector": "x", "mine": "true"}).status_code == 422
    assert client.get(f"{R}/classification", headers=OTHER).json() == []


def test_alerts_list_pages_and_filter_by_status(client: TestClient, ledger_container: Container) -> None:
    _alerts(ledger_container, 3)
    first = client.get(f"{R}/alerts", params={"limit": 2}).json()
    rest = client.get(f"{R}/alerts", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    shown = [a["message"] for a in first["items"] + rest["items"]]
    assert shown == ["alert 2", "alert 1", "alert 0"] and rest["next_cursor"] is None  # newest first
    assert client.get(f"{R}/alerts", params={"status": "acknowledged"}).json()["items"] == []
    assert client.get(f"{R}/alerts", params={"status": "gone"}).status_code == 422
    assert client.get(f"{R}/alerts", params={"recipient": "Luis Gil"}).json()["items"] == []
    assert client.get(f"{R}/alerts", headers=OTHER).json()["items"] == []


def test_acknowledge_by_the_caller_with_if_match(client: TestClient, ledger_container: Container) -> None:
    _alerts(ledger_container, 1)
    alert_id = client.get(f"{R}/alerts").json()["items"][0]["id"]
    url = f"{R}/alerts/{alert_id}/acknowledge"
    assert client.post(url, headers={"If-Match": '"stale"'}).status_code == 412
    assert client.post(url, headers=OTHER).status_code == 404
    sales = _as(client, ledger_container, "sales")
    assert client.post(url, headers=sales).status_code == 403
    collector = _as(client, ledger_container, "collector")
    etag = client.get(f"{R}/alerts/{alert_id}").headers["ETag"]
    done = client.post(url, headers={**collector, "If-Match": etag})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "acknowledged"
    assert client.post(url, headers=collector).status_code == 409
    assert client.get(f"{R}/alerts").json()["items"] == []
    audit = client.get("/api/v1/audit", params={"entity": "risk_alert", "id": str(alert_id)}).json()["items"]
    assert [(e["action"], e["actor_name"]) for e in audit] == [("acknowledge", "collector@example.com")]


def test_a_replayed_acknowledge_answers_the_first_response(client: TestClient, ledger_container: Container) -> None:
    _alerts(ledger_container, 1)
    alert_id = client.get(f"{R}/alerts").json()["items"][0]["id"]
    key = {"Idempotency-Key": "ack-1"}
    first = client.post(f"{R}/alerts/{alert_id}/acknowledge", headers=key)
    replay = client.post(f"{R}/alerts/{alert_id}/acknowledge", headers=key)
    assert first.status_code == replay.status_code == 200
    assert replay.headers.get("Idempotent-Replayed") == "true"
