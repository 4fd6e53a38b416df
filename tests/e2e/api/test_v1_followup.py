"""Follow-up and credit stops over /api/v1 on the small ledger (SQLite and PostgreSQL, as of 2025-06-30): a task
reassigned with a reason, an outcome with a call-back date, the overdue flag, the credit stop on the credit check
and lifting it with a reason under credit.write."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cobro.platform.container import Container
from tests.e2e.api.test_v1_collections import _as, _policy_and_cycle


def test_reassign_and_call_back_over_the_api(client: TestClient, ledger_container: Container) -> None:
    _policy_and_cycle(client)
    (task,) = client.get("/api/v1/tasks").json()["items"]
    assert (task["collector"], task["overdue"]) == ("Luis Gil", False)
    url = f"/api/v1/tasks/{task['id']}"
    no_reason = client.post(f"{url}/reassign", json={"to": "Ana Ruiz"})
    assert no_reason.status_code == 422
    sales = _as(client, ledger_container, "sales")
    assert client.post(f"{url}/reassign", json={"to": "Ana Ruiz", "reason": "x"}, headers=sales).status_code == 403
    moved = client.post(f"{url}/reassign", json={"to": "Ana Ruiz", "reason": "Luis is on leave"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["collector"] == "Ana Ruiz"
    assert client.get("/api/v1/tasks", params={"collector": "Luis Gil"}).json()["items"] == []

    past = client.post(f"{url}/outcome", json={"outcome": "voicemail", "callback": "2025-06-01"})
    assert past.status_code == 422 and past.json()["detail"].startswith("callback:")
    done = client.post(f"{url}/outcome", json={"outcome": "voicemail", "callback": "2025-07-03"})
    assert done.status_code == 200, done.text
    follow = done.json()["follow_up"]
    (open_task,) = client.get("/api/v1/tasks").json()["items"]
    assert (open_task["id"], open_task["due_on"], open_task["collector"], open_task["overdue"]) == (
        follow, "2025-07-03", "Ana Ruiz", False)


def test_the_credit_check_shows_the_stop_and_a_credit_manager_lifts_it(client: TestClient,
                                                                      ledger_container: Container) -> None:
    _policy_and_cycle(client)  # C001 escalates, with a credit stop
    (c001,) = client.get("/api/v1/credit-checks", params={"customer": "C001"}).json()["items"]
    assert c001["credit_stop"]["since"] == "2025-06-30"
    (c002,) = client.get("/api/v1/credit-checks", params={"customer": "C002"}).json()["items"]
    assert c002["credit_stop"] is None
    lift = "/api/v1/credit-checks/C001/credit-stop/lift"
    collector = _as(client, ledger_container, "collector")
    assert client.post(lift, json={"reason": "paid"}, headers=collector).status_code == 403
    assert client.post(lift, json={"reason": ""}).status_code == 422
    lifted = client.post(lift, json={"reason": "guarantee from the parent company"})
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["since"] == "2025-06-30"
    (after,) = client.get("/api/v1/credit-checks", params={"customer": "C001"}).json()["items"]
    assert after["credit_stop"] is None
    assert client.post(lift, json={"reason": "again"}).status_code == 409
    assert client.post("/api/v1/credit-checks/NOPE/credit-stop/lift", json={"reason": "x"}).status_code == 404
