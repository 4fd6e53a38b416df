"""The JSON API over the small ledger, on SQLite and PostgreSQL: status codes, schemas, problem JSON, tenants."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cobro.ledger.schemas.customers import CustomerDetail, CustomerList
from cobro.ledger.schemas.ledger import LedgerSummary
from cobro.platform.http.schemas import Health
from cobro.reporting.schemas import AgeingReport

OTHER = {"X-Cobro-Tenant": "other"}


def test_health(client: TestClient) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    assert Health.model_validate(r.json()).database == "ok"


def test_ledger_summary(client: TestClient) -> None:
    r = client.get("/api/ledger/summary")
    assert r.status_code == 200
    data = LedgerSummary.model_validate(r.json())
    assert (data.customers, data.invoices, data.open_invoices) == (3, 5, 5)
    assert data.open_amount == {"EUR": "4400.50", "USD": "1200.00"}
    # before the payment of 2025-06-10 F-004 was open in full (800.00 instead of 500.00)
    before = client.get("/api/ledger/summary", params={"as_of": "2025-06-09"}).json()
    assert before["open_amount"]["EUR"] == "4300.50"  # and F-003 (issued 06-15) not yet issued


def test_customer_list_and_search(client: TestClient) -> None:
    r = client.get("/api/customers")
    assert r.status_code == 200
    data = CustomerList.model_validate(r.json())
    assert data.total == 3
    assert [c.code for c in data.items] == ["C001", "C002", "C003"]
    assert data.items[0].balance == {"EUR": "3900.50"}
    assert data.items[0].open_items == 3
    found = client.get("/api/customers", params={"search": "núñez"}).json()
    assert [c["code"] for c in found["items"]] == ["C002"]
    page = client.get("/api/customers", params={"limit": 2, "page": 2}).json()
    assert page["total"] == 3
    assert [c["code"] for c in page["items"]] == ["C003"]


def test_customer_detail(client: TestClient) -> None:
    r = client.get("/api/customers/C002", params={"as_of": "2025-06-30"})
    assert r.status_code == 200
    data = CustomerDetail.model_validate(r.json())
    assert data.customer.legal_name == "Distribuidora Núñez SA"
    assert data.balance == {"EUR": "500.00"}
    assert [(i.invoice, i.open, i.days_past_due) for i in data.open_items] == [("F-004", "500.00", 60)]
    assert [(p.reference, p.amount) for p in data.payments] == [("P-1", "300.00")]
    contacts = client.get("/api/customers/C001").json()["contacts"]
    assert contacts[0]["email"] == "maria@pena.example"


def test_ageing_report(client: TestClient) -> None:
    r = client.get("/api/reports/ageing", params={"as_of": "2025-06-30"})
    assert r.status_code == 200
    report = AgeingReport.model_validate(r.json())
    eur = report.currency["EUR"]
    assert eur.total == "4400.50"
    assert {b.label: b.amount for b in eur.buckets} == {
        "Not due": "400.00", "1–30": "2500.50", "31–60": "500.00", "61–90": "0.00", "91–120": "1000.00",
        ">120": "0.00"}
    assert r.json()["currency"]["EUR"]["buckets"][1]["from"] == 1  # aliases on the wire
    custom = client.get("/api/reports/ageing", params={"buckets": "0,45", "basis": "invoice"}).json()
    assert custom["basis"] == "invoice"
    assert len(custom["currency"]["EUR"]["buckets"]) == 2


def test_not_found_is_problem_json(client: TestClient) -> None:
    r = client.get("/api/customers/NOPE")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 404
    assert body["type"].endswith("/not-found")
    assert "NOPE" in body["detail"]
    assert body["instance"] == "/api/customers/NOPE"


def test_invalid_input_is_422_problem(client: TestClient) -> None:
    for url, params in (("/api/customers", {"limit": "0"}), ("/api/ledger/summary", {"as_of": "yesterday"}),
                        ("/api/reports/ageing", {"buckets": "30,10"}), ("/api/reports/ageing", {"basis": "x"})):
        r = client.get(url, params=params)
        assert r.status_code == 422, (url, params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["status"] == 422


def test_second_tenant_sees_nothing_of_the_first(client: TestClient) -> None:
    assert client.get("/api/customers", headers=OTHER).json() == {"items": [], "total": 0}
    summary = client.get("/api/ledger/summary", headers=OTHER).json()
    assert (summary["customers"], summary["open_amount"]) == (0, {})
    assert client.get("/api/customers/C001", headers=OTHER).status_code == 404
    assert client.get("/api/reports/ageing", headers=OTHER).json()["currency"] == {}
    unknown = client.get("/api/customers", headers={"X-Cobro-Tenant": "ghost"})
    assert unknown.status_code == 404
    assert "ghost" in unknown.json()["detail"]


def test_openapi_lists_the_endpoints(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert {"/api/health", "/api/ledger/summary", "/api/customers", "/api/customers/{code}",
            "/api/reports/ageing"} <= set(spec["paths"])
    assert not any(p.startswith("/customers") or p == "/" for p in spec["paths"])  # pages stay out


def test_openapi_says_how_to_authenticate_and_which_calls_need_no_credentials(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["password"]["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    assert schemes["apiKey"] == {**schemes["apiKey"], "in": "header", "name": "X-Api-Key"}
    assert {"password", "bearer", "apiKey"} == {name for req in spec["security"] for name in req}
    operations = {(method, path): op for path, ops in spec["paths"].items() for method, op in ops.items()}
    open_ones = {key for key, op in operations.items() if op.get("security") == []}
    assert ("get", "/api/health") in open_ones and ("post", "/api/v1/auth/token") in open_ones
    assert ("get", "/api/customers") not in open_ones
    with TestClient(client.app) as anonymous:  # what the document calls open answers without credentials
        for method, path in open_ones:
            if method == "get" and "{" not in path:
                assert anonymous.get(path).status_code != 401, path
        assert anonymous.get("/api/customers").status_code == 401
    tags = [t["name"] for t in spec["tags"]]
    assert len(tags) == len(set(tags)) and {"ledger", "collections", "reporting"} <= set(tags)
    assert all(op["tags"] and set(op["tags"]) <= set(tags) for op in operations.values())  # one tag per feature
    assert not {"customers", "reports"} & set(tags)


def test_the_first_openapi_address_redirects(client: TestClient) -> None:
    moved = client.get("/api/openapi.json", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/api/v1/openapi.json"
    assert client.get("/api/openapi.json").json()["openapi"].startswith("3.1")
