"""The collections API over /api/v1 on the small ledger (SQLite and PostgreSQL): policies and the preview, cycle
runs and their actions, tasks and outcomes, holds, disputes, promises, plans, exceptions under four eyes,
escalation cases and the evidence pack, credit checks, terms letters.  As of 2025-06-30 (the app's clock)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cobro.audit import service as audit
from cobro.audit.schemas import AuditQuery
from cobro.platform.container import Container
from cobro.tenancy.schemas import ProfileChanges
from cobro.tenancy.service import update_profile
from cobro.webhooks import service as webhooks
from tests.e2e.auth import ADMIN, add_user, bearer

# a call 15 days after the due date; escalation (with a credit stop) 80 days after it, over EUR 300
POLICY = """policy: api_test
steps:
  - id: call
    trigger: {days: 15, from: due_date, unit: calendar_days}
    channel: call_task
    task: {due_in_days: 2}
  - id: escalation
    trigger: {days: 80, from: due_date, unit: calendar_days}
    channel: escalation
    escalation:
      total_over: {EUR: "300.00"}
      credit_stop: true
"""
# The cycle tests give each case a one-step policy, so what is planned does not hang on how a first cycle
# enters a longer sequence: the tenant's default calls (C002's F-004 is 60 days late: a call), the construction
# segment (C001, oldest item F-001 91 days late) escalates.
CALLS = """policy: calls
steps:
  - id: call
    trigger: {days: 15, from: due_date, unit: calendar_days}
    channel: call_task
    task: {due_in_days: 2}
"""
ESCALATE = """policy: escalate
steps:
  - id: escalation
    trigger: {days: 80, from: due_date, unit: calendar_days}
    channel: escalation
    escalation:
      total_over: {EUR: "300.00"}
      credit_stop: true
"""
OTHER = {"X-Cobro-Tenant": "other"}
PROFILE = ProfileChanges(
    legal_name="Cobros de Prueba SL", tax_id="B58818501", country="ES", address_lines=("Calle de Alcalá 100",),
    postal_code="28009", city="Madrid", iban="ES7620770024003102575766", sender_name="Cobros de Prueba",
    sender_email="cobros@prueba.example", signature="Marta Ruiz", language="es", currency="EUR")


def _policies(client: TestClient) -> None:
    assert client.post("/api/v1/policies", json={"yaml": CALLS}).status_code == 201
    assert client.post("/api/v1/policies", json={"yaml": ESCALATE, "segment": "construction"}).status_code == 201


def _policy_and_cycle(client: TestClient) -> dict[str, Any]:
    _policies(client)
    r = client.post("/api/v1/cycles", json={"as_of": "2025-06-30"})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _as(client: TestClient, container: Container, role: str) -> dict[str, str]:
    email = f"{role}@example.com"
    add_user(container, email, role=role)
    return bearer(client, email)


def _profile(container: Container) -> None:
    with container.uow() as uow:
        update_profile(uow, code="default", changes=PROFILE)
        uow.commit()


def test_policies_validate_apply_list_and_refuse_bad_yaml(client: TestClient, ledger_container: Container) -> None:
    ok = client.post("/api/v1/policies/validate", json={"yaml": POLICY}).json()
    assert ok == {"valid": True, "name": "api_test", "steps": 2, "problems": []}
    bad = client.post("/api/v1/policies/validate", json={"yaml": "policy: x\nsteps: 3\n"}).json()
    assert bad["valid"] is False and bad["problems"][0]["path"] == "steps"

    control = client.post("/api/v1/policies/validate", json={"yaml": "policy: x\x1f\n"})  # refused by the reader
    assert control.status_code == 200 and "#x001f" in control.json()["problems"][0]["message"]
    assert client.post("/api/v1/policies", json={"yaml": "policy: x\x1f\n"}).status_code == 422
    refused = client.post("/api/v1/policies", json={"yaml": "policy: x\nsteps: 3\n"})
    assert refused.status_code == 422 and refused.json()["detail"].startswith("yaml:")
    assert "steps" in refused.json()["detail"]
    assert client.get("/api/v1/policies/versions").json()["items"] == []  # nothing stored

    r = client.post("/api/v1/policies", json={"yaml": POLICY, "segment": "wholesale"})
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == "/api/v1/policies/api_test/versions/1" and r.headers["ETag"]
    assert client.post("/api/v1/policies", json={"yaml": POLICY}).json()["version"] == 2
    versions = client.get("/api/v1/policies/versions", params={"limit": 1})
    assert [v["version"] for v in versions.json()["items"]] == [1]
    second = client.get("/api/v1/policies/versions", params={"limit": 1, "cursor": versions.json()["next_cursor"]})
    assert [v["version"] for v in second.json()["items"]] == [2] and second.json()["next_cursor"] is None
    one = client.get(r.headers["Location"])
    assert one.json()["policy"]["policy"] == "api_test" and one.headers["ETag"]
    scopes = {(a["scope"], a["segment"], a["policy"]) for a in client.get("/api/v1/policies/assignments").json()}
    assert scopes == {("segment", "wholesale", "api_test"), ("default", "", "api_test")}
    # another tenant sees none of it; a collector may not apply policies
    assert client.get("/api/v1/policies/api_test/versions/1", headers=OTHER).status_code == 404
    collector = _as(client, ledger_container, "collector")
    assert client.post("/api/v1/policies", json={"yaml": POLICY}, headers=collector).status_code == 403
    assert client.get("/api/v1/policies/versions", headers=collector).status_code == 200


def test_preview_plans_without_writing_and_a_run_stores_its_actions(client: TestClient) -> None:
    _policies(client)
    preview = client.get("/api/v1/policies/preview", params={"as_of": "2025-06-30"})
    assert preview.status_code == 200, preview.text
    planned = {(a["customer"], a["step"]) for a in preview.json()["actions"]}
    assert planned == {("C001", "escalation"), ("C002", "call")}
    assert client.get("/api/v1/cycles").json()["items"] == []  # the preview left no run behind
    assert client.get("/api/v1/tasks").json()["items"] == []
    only = client.get("/api/v1/policies/preview", params={"as_of": "2025-06-30", "customer": "C002"}).json()
    assert [a["customer"] for a in only["actions"]] == ["C002"]

    r = client.post("/api/v1/cycles", json={"as_of": "2025-06-30"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["planned"] == 2 and r.headers["Location"] == f"/api/v1/cycles/{body['run']['id']}"
    actions = client.get(f"{r.headers['Location']}/actions").json()["items"]
    assert {(a["customer"], a["step"], a["channel"]) for a in actions} == {
        ("C001", "escalation", "escalation"), ("C002", "call", "call_task")}
    assert next(a for a in actions if a["customer"] == "C002")["total"] == "500.00"
    again = client.post("/api/v1/cycles", json={"as_of": "2025-06-30"}).json()
    assert again["planned"] == 0  # each step once per episode
    assert len(client.get("/api/v1/cycles").json()["items"]) == 2
    assert client.get(f"/api/v1/cycles/{body['run']['id']}", headers=OTHER).status_code == 404
    assert client.get(f"/api/v1/cycles/{body['run']['id']}/actions", headers=OTHER).status_code == 404
    assert client.post("/api/v1/cycles", json={"as_of": "30/06/2025"}).json()["detail"].startswith("body.as_of")


def test_a_task_outcome_records_a_promise_or_a_dispute_with_its_details(client: TestClient,
                                                                          ledger_container: Container) -> None:
    _policy_and_cycle(client)
    tasks = client.get("/api/v1/tasks", params={"collector": "Luis Gil"}).json()["items"]
    assert [(t["customer"], t["kind"], t["status"]) for t in tasks] == [("C002", "call", "open")]
    assert client.get("/api/v1/tasks", params={"collector": "Ana Ruiz"}).json()["items"] == []
    assert client.get("/api/v1/tasks", params={"mine": "true"}).json()["items"] == []  # the admin collects nothing
    task = tasks[0]["id"]

    no_details = client.post(f"/api/v1/tasks/{task}/outcome", json={"outcome": "promise"})
    assert no_details.status_code == 422 and no_details.json()["detail"].startswith("promise:")
    wrong = client.post(f"/api/v1/tasks/{task}/outcome", json={"outcome": "maybe"})
    assert wrong.status_code == 422 and "outcome" in wrong.json()["detail"]
    assert client.get("/api/v1/tasks").json()["items"][0]["status"] == "open"  # nothing written
    sales = _as(client, ledger_container, "sales")
    assert client.post(f"/api/v1/tasks/{task}/outcome", json={"outcome": "reached"}, headers=sales).status_code == 403

    done = client.post(f"/api/v1/tasks/{task}/outcome", json={
        "outcome": "promise", "note": "pays on the 10th", "promise": {"amount": "500.00", "due_on": "2025-07-10"}})
    assert done.status_code == 200, done.text
    promise = done.json()["promise"]
    got = client.get(f"/api/v1/promises/{promise}").json()
    assert (got["customer"], got["amount"], got["currency"], got["due_on"]) == ("C002", "500.00", "EUR", "2025-07-10")
    assert client.get("/api/v1/tasks").json()["items"] == []  # closed
    assert client.post(f"/api/v1/tasks/{task}/outcome", json={"outcome": "reached"}).status_code == 409
    assert client.post(f"/api/v1/tasks/{task}/outcome", json={"outcome": "reached"}, headers=OTHER).status_code == 404


def test_a_dispute_outcome_carries_its_reason(client: TestClient) -> None:
    _policy_and_cycle(client)
    task = client.get("/api/v1/tasks").json()["items"][0]["id"]
    done = client.post(f"/api/v1/tasks/{task}/outcome",
                       json={"outcome": "dispute", "note": "damaged", "dispute": {"reason_code": "quality"}})
    assert done.status_code == 200, done.text
    dispute = client.get(f"/api/v1/disputes/{done.json()['dispute']}").json()
    assert (dispute["invoices"], dispute["reason_code"], dispute["status"]) == (["F-004"], "quality", "open")


def test_holds_add_read_release_with_etags(client: TestClient, ledger_container: Container) -> None:
    missing = client.post("/api/v1/holds", json={"customer": "C001", "reason": ""})
    assert missing.status_code == 422 and missing.json()["detail"].startswith("body.reason")
    other_customers = client.post("/api/v1/holds", json={"customer": "C001", "reason": "x", "invoice": "F-005"})
    assert other_customers.status_code == 422 and other_customers.json()["detail"].startswith("invoice:")  # C003's
    past = client.post("/api/v1/holds", json={"customer": "C001", "reason": "x", "until": "2025-06-01"})
    assert past.status_code == 422 and past.json()["detail"].startswith("until:")
    assert client.get("/api/v1/holds", params={"active": "false"}).json()["items"] == []

    r = client.post("/api/v1/holds", json={"customer": "C001", "reason": "under review", "until": "2025-07-31",
                                           "invoice": "F-002"})
    assert r.status_code == 201, r.text
    hold = r.json()
    assert (hold["invoice"], hold["until"], hold["released_on"]) == ("F-002", "2025-07-31", None)
    read = client.get(r.headers["Location"])
    assert read.json() == hold and read.headers["ETag"] == r.headers["ETag"]
    assert client.get(r.headers["Location"], headers=OTHER).status_code == 404
    release = f"/api/v1/holds/{hold['id']}/release"
    assert client.post(release, headers=OTHER).status_code == 404
    assert client.post(release, headers={"If-Match": '"stale"'}).status_code == 412
    assert client.get(r.headers["Location"]).json()["released_on"] is None  # the stale release changed nothing
    auditor = _as(client, ledger_container, "auditor")
    assert client.post(release, headers=auditor).status_code == 403
    done = client.post(release, headers={"If-Match": read.headers["ETag"]})
    assert done.status_code == 200 and done.json()["released_on"] == "2025-06-30"
    assert done.headers["ETag"] != read.headers["ETag"]
    assert client.post(release).status_code == 409
    assert client.get("/api/v1/holds").json()["items"] == []  # active only by default
    assert len(client.get("/api/v1/holds", params={"active": "false"}).json()["items"]) == 1


def test_a_retried_post_with_an_idempotency_key_adds_one_hold(client: TestClient) -> None:
    body, key = {"customer": "C002", "reason": "call centre asked"}, {"Idempotency-Key": "hold-c002-1"}
    first = client.post("/api/v1/holds", json=body, headers=key)
    replay = client.post("/api/v1/holds", json=body, headers=key)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json() and replay.headers.get("Idempotent-Replayed") == "true"
    assert len(client.get("/api/v1/holds").json()["items"]) == 1


def test_disputes_open_resolve_and_list(client: TestClient) -> None:
    bad = client.post("/api/v1/disputes", json={"customer": "C001", "invoices": ["F-002"], "reason_code": "bored"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("body.reason_code")
    too_much = client.post("/api/v1/disputes", json={"customer": "C001", "invoices": ["F-002"],
                                                     "reason_code": "price", "amount": "9999.00"})
    assert too_much.status_code == 422 and too_much.json()["detail"].startswith("amount:")
    assert "more than what is still open" in too_much.json()["detail"]
    r = client.post("/api/v1/disputes", json={"customer": "C001", "invoices": ["F-002"], "reason_code": "price",
                                              "amount": "500.00", "resolve_by": "2025-07-15"})
    assert r.status_code == 201, r.text
    assert (r.json()["amount"], r.json()["currency"]) == ("500.00", "EUR")
    resolve = f"/api/v1/disputes/{r.json()['id']}/resolve"
    assert client.post(resolve, json={"resolution": "credit note"}, headers={"If-Match": '"x"'}).status_code == 412
    assert client.post(resolve, json={"resolution": ""}).status_code == 422
    done = client.post(resolve, json={"resolution": "credit note"}, headers={"If-Match": r.headers["ETag"]})
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    assert client.get("/api/v1/disputes").json()["items"] == []
    assert [d["status"] for d in client.get("/api/v1/disputes", params={"status": "resolved"}).json()["items"]] == [
        "resolved"]


def test_promises_and_payment_plans(client: TestClient) -> None:
    comma = client.post("/api/v1/promises", json={"customer": "C001", "amount": "12,5", "due_on": "2025-07-10"})
    assert comma.status_code == 422 and comma.json()["detail"].startswith("body.amount")
    usd = client.post("/api/v1/promises", json={"customer": "C001", "amount": "10.00", "currency": "USD",
                                                "due_on": "2025-07-10"})
    assert usd.status_code == 422 and usd.json()["detail"].startswith("currency:")  # C001 owes nothing in USD
    r = client.post("/api/v1/promises", json={"customer": "C001", "amount": "1000.00", "due_on": "2025-07-10"})
    assert r.status_code == 201 and r.headers["Location"] == f"/api/v1/promises/{r.json()['id']}"
    assert r.json()["pause_until"] == "2025-07-13" and r.json()["status"] == "pending"
    assert [p["id"] for p in client.get("/api/v1/promises").json()["items"]] == [r.json()["id"]]
    assert client.get(r.headers["Location"], headers=OTHER).status_code == 404

    short = client.post("/api/v1/payment-plans", json={"customer": "C001", "invoices": ["F-001"], "instalments": [
        {"due_on": "2025-07-31", "amount": "400.00"}]})
    assert short.status_code == 422 and short.json()["detail"].startswith("instalments:")
    assert "add up to" in short.json()["detail"]
    assert client.get("/api/v1/payment-plans").json()["items"] == []
    plan = client.post("/api/v1/payment-plans", json={"customer": "C001", "invoices": ["F-001"], "instalments": [
        {"due_on": "2025-07-31", "amount": "600.00"}, {"due_on": "2025-08-31", "amount": "400.00"}]})
    assert plan.status_code == 201, plan.text
    assert plan.json()["total"] == "1000.00" and [i["amount"] for i in plan.json()["instalments"]] == [
        "600.00", "400.00"]
    assert client.get(plan.headers["Location"]).json() == plan.json()
    assert client.get("/api/v1/payment-plans", params={"customer": "C001"}).json()["items"] == [plan.json()]
    assert client.get("/api/v1/payment-plans", headers=OTHER).json()["items"] == []


def test_exceptions_need_four_eyes_of_authenticated_callers(client: TestClient, ledger_container: Container) -> None:
    body = {"customer": "C001", "kind": "pause", "justification": "CFO asked for two weeks",
            "expires_on": "2025-07-15"}
    assert client.post("/api/v1/exceptions", json={**body, "kind": "forever"}).status_code == 422
    lapsed = client.post("/api/v1/exceptions", json={**body, "expires_on": "2025-06-30"})
    assert lapsed.status_code == 422 and lapsed.json()["detail"].startswith("expires_on:")
    days = client.post("/api/v1/exceptions", json={**body, "kind": "longer_terms", "value": "999"})
    assert days.status_code == 422 and days.json()["detail"].startswith("value:")
    assert client.get("/api/v1/exceptions").json()["items"] == []  # nothing written
    sales = _as(client, ledger_container, "sales")
    r = client.post("/api/v1/exceptions", json=body, headers=sales)
    assert r.status_code == 201, r.text
    assert (r.json()["requested_by"], r.json()["status"]) == ("sales@example.com", "requested")
    approve = f"/api/v1/exceptions/{r.json()['id']}/approve"
    assert client.post(approve, headers=sales).status_code == 403  # sales may ask, not decide
    # the requester cannot approve their own request, whatever the body says
    manager = _as(client, ledger_container, "credit_manager")
    own = client.post("/api/v1/exceptions", json=body, headers=manager).json()
    refused = client.post(f"/api/v1/exceptions/{own['id']}/approve", json={"note": "ok"}, headers=manager)
    assert refused.status_code == 409 and "four eyes" in refused.json()["detail"]
    assert client.post(approve, headers={**manager, "If-Match": '"old"'}).status_code == 412
    done = client.post(approve, json={"note": "fine"}, headers={**manager, "If-Match": r.headers["ETag"]})
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["approved_by"]) == ("approved", "credit_manager@example.com")
    assert client.post(approve, headers=manager).status_code == 409  # decided already
    rejected = client.post(f"/api/v1/exceptions/{own['id']}/reject", json={"note": "no"})  # the admin decides
    assert rejected.json()["status"] == "rejected"
    listed = client.get("/api/v1/exceptions", params={"status": "approved"}).json()["items"]
    assert [e["id"] for e in listed] == [r.json()["id"]]
    assert client.get(f"/api/v1/exceptions/{r.json()['id']}", headers=OTHER).status_code == 404


def test_escalation_cases_hand_off_close_and_the_evidence_pack(client: TestClient,
                                                               ledger_container: Container) -> None:
    _policy_and_cycle(client)
    cases = client.get("/api/v1/escalation-cases").json()["items"]
    assert [(c["customer"], c["status"], c["credit_stop"]) for c in cases] == [("C001", "open", True)]
    case = f"/api/v1/escalation-cases/{cases[0]['id']}"
    assert client.get(case, headers=OTHER).status_code == 404
    assert client.get(f"{case}/evidence-pack", headers=OTHER).status_code == 404
    unsigned = client.get(f"{case}/evidence-pack")
    assert unsigned.status_code == 422 and "legal_name" in unsigned.json()["detail"]  # names the missing field
    _profile(ledger_container)
    pdf = client.get(f"{case}/evidence-pack", params={"language": "en"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    assert client.post(f"{case}/hand-off", json={"to": ""}).status_code == 422
    etag = client.get(case).headers["ETag"]
    assert client.post(f"{case}/hand-off", json={"to": "Agencia Norte"}, headers={"If-Match": '"x"'}
                       ).status_code == 412
    handed = client.post(f"{case}/hand-off", json={"to": "Agencia Norte"}, headers={"If-Match": etag})
    assert handed.status_code == 200 and handed.json()["status"] == "handed_off"
    collector = _as(client, ledger_container, "collector")
    lift = {"note": "paid", "lift_credit_stop": True}
    denied = client.post(f"{case}/close", json=lift, headers=collector)
    assert denied.status_code == 403 and denied.json()["detail"].startswith("lift_credit_stop")
    assert client.get(case).json()["status"] == "handed_off"
    closed = client.post(f"{case}/close", json=lift)
    assert closed.status_code == 200 and (closed.json()["status"], closed.json()["credit_stop"]) == ("closed", False)
    assert client.post(f"{case}/close").status_code == 409


def test_credit_checks_and_terms_letters(client: TestClient, ledger_container: Container) -> None:
    checks = client.get("/api/v1/credit-checks").json()["items"]
    assert [c["customer"] for c in checks] == ["C001", "C002", "C003"]
    c001 = client.get("/api/v1/credit-checks", params={"customer": "C001"}).json()["items"]
    assert [(line["currency"], line["exposure"]) for line in c001[0]["lines"]] == [("EUR", "3900.50")]
    assert client.get("/api/v1/credit-checks", params={"customer": "NOPE"}).status_code == 404
    assert client.get("/api/v1/credit-checks", params={"customer": "C001"}, headers=OTHER).status_code == 404
    assert client.get("/api/v1/credit-checks", params={"limit": 0}).status_code == 422

    assert client.post("/api/v1/terms-letters", json={"customer": "C001", "channel": "fax"}).status_code == 422
    unsigned = client.post("/api/v1/terms-letters", json={"customer": "C001"})
    assert unsigned.status_code == 422 and "cobro tenant" in unsigned.json()["detail"]
    _profile(ledger_container)
    sent = client.post("/api/v1/terms-letters", json={"customer": "C001"})
    assert sent.status_code == 202, sent.text
    assert (sent.json()["recipient"], sent.json()["created"]) == ("maria@pena.example", True)
    assert client.post("/api/v1/terms-letters", json={"customer": "C001"}).json()["created"] is False
    assert client.post("/api/v1/terms-letters", json={"customer": "C001"}, headers=OTHER).status_code == 404


@pytest.mark.parametrize("cursor", ["bm90LWpzb24", "WyJhIl0"])  # not JSON; a key of another shape
def test_a_foreign_cursor_is_refused_naming_the_parameter(client: TestClient, cursor: str) -> None:
    r = client.get("/api/v1/holds", params={"cursor": cursor})
    assert r.status_code == 422 and r.json()["detail"].startswith("cursor:")


def test_changes_made_over_the_api_are_audited_as_the_caller_and_reach_webhook_subscribers(
        client: TestClient, ledger_container: Container) -> None:
    with ledger_container.uow() as uow:
        webhooks.subscribe(uow, url="https://erp.example/hooks", events=[
            "exception.requested", "exception.approved", "exception.rejected", "dispute.opened"])
        uow.commit()
    sales = _as(client, ledger_container, "sales")
    body = {"customer": "C001", "kind": "pause", "justification": "CFO asked", "expires_on": "2025-07-15"}
    ex = client.post("/api/v1/exceptions", json=body, headers=sales).json()
    assert client.post(f"/api/v1/exceptions/{ex['id']}/approve").status_code == 200
    # a refused request (bad field) and a refused decision emit nothing
    assert client.post("/api/v1/exceptions", json={**body, "expires_on": "2025-06-01"}).status_code == 422
    assert client.post(f"/api/v1/exceptions/{ex['id']}/reject").status_code == 409
    with ledger_container.uow() as uow:
        sent = [(d.event_type, d.entity) for d in webhooks.deliveries(uow)]
        entries = audit.history(uow, AuditQuery(entity="exception", entity_id=str(ex["id"])))
    assert sorted(sent) == [("exception.approved", f"exception:{ex['id']}"),
                            ("exception.requested", f"exception:{ex['id']}")]
    assert [(e.action, e.actor_kind, e.actor_name) for e in entries] == [
        ("request", "user", "sales@example.com"), ("approved", "user", ADMIN)]


def test_mine_is_the_work_of_the_collector_the_user_is(client: TestClient, ledger_container: Container) -> None:
    """A customer's `collector` holds a person's name; `mine=true` matches the caller's display name, not their
    e-mail (a collector logging in as luis@… sees Luis Gil's work)."""
    from cobro.identity import service as identity

    _policy_and_cycle(client)
    with ledger_container.uow() as uow:
        identity.create_user(uow, email="luis@example.com", password="Quiet-harbour-2026", display_name="Luis Gil")
        identity.add_membership(uow, email="luis@example.com", tenant="default", role="collector")
        uow.commit()
    r = client.post("/api/v1/auth/token", data={"username": "luis@example.com", "password": "Quiet-harbour-2026"})
    luis = {"Authorization": f"Bearer {r.json()['access_token']}"}
    mine = client.get("/api/v1/tasks", params={"mine": "true"}, headers=luis).json()["items"]
    assert [(t["customer"], t["kind"]) for t in mine] == [("C002", "call")]
    ranked = client.get("/api/v1/risk/worklist", params={"mine": "true"}, headers=luis).json()
    assert ranked and {w["customer"] for w in ranked} == {"C002"}
    assert client.get("/api/v1/risk/worklist", params={"mine": "true"}).json() == []  # the admin collects nothing
