"""Webhook subscriptions and the delivery log over /api/v1 on the small ledger (SQLite and PostgreSQL)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cobro.platform.container import Container
from cobro.webhooks import service
from tests.e2e.auth import add_user, bearer

SUBS = "/api/v1/webhooks/subscriptions"
OTHER = {"X-Cobro-Tenant": "other"}
HOOK = {"url": "https://erp.example.com/hooks", "events": ["dispute.opened"], "description": "ERP"}


def _as(client: TestClient, container: Container, role: str) -> dict[str, str]:
    email = f"{role}@example.com"
    add_user(container, email, role=role)
    return bearer(client, email)


def test_subscribe_shows_the_secret_once_then_lists_and_reads_without_it(client: TestClient) -> None:
    r = client.post(SUBS, json=HOOK)
    assert r.status_code == 201, r.text
    created = r.json()
    sub_id = created["subscription"]["id"]
    assert created["secret"].startswith("whsec_")
    assert r.headers["Location"] == f"{SUBS}/{sub_id}"
    listed = client.get(SUBS).json()
    assert [s["id"] for s in listed["items"]] == [sub_id] and "secret" not in listed["items"][0]
    one = client.get(f"{SUBS}/{sub_id}")
    assert one.status_code == 200 and one.json()["url"] == HOOK["url"] and one.headers["ETag"]
    assert "secret" not in one.json()


def test_bad_subscriptions_are_refused_naming_the_field_and_write_nothing(client: TestClient) -> None:
    plain = client.post(SUBS, json={**HOOK, "url": "http://erp.example.com/hooks"})
    assert plain.status_code == 422 and plain.json()["detail"].startswith("url:")
    unknown = client.post(SUBS, json={**HOOK, "events": ["invoice.eaten"]})
    assert unknown.status_code == 422 and unknown.json()["detail"].startswith("events:")
    assert client.get(SUBS).json()["items"] == []


def test_list_pages_with_a_cursor_and_filters_on_active(client: TestClient) -> None:
    ids = [client.post(SUBS, json={**HOOK, "description": f"n{i}"}).json()["subscription"]["id"] for i in range(3)]
    first = client.get(SUBS, params={"limit": 2}).json()
    second = client.get(SUBS, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [s["id"] for s in first["items"] + second["items"]] == ids and second["next_cursor"] is None
    assert client.get(SUBS, params={"active": "false"}).json()["items"] == []
    assert client.get(SUBS, params={"cursor": "not-a-cursor"}).status_code == 422


def test_enable_honours_if_match_and_delete_removes(client: TestClient) -> None:
    sub_id = client.post(SUBS, json=HOOK).json()["subscription"]["id"]
    etag = client.get(f"{SUBS}/{sub_id}").headers["ETag"]
    assert client.post(f"{SUBS}/{sub_id}/enable", headers={"If-Match": '"stale"'}).status_code == 412
    enabled = client.post(f"{SUBS}/{sub_id}/enable", headers={"If-Match": etag})
    assert enabled.status_code == 200 and enabled.json()["active"] is True
    assert client.delete(f"{SUBS}/{sub_id}", headers={"If-Match": '"stale"'}).status_code == 412
    assert client.delete(f"{SUBS}/{sub_id}").status_code == 204
    assert client.get(f"{SUBS}/{sub_id}").status_code == 404
    assert client.delete(f"{SUBS}/{sub_id}").status_code == 404


def test_another_tenants_subscription_is_not_found(client: TestClient) -> None:
    sub_id = client.post(SUBS, json=HOOK).json()["subscription"]["id"]
    assert client.get(f"{SUBS}/{sub_id}", headers=OTHER).status_code == 404
    assert client.post(f"{SUBS}/{sub_id}/enable", headers=OTHER).status_code == 404
    assert client.delete(f"{SUBS}/{sub_id}", headers=OTHER).status_code == 404
    assert client.get(f"{SUBS}/{sub_id}").status_code == 200  # still there for its own tenant


def test_a_replayed_subscribe_creates_one_subscription(client: TestClient) -> None:
    key = {"Idempotency-Key": "hook-1"}
    first, replay = client.post(SUBS, json=HOOK, headers=key), client.post(SUBS, json=HOOK, headers=key)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json() and replay.headers.get("Idempotent-Replayed") == "true"
    assert len(client.get(SUBS).json()["items"]) == 1


def test_roles_without_admin_tenant_are_refused(client: TestClient, ledger_container: Container) -> None:
    manager = _as(client, ledger_container, "credit_manager")
    assert client.post(SUBS, json=HOOK, headers=manager).status_code == 403
    assert client.get(SUBS, headers=manager).status_code == 403
    assert client.get("/api/v1/webhooks/deliveries", headers=manager).status_code == 403
    assert client.get(SUBS).json()["items"] == []


def test_delivery_log_newest_first_with_cursor_and_status(client: TestClient, ledger_container: Container) -> None:
    sub_id = client.post(SUBS, json={**HOOK, "events": ["*"]}).json()["subscription"]["id"]
    with ledger_container.uow() as uow:
        for n in range(3):
            service.emit(uow, "webhook.test", entity=f"test:{n}", data={"n": n})
        uow.commit()
    url = "/api/v1/webhooks/deliveries"
    first = client.get(url, params={"limit": 2}).json()
    rest = client.get(url, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    shown = first["items"] + rest["items"]
    assert [d["entity"] for d in shown] == ["test:2", "test:1", "test:0"] and rest["next_cursor"] is None
    assert {d["subscription_id"] for d in shown} == {sub_id} and {d["status"] for d in shown} == {"pending"}
    assert client.get(url, params={"status": "dead"}).json()["items"] == []
    assert client.get(url, params={"status": "lost"}).status_code == 422
    assert client.get(url, headers=OTHER).json()["items"] == []
