"""GET /api/v1/audit on the small ledger (SQLite and PostgreSQL): filters, the id cursor, the CSV export, and
that only audit.read opens it.  Entries come from audited API writes (webhook subscriptions)."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from cobro.platform.container import Container
from tests.e2e.auth import add_user, bearer

AUDIT = "/api/v1/audit"
HOOK = {"url": "https://erp.example.com/hooks", "events": ["dispute.opened"]}


def _subscribe(client: TestClient, n: int) -> list[int]:
    return [client.post("/api/v1/webhooks/subscriptions", json={**HOOK, "description": f"n{i}"}).json()
            ["subscription"]["id"] for i in range(n)]


def _as(client: TestClient, container: Container, role: str) -> dict[str, str]:
    email = f"{role}@example.com"
    add_user(container, email, role=role)
    return bearer(client, email)


def test_entries_filter_by_entity_and_id_and_name_the_actor(client: TestClient) -> None:
    ids = _subscribe(client, 2)
    entries = client.get(AUDIT, params={"entity": "webhook"}).json()["items"]
    assert [e["entity_id"] for e in entries] == [str(i) for i in ids]
    assert {e["action"] for e in entries} == {"subscribe"} and {e["actor_name"] for e in entries} == \
        {"admin@example.com"}
    one = client.get(AUDIT, params={"entity": "webhook", "id": str(ids[1])}).json()["items"]
    assert [e["entity_id"] for e in one] == [str(ids[1])] and one[0]["after"]["url"] == HOOK["url"]
    assert client.get(AUDIT, params={"entity": "hold"}).json()["items"] == []


def test_pages_by_id_cursor_without_gaps(client: TestClient) -> None:
    _subscribe(client, 3)
    every = [e["id"] for e in client.get(AUDIT, params={"limit": 500}).json()["items"]]
    seen, cursor = [], None
    while True:
        page = client.get(AUDIT, params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [e["id"] for e in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == every and len(every) >= 3


def test_since_and_until_bound_by_day(client: TestClient) -> None:
    _subscribe(client, 1)
    assert client.get(AUDIT, params={"since": "2100-01-01"}).json()["items"] == []
    assert client.get(AUDIT, params={"until": "1990-01-02"}).json()["items"] == []
    assert len(client.get(AUDIT, params={"since": "1990-01-01"}).json()["items"]) >= 1


def test_bad_parameters_are_422_naming_the_parameter(client: TestClient) -> None:
    for params, field in (({"since": "2025-13-01"}, "since"), ({"cursor": "x!"}, "cursor"),
                          ({"id": "1"}, "id"), ({"since": "2025-02-01", "until": "2025-01-01"}, "until"),
                          ({"format": "xml"}, "format"), ({"limit": 501}, "limit")):
        r = client.get(AUDIT, params=params)
        assert r.status_code == 422, (params, r.text)
        assert field in r.json()["detail"].split(":")[0], (params, r.json()["detail"])


def test_csv_export_has_the_cli_columns_and_neutralises_formulas(client: TestClient) -> None:
    client.post("/api/v1/webhooks/subscriptions", json={**HOOK, "description": "=HYPERLINK(1)"})
    r = client.get(AUDIT, params={"format": "csv", "entity": "webhook"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:3] == ["id", "at", "actor_kind"] and len(rows) == 2
    assert rows[1][rows[0].index("action")] == "subscribe"


def test_only_audit_read_opens_the_log(client: TestClient, ledger_container: Container) -> None:
    _subscribe(client, 1)
    assert client.get(AUDIT, headers=_as(client, ledger_container, "credit_manager")).status_code == 403
    auditor = client.get(AUDIT, headers=_as(client, ledger_container, "auditor"))
    assert auditor.status_code == 200 and len(auditor.json()["items"]) >= 1


def test_another_tenants_log_is_separate(client: TestClient) -> None:
    _subscribe(client, 1)
    assert client.get(AUDIT, headers={"X-Cobro-Tenant": "other"}).json()["items"] == []
