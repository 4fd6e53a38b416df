"""/api/v1/customers/{code}/comments on the small ledger (SQLite and PostgreSQL): sales and collectors write,
auditors read but may not write; the author is the caller; mentions notify; refusals name the field."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cobro.platform.container import Container
from tests.e2e.auth import add_user, bearer

URL = "/api/v1/customers/C001/comments"


def test_comments_over_the_api(client: TestClient, ledger_container: Container) -> None:
    for role in ("sales", "collector", "auditor"):
        add_user(ledger_container, f"{role}@example.com", role=role)
    sales, collector, auditor = (bearer(client, f"{r}@example.com") for r in ("sales", "collector", "auditor"))
    made = client.post(URL, json={"text": "Can we ship again? @collector", "author": "x"}, headers=sales)
    assert made.status_code == 422  # no author in the body: the caller is the author
    made = client.post(URL, json={"text": "Can we ship again? @collector@example.com"}, headers=sales)
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["author"], body["mentions"], body["notified"]) == (
        "sales@example.com", ["collector@example.com"], ["collector@example.com"])
    answer = client.post(URL, json={"text": "Not before F-001 is paid", "invoice": "F-001"}, headers=collector)
    assert answer.status_code == 201 and answer.json()["invoice"] == "F-001"
    assert client.post(URL, json={"text": "I approve"}, headers=auditor).status_code == 403
    listed = client.get(URL, headers=auditor)
    assert listed.status_code == 200
    assert [(c["author"], c["invoice"]) for c in listed.json()] == [("sales@example.com", None),
                                                                    ("collector@example.com", "F-001")]
    bad = client.post(URL, json={"text": "@nobody look"}, headers=sales)
    assert bad.status_code == 422 and bad.json()["detail"].startswith("text")
    assert client.post(URL, json={"text": "x" * 4001}, headers=sales).status_code == 422
    missing = client.post(URL, json={"text": "ok", "invoice": "F-404"}, headers=sales)
    assert missing.status_code == 404 and missing.json()["detail"].startswith("invoice")
    assert client.get("/api/v1/customers/C001/comments", headers={"X-Cobro-Tenant": "other"}).status_code == 404


def test_a_comment_is_on_the_customer_page_escaped(client: TestClient) -> None:
    made = client.post(URL, json={"text": "<script>alert(1)</script> call before shipping"})
    assert made.status_code == 201, made.text
    page = client.get("/customers/C001", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt; call before shipping" in page.text
    assert "<script>alert(1)</script>" not in page.text
