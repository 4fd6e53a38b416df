"""Cash application over /api/v1 on the small ledger (SQLite and PostgreSQL): a camt.053 statement uploaded (dry
run, then for real, then again: idempotent), a bad file refused whole, the review queue and the decisions."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from cobro.cashapp.domain.matching import Line
from cobro.cashapp.service import review
from cobro.demo.statements import to_camt053
from cobro.platform.container import Container
from tests.e2e.auth import add_user, bearer

OUR_IBAN = "ES9121000418450200051332"
DAY = dt.date(2025, 6, 20)
OTHER = {"X-Cobro-Tenant": "other"}


def _statement(container: Container) -> bytes:
    with container.uow() as uow:
        review.add_bank_account(uow, OUR_IBAN)
        uow.commit()
    return to_camt053([
        Line("a", 100000, "EUR", DAY, "", "FRA F-001", "", "CONSTRUCCIONES PENA SL", "ES7620770024003102575766"),
        Line("b", 12345, "EUR", DAY, "", "VARIOS", "", "ALGUIEN", ""),  # nobody to pay: waits for review
    ], account=OUR_IBAN, when=DAY, statement_id="S-API-1")


def _upload(client: TestClient, body: bytes, **form: str) -> tuple[int, dict[str, object]]:
    r = client.post("/api/v1/statements", files={"file": ("s1.xml", body, "application/xml")}, data=form)
    return r.status_code, r.json()


def test_statement_dry_run_then_import_then_replay(client: TestClient, ledger_container: Container) -> None:
    body = _statement(ledger_container)
    before = client.get("/api/v1/invoices/F-001").json()
    code, dry = _upload(client, body, dry_run="true")
    assert code == 200 and dry["dry_run"] is True and dry["created"] == 2
    assert client.get("/api/v1/invoices/F-001").json() == before  # nothing written
    code, report = _upload(client, body)
    assert code == 200 and report["created"] == 2 and report["details"] == {"matched": 1, "unmatched": 1}
    assert client.get("/api/v1/invoices/F-001").json() != before
    code, again = _upload(client, body)
    assert code == 200 and (again["created"], again["unchanged"]) == (0, 2)


def test_a_bad_statement_is_refused_whole(client: TestClient, ledger_container: Container) -> None:
    body = _statement(ledger_container).replace(b'<Amt Ccy="EUR">1000.00</Amt>', b'<Amt Ccy="EUR">1x00.00</Amt>')
    code, report = _upload(client, body)
    assert code == 422 and report["errors"] and report["errors"][0]["file"] == "s1.xml"
    assert client.get("/api/v1/matches").json()["items"] == []  # not even the good entry


def test_review_queue_accept_and_reject(client: TestClient, ledger_container: Container) -> None:
    _upload(client, _statement(ledger_container))
    waiting = client.get("/api/v1/matches").json()["items"]
    assert [e["amount"] for e in waiting] == ["123.45"] and waiting[0]["payer"] == "ALGUIEN"
    entry = waiting[0]["id"]
    assert client.get("/api/v1/matches", headers=OTHER).json()["items"] == []
    assert client.post(f"/api/v1/matches/{entry}/accept", headers=OTHER).status_code == 404
    bad = client.post(f"/api/v1/matches/{entry}/accept", json={"customer": "NOPE"})
    assert bad.status_code == 404 and client.get("/api/v1/matches").json()["items"][0]["id"] == entry
    sales_email = "sales@example.com"
    add_user(ledger_container, sales_email, role="sales")
    assert client.post(f"/api/v1/matches/{entry}/reject", headers=bearer(client, sales_email)).status_code == 403
    done = client.post(f"/api/v1/matches/{entry}/reject")
    assert done.status_code == 200, done.text
    assert done.json() == {"entry": entry, "status": "rejected", "customer_id": None, "invoices": [],
                           "learned_account": None, "learned_alias": None}
    assert client.post(f"/api/v1/matches/{entry}/accept").status_code == 409  # decided already
    assert client.get("/api/v1/matches").json()["items"] == []


def test_accept_applies_to_the_customer_given(client: TestClient, ledger_container: Container) -> None:
    _upload(client, _statement(ledger_container))
    entry = client.get("/api/v1/matches").json()["items"][0]["id"]
    key = {"Idempotency-Key": "accept-1"}
    first = client.post(f"/api/v1/matches/{entry}/accept", json={"customer": "C002", "invoices": ["F-004"]},
                        headers=key)
    assert first.status_code == 200, first.text
    assert first.json()["invoices"] == ["F-004"]
    replay = client.post(f"/api/v1/matches/{entry}/accept", json={"customer": "C002", "invoices": ["F-004"]},
                         headers=key)
    assert replay.json() == first.json() and replay.headers.get("Idempotent-Replayed") == "true"


def test_statements_and_their_lines_are_listed(client: TestClient, ledger_container: Container) -> None:
    _upload(client, _statement(ledger_container))
    listed = client.get("/api/v1/statements").json()["items"]
    assert [(s["filename"], s["entries"]) for s in listed] == [("s1.xml", 2)]
    url = f"/api/v1/statements/{listed[0]['id']}/lines"
    first = client.get(url, params={"limit": 1}).json()
    rest = client.get(url, params={"limit": 1, "cursor": first["next_cursor"]}).json()
    lines = first["items"] + rest["items"]
    assert [ln["amount"] for ln in lines] == ["1000.00", "123.45"] and rest["next_cursor"] is None
    assert lines[1]["status"] == "unmatched" and lines[0]["status"] != "unmatched"
    assert client.get(url, headers=OTHER).status_code == 404
    assert client.get("/api/v1/statements", headers=OTHER).json()["items"] == []
    assert client.get("/api/v1/statements/999999/lines").status_code == 404
