"""Invoices, credit notes and payments over /api/v1 on SQLite and PostgreSQL (the small ledger of
tests/e2e/ledger.py): what they write is what the ledger's reports read (the summary's open amounts move)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from cobro.platform.container import Container
from tests.e2e.api.test_v1_ledger import OTHER, field_of
from tests.e2e.auth import add_user, bearer

INVOICE = {"number": "F-100", "customer_code": "C002", "issue_date": "2025-06-01", "currency": "EUR",
           "amount": "3000.00", "instalments": [{"due_date": "2025-07-01", "amount": "1000.00"},
                                                {"due_date": "2025-08-01", "amount": "2000.00"}]}
PAYMENT = {"reference": "P-100", "customer_code": "C001", "date": "2025-06-20", "currency": "EUR",
           "amount": "1200.00"}


def open_eur(client: TestClient) -> str:
    return str(client.get("/api/ledger/summary").json()["open_amount"]["EUR"])


def numbers(client: TestClient, **params: Any) -> list[str]:
    r = client.get("/api/v1/invoices", params=params)
    assert r.status_code == 200, r.text
    return [i["number"] for i in r.json()["items"]]


def test_an_invoice_with_instalments(client: TestClient) -> None:
    r = client.post("/api/v1/invoices", json=INVOICE)
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == "/api/v1/invoices/F-100"
    body = r.json()
    assert (body["due_date"], body["open"], body["status"]) == ("2025-08-01", "3000.00", "open")
    assert [(i["seq"], i["due_date"], i["open"]) for i in body["instalments"]] == [
        (1, "2025-07-01", "1000.00"), (2, "2025-08-01", "2000.00")]
    read = client.get("/api/v1/invoices/F-100")
    assert read.json() == body and read.headers["ETag"] == r.headers["ETag"]
    assert open_eur(client) == "7400.50"  # 4400.50 before: the ledger's reports see it
    assert client.get("/api/v1/invoices/F-100", headers=OTHER).status_code == 404


def test_an_invoice_due_by_terms(client: TestClient) -> None:
    r = client.post("/api/v1/invoices", json={"number": "F-101", "customer_code": "C003", "issue_date": "2025-06-10",
                                              "currency": "usd", "amount": "99.5", "terms": "eom 30"})
    assert r.status_code == 201, r.text
    assert (r.json()["due_date"], r.json()["amount"], r.json()["currency"]) == ("2025-07-30", "99.50", "USD")


def test_bad_invoices_name_the_field_and_write_nothing(client: TestClient) -> None:
    cases = [({"amount": "3000.001"}, "amount"), ({"amount": "-5"}, "amount"), ({"amount": 3000}, "amount"),
             ({"currency": "EURO"}, "currency"), ({"customer_code": "NOPE"}, "customer_code"),
             ({"customer_code": "C001", "number": ""}, "number"), ({"issue_date": "2025-02-30"}, "issue_date"),
             ({"instalments": [{"due_date": "2025-07-01", "amount": "1000.00"}]}, "instalments"),
             ({"instalments": [{"due_date": "2025-05-01", "amount": "3000.00"}]}, "instalments[0].due_date"),
             ({"instalments": [], "due_date": "2025-05-01"}, "due_date"), ({"terms": "soon"}, "terms")]
    for change, field in cases:
        r = client.post("/api/v1/invoices", json={**INVOICE, **change})
        assert r.status_code == 422, (change, r.text)
        assert field_of(r) == field, (change, r.json())
    assert client.post("/api/v1/invoices", json={**INVOICE, "number": "F-001"}).status_code == 409
    assert client.post("/api/v1/invoices", json=INVOICE, headers=OTHER).status_code == 422  # no C002 there
    assert "F-100" not in numbers(client, limit=500)
    assert open_eur(client) == "4400.50"


def test_invoice_listing_filters_sorts_and_pages(client: TestClient) -> None:
    assert numbers(client) == ["F-001", "F-004", "F-002", "F-005", "F-003"]  # by due date
    assert numbers(client, customer="C001", sort="-number") == ["F-003", "F-002", "F-001"]
    assert numbers(client, currency="usd") == ["F-005"]
    assert numbers(client, due_after="2025-05-01", due_before="2025-06-30") == ["F-004", "F-002"]
    assert numbers(client, status="paid") == []
    first = client.get("/api/v1/invoices", params={"limit": 3, "sort": "-issue_date"}).json()
    rest = client.get("/api/v1/invoices", params={"limit": 3, "sort": "-issue_date",
                                                  "cursor": first["next_cursor"]}).json()
    assert [i["number"] for i in first["items"] + rest["items"]] == ["F-003", "F-005", "F-002", "F-004", "F-001"]
    assert rest["next_cursor"] is None
    assert client.get("/api/v1/invoices", headers=OTHER).json()["items"] == []
    for params, field in (({"status": "late"}, "status"), ({"sort": "amount"}, "sort"),
                          ({"due_before": "2025-13-01"}, "due_before"),
                          ({"due_after": "2025-07-01", "due_before": "2025-06-01"}, "due_after"),
                          ({"sort": "number", "cursor": first["next_cursor"]}, "cursor")):
        r = client.get("/api/v1/invoices", params=params)
        assert r.status_code == 422 and field_of(r) == field, (params, r.text)


def test_a_credit_note_names_the_invoice_it_corrects(client: TestClient) -> None:
    r = client.post("/api/v1/credit-notes", json={"number": "R-1", "customer_code": "C001",
                                                  "issue_date": "2025-06-20", "currency": "EUR", "amount": "100.00",
                                                  "corrects": "F-002"})
    assert r.status_code == 201, r.text
    assert (r.json()["kind"], r.json()["corrects"], r.json()["open"]) == ("credit_note", "F-002", "0.00")
    # applied to the invoice it names, as an import applies one; the customer's balance is the same either way
    assert client.get("/api/v1/invoices/F-002").json()["open"] == "2400.50"
    assert client.get("/api/customers/C001").json()["balance"] == {"EUR": "3800.50"}
    assert numbers(client, kind="credit_note") == ["R-1"]
    for change, field in (({"corrects": "F-004"}, "corrects"), ({"corrects": "F-005"}, "corrects"),
                          ({"corrects": "R-1", "number": "R-2"}, "corrects"), ({"amount": "0"}, "amount")):
        bad = client.post("/api/v1/credit-notes", json={"number": "R-3", "customer_code": "C001",
                                                        "issue_date": "2025-06-20", "currency": "EUR",
                                                        "amount": "10.00", **change})
        assert bad.status_code == 422 and field_of(bad) == field, (change, bad.text)
    assert numbers(client, kind="credit_note") == ["R-1"]


def test_a_credit_note_larger_than_its_invoice_settles_it_and_keeps_the_rest(client: TestClient) -> None:
    r = client.post("/api/v1/credit-notes", json={"number": "R-9", "customer_code": "C001",
                                                  "issue_date": "2025-06-20", "currency": "EUR", "amount": "3000.00",
                                                  "corrects": "F-002"})
    assert r.status_code == 201, r.text
    assert r.json()["open"] == "499.50"  # 3,000.00 less the 2,500.50 the invoice had open
    assert client.get("/api/v1/invoices/F-002").json()["open"] == "0.00"
    assert client.get("/api/customers/C001").json()["balance"] == {"EUR": "900.50"}


def test_a_payment_allocated_by_the_ledgers_rule(client: TestClient) -> None:
    r = client.post("/api/v1/payments", json=PAYMENT)
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == "/api/v1/payments/P-100"
    body = r.json()
    assert [(a["invoice_number"], a["amount"]) for a in body["allocations"]] == [("F-001", "1000.00"),
                                                                                ("F-002", "200.00")]
    assert client.get("/api/v1/invoices/F-001").json()["status"] == "paid"
    assert open_eur(client) == "3200.50"
    assert client.get("/api/v1/payments/P-100").json() == body


def test_a_payment_with_explicit_allocations_and_credit_left(client: TestClient) -> None:
    r = client.post("/api/v1/payments", json={**PAYMENT, "allocations": [
        {"invoice_number": "F-003", "amount": "400.00"}, {"invoice_number": "F-002", "amount": "100.00"}]})
    assert r.status_code == 201, r.text
    assert (r.json()["unapplied"], [a["invoice_number"] for a in r.json()["allocations"]]) == (
        "700.00", ["F-003", "F-002"])
    assert client.get("/api/v1/invoices/F-003").json()["status"] == "paid"
    assert client.get("/api/customers/C001").json()["unapplied"] == {"EUR": "700.00"}


def test_an_unallocated_payment_is_kept_as_credit(client: TestClient) -> None:
    r = client.post("/api/v1/payments", json={**PAYMENT, "unallocated": True})
    assert r.status_code == 201 and r.json()["allocations"] == [] and r.json()["unapplied"] == "1200.00"
    assert open_eur(client) == "4400.50"


def test_bad_payments_name_the_field_and_write_nothing(client: TestClient) -> None:
    cases = [({"allocations": [{"invoice_number": "F-001", "amount": "1000.01"}]}, "allocations.0.amount"),
             ({"allocations": [{"invoice_number": "F-004", "amount": "10"}]}, "allocations.0.invoice_number"),
             ({"allocations": [{"invoice_number": "F-001", "amount": "700"},
                               {"invoice_number": "F-001", "amount": "400"}]}, "allocations.1.amount"),
             ({"allocations": [{"invoice_number": "F-002", "amount": "1300"}]}, "allocations"),
             ({"allocations": [{"invoice_number": "F-001", "amount": "1"}], "unallocated": True}, "unallocated"),
             ({"amount": "0"}, "amount"), ({"currency": "ZZZ"}, "currency"),
             ({"customer_code": "C9"}, "customer_code"),
             ({"date": "2025-6-1"}, "date")]
    for change, field in cases:
        r = client.post("/api/v1/payments", json={**PAYMENT, **change})
        assert r.status_code == 422, (change, r.text)
        assert field_of(r).replace("[", ".").replace("]", "") == field, (change, r.json())
    assert client.post("/api/v1/payments", json={**PAYMENT, "reference": "P-1", "customer_code": "C002"}
                       ).status_code == 409
    assert [p["reference"] for p in client.get("/api/v1/payments").json()["items"]] == ["P-1"]
    assert open_eur(client) == "4400.50"


def test_payment_listing(client: TestClient) -> None:
    for i, day in enumerate(("2025-06-11", "2025-06-12", "2025-06-12")):
        assert client.post("/api/v1/payments", json={**PAYMENT, "reference": f"P-{i + 10}", "date": day,
                                                     "amount": "1.00"}).status_code == 201
    first = client.get("/api/v1/payments", params={"limit": 2}).json()
    rest = client.get("/api/v1/payments", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [p["reference"] for p in first["items"] + rest["items"]] == ["P-12", "P-11", "P-10", "P-1"]
    only = client.get("/api/v1/payments", params={"customer": "C002"}).json()["items"]
    assert [p["reference"] for p in only] == ["P-1"]
    assert [p["reference"] for p in client.get("/api/v1/payments", params={
        "date_from": "2025-06-12", "date_to": "2025-06-12"}).json()["items"]] == ["P-12", "P-11"]
    assert client.get("/api/v1/payments", headers=OTHER).json()["items"] == []
    assert client.get("/api/v1/payments/P-1", headers=OTHER).status_code == 404
    r = client.get("/api/v1/payments", params={"date_from": "2025-07-01", "date_to": "2025-06-01"})
    assert r.status_code == 422 and field_of(r) == "date_from"


def test_a_payment_replayed_with_its_idempotency_key_is_recorded_once(client: TestClient) -> None:
    key = {"Idempotency-Key": "payment-p100"}
    first = client.post("/api/v1/payments", json=PAYMENT, headers=key)
    again = client.post("/api/v1/payments", json=PAYMENT, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()
    assert open_eur(client) == "3200.50"  # allocated once


def test_a_role_without_ledger_write_records_nothing(client: TestClient, ledger_container: Container) -> None:
    add_user(ledger_container, "sales@example.com", role="sales")
    headers = bearer(client, "sales@example.com")
    assert client.post("/api/v1/invoices", json=INVOICE, headers=headers).status_code == 403
    note = {"number": "R-9", "customer_code": "C001", "issue_date": "2025-06-20", "currency": "EUR", "amount": "1"}
    assert client.post("/api/v1/credit-notes", json=note, headers=headers).status_code == 403
    assert client.post("/api/v1/payments", json=PAYMENT, headers=headers).status_code == 403
    assert client.get("/api/v1/invoices", headers=headers).status_code == 200
    assert open_eur(client) == "4400.50"


def test_a_recorded_payment_is_announced_once_committed(client: TestClient, ledger_container: Container) -> None:
    from cobro.webhooks import service as webhooks

    with ledger_container.uow() as uow:
        webhooks.subscribe(uow, url="http://127.0.0.1:9/hooks", events=["payment.applied"])
        uow.commit()
    assert client.post("/api/v1/payments", json={**PAYMENT, "amount": "-1"}).status_code == 422
    r = client.post("/api/v1/payments", json=PAYMENT)
    assert r.status_code == 201
    with ledger_container.uow() as uow:
        sent = webhooks.deliveries(uow)
    assert [(d.event_type, d.entity) for d in sent] == [("payment.applied", f"payment:{r.json()['id']}")]
