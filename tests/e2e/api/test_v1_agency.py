"""The agency handoff over /api/v1 on the small ledger (SQLite and PostgreSQL): PATCH an escalation case with the
agency's report (If-Match, permissions, a final report closes the case), list the reports, the agency export."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cobro.platform.container import Container
from tests.e2e.auth import add_user, bearer

ESCALATE = """policy: escalate
steps:
  - id: escalation
    trigger: {days: 80, from: due_date, unit: calendar_days}
    channel: escalation
    escalation:
      total_over: {EUR: "300.00"}
      credit_stop: true
"""


def test_agency_reports_over_the_api(client: TestClient, ledger_container: Container) -> None:
    assert client.post("/api/v1/policies", json={"yaml": ESCALATE, "segment": "construction"}).status_code == 201
    assert client.post("/api/v1/cycles", json={"as_of": "2025-06-30"}).status_code == 201
    (found,) = client.get("/api/v1/escalation-cases").json()["items"]
    case = f"/api/v1/escalation-cases/{found['id']}"
    assert client.post(f"{case}/hand-off", json={"to": "Agencia Norte"}).status_code == 200

    export = client.get(f"{case}/agency-export")
    assert export.status_code == 200, export.text
    body = export.json()
    assert body["debtor"]["code"] == "C001" and body["agency"] == "Agencia Norte" and body["documents"]
    assert client.get(f"{case}/agency-export", headers={"X-Cobro-Tenant": "other"}).status_code == 404

    auditor_email = "auditor@example.com"
    add_user(ledger_container, auditor_email, role="auditor")
    auditor = bearer(client, auditor_email)
    report = {"agency_status": "partially_recovered", "recovered": "100.00", "reference": "ACN-1"}
    assert client.patch(case, json=report, headers=auditor).status_code == 403
    assert client.get(f"{case}/agency-updates", headers=auditor).status_code == 200  # auditors read
    assert client.patch(case, json={"agency_status": "won"}).status_code == 422
    bad_amount = client.patch(case, json={"agency_status": "received", "recovered": "ten"})
    assert bad_amount.status_code == 422 and bad_amount.json()["detail"].startswith("recovered")
    assert client.patch(case, json=report, headers={"If-Match": '"stale"'}).status_code == 412
    etag = client.get(case).headers["ETag"]
    first = client.patch(case, json=report, headers={"If-Match": etag})
    assert first.status_code == 200 and first.json()["status"] == "handed_off"
    final = client.patch(case, json={"agency_status": "recovered", "note": "<b>paid</b>"})
    assert final.status_code == 200 and final.json()["status"] == "closed"
    updates = client.get(f"{case}/agency-updates").json()
    assert [(u["status"], u["recovered"], u["source"]) for u in updates] == [
        ("partially_recovered", "100.00", "api"), ("recovered", "0.00", "api")]
    assert updates[1]["note"] == "<b>paid</b>"  # stored as given; JSON carries it as text
    assert client.patch(case, json={"agency_status": "received"}).status_code == 409
