"""Customers and contacts over /api/v1 on SQLite and PostgreSQL (the small ledger of tests/e2e/ledger.py):
create, read with an ETag, PATCH with If-Match, cursor listings with filters and sort; contacts under a customer.
Every refusal names the field and changes nothing; another tenant's customer is not found."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cobro.platform.container import Container
from tests.e2e.auth import add_user, bearer

OTHER = {"X-Cobro-Tenant": "other"}
NEW = {"code": "C100", "legal_name": "Talleres Sur SL", "country": "es", "tax_id": "b-12345674",
       "segment": "industry", "collector": "Ana Ruiz", "credit_limit": "25000.00", "credit_limit_currency": "EUR",
       "terms": "NET 60"}


def codes(client: TestClient, **params: str | int) -> list[str]:
    r = client.get("/api/v1/customers", params=params)
    assert r.status_code == 200, r.text
    return [c["code"] for c in r.json()["items"]]


def field_of(r: object) -> str:
    """The field a 422 problem names: the start of its detail (ours) or the last part of a pydantic location."""
    body = r.json()  # type: ignore[attr-defined]
    if body.get("errors") and "loc" in body["errors"][0]:
        return str(body["errors"][0]["loc"][-1])
    return str(body["detail"]).split(":")[0]


def test_create_read_and_list_a_customer(client: TestClient) -> None:
    r = client.post("/api/v1/customers", json=NEW)
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == "/api/v1/customers/C100"
    body = r.json()
    # normalised as an import would: country upper-cased, the tax id by Spain's rule, the terms' canonical code
    assert (body["country"], body["tax_id"], body["terms"]) == ("ES", "B12345674", "net 60")
    assert body["credit_limit"] == {"amount": "25000.00", "currency": "EUR"}
    read = client.get("/api/v1/customers/C100")
    assert read.status_code == 200 and read.json() == body
    assert read.headers["ETag"] == r.headers["ETag"]
    assert "C100" in codes(client)
    assert client.get("/api/v1/customers/C100", headers=OTHER).status_code == 404


def test_a_code_that_exists_is_a_conflict(client: TestClient) -> None:
    r = client.post("/api/v1/customers", json={"code": "C001", "legal_name": "Otra SL"})
    assert r.status_code == 409
    assert client.get("/api/v1/customers/C001").json()["legal_name"] == "Construcciones Peña SL"


def test_bad_customers_name_the_field_and_write_nothing(client: TestClient) -> None:
    bad = {"tax_id": {"tax_id": "B12345670"}, "country": {"country": "Chile"},
           "credit_limit": {"credit_limit": "1e30"},
           "credit_limit_currency": {"credit_limit": "10", "credit_limit_currency": "XXY"},
           "terms": {"terms": "whenever"}, "legal_name": {"legal_name": " "}, "surname": {"surname": "x"}}
    for field, change in bad.items():
        r = client.post("/api/v1/customers", json={**NEW, **change})
        assert r.status_code == 422, (field, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert field_of(r) == field, r.json()
    assert "C100" not in codes(client)


def test_patch_changes_only_the_fields_sent(client: TestClient) -> None:
    etag = client.get("/api/v1/customers/C002").headers["ETag"]
    r = client.patch("/api/v1/customers/C002", json={"collector": "Eva Sanz", "credit_limit": "1000"},
                     headers={"If-Match": etag})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["collector"], body["credit_limit"]) == ("Eva Sanz", {"amount": "1000.00", "currency": "EUR"})
    assert (body["legal_name"], body["tax_id"], body["segment"]) == ("Distribuidora Núñez SA", "A58818501",
                                                                    "wholesale")
    assert r.headers["ETag"] != etag
    # the old ETag is stale now: refused, nothing changed
    stale = client.patch("/api/v1/customers/C002", json={"collector": "Otro"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert client.get("/api/v1/customers/C002").json()["collector"] == "Eva Sanz"
    cleared = client.patch("/api/v1/customers/C002", json={"credit_limit": ""})
    assert cleared.json()["credit_limit"] is None


def test_patch_revalidates_the_whole_record(client: TestClient) -> None:
    # C001's tax id is Spanish; moving it to Mexico checks it as an RFC, and refuses
    r = client.patch("/api/v1/customers/C001", json={"country": "MX"})
    assert r.status_code == 422 and field_of(r) == "tax_id"
    assert client.get("/api/v1/customers/C001").json()["country"] == "ES"
    assert client.patch("/api/v1/customers/C001", json={"country": "MX"}, headers=OTHER).status_code == 404
    assert client.patch("/api/v1/customers/NOPE", json={"segment": "x"}).status_code == 404


def test_listing_pages_filters_and_sorts(client: TestClient) -> None:
    first = client.get("/api/v1/customers", params={"limit": 2}).json()
    assert [c["code"] for c in first["items"]] == ["C001", "C002"]
    rest = client.get("/api/v1/customers", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert ([c["code"] for c in rest["items"]], rest["next_cursor"]) == (["C003"], None)
    assert codes(client, collector="Ana Ruiz") == ["C001", "C003"]
    assert codes(client, segment="wholesale", country="us") == ["C003"]
    assert codes(client, search="b1234") == ["C001"]  # part of the tax id
    assert codes(client, search="%") == []  # a literal percent sign, not a wildcard
    assert codes(client, sort="-legal_name") == ["C002", "C001", "C003"]
    by_name = client.get("/api/v1/customers", params={"sort": "legal_name", "limit": 1}).json()
    after = client.get("/api/v1/customers", params={"sort": "legal_name", "limit": 1,
                                                    "cursor": by_name["next_cursor"]}).json()
    assert [by_name["items"][0]["code"], after["items"][0]["code"]] == ["C003", "C001"]
    assert client.get("/api/v1/customers", headers=OTHER).json()["items"] == []
    for params, field in (({"sort": "balance"}, "sort"), ({"cursor": "nonsense!"}, "cursor"),
                          ({"limit": 0}, "limit"), ({"country": "España"}, "country")):
        r = client.get("/api/v1/customers", params=params)
        assert r.status_code == 422 and field_of(r) == field, (params, r.text)


def test_contacts_create_update_list_delete(client: TestClient) -> None:
    r = client.post("/api/v1/customers/C002/contacts",
                    json={"name": "Jorge Núñez", "role": "management", "email": "jorge@nunez.example"})
    assert r.status_code == 201, r.text
    contact = r.json()
    assert r.headers["Location"] == f"/api/v1/customers/C002/contacts/{contact['id']}"
    url = f"/api/v1/customers/C002/contacts/{contact['id']}"
    etag = client.get(url).headers["ETag"]
    changed = client.patch(url, json={"preferred_channel": "phone"}, headers={"If-Match": etag})
    assert changed.status_code == 200
    assert (changed.json()["preferred_channel"], changed.json()["email"]) == ("phone", "jorge@nunez.example")
    assert client.patch(url, json={"phone": "1"}, headers={"If-Match": etag}).status_code == 412
    assert [c["name"] for c in client.get("/api/v1/customers/C002/contacts").json()] == ["Jorge Núñez"]
    # a contact is reached only under its own customer, and only in its tenant
    assert client.get(f"/api/v1/customers/C001/contacts/{contact['id']}").status_code == 404
    assert client.get(url, headers=OTHER).status_code == 404
    assert client.delete(url, headers=OTHER).status_code == 404
    assert client.delete(url).status_code == 204
    assert client.get("/api/v1/customers/C002/contacts").json() == []
    assert client.delete(url).status_code == 404


def test_bad_contacts_name_the_field_and_write_nothing(client: TestClient) -> None:
    for change, field in (({"email": "maria@"}, "email"), ({"role": "boss"}, "role"),
                          ({"preferred_channel": "fax"}, "preferred_channel"), ({"name": ""}, "name")):
        r = client.post("/api/v1/customers/C003/contacts", json={"name": "Ann Lee", **change})
        assert r.status_code == 422 and field_of(r) == field, (change, r.text)
    assert client.get("/api/v1/customers/C003/contacts").json() == []
    twice = client.post("/api/v1/customers/C001/contacts", json={"name": "María Peña"})
    assert twice.status_code == 409
    assert client.post("/api/v1/customers/C001/contacts", json={"name": "X"}, headers=OTHER).status_code == 404
    maria = client.get("/api/v1/customers/C001/contacts").json()[0]
    r = client.patch(f"/api/v1/customers/C001/contacts/{maria['id']}", json={"email": "not an address"})
    assert r.status_code == 422 and field_of(r) == "email"
    assert client.get("/api/v1/customers/C001/contacts").json()[0]["email"] == "maria@pena.example"


def test_a_create_replayed_with_its_idempotency_key_acts_once(client: TestClient) -> None:
    key = {"Idempotency-Key": "customer-c100-once"}
    first = client.post("/api/v1/customers", json=NEW, headers=key)
    again = client.post("/api/v1/customers", json=NEW, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert codes(client).count("C100") == 1


def test_a_role_without_ledger_write_cannot_change_customers(client: TestClient,
                                                            ledger_container: Container) -> None:
    add_user(ledger_container, "collector@example.com", role="collector")
    headers = bearer(client, "collector@example.com")
    assert client.post("/api/v1/customers", json=NEW, headers=headers).status_code == 403
    assert client.patch("/api/v1/customers/C001", json={"segment": "x"}, headers=headers).status_code == 403
    assert client.post("/api/v1/customers/C001/contacts", json={"name": "X"}, headers=headers).status_code == 403
    assert client.get("/api/v1/customers/C001", headers=headers).status_code == 200  # reading is allowed
    assert client.get("/api/v1/customers/C001").json()["segment"] == "construction"
