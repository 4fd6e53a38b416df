"""Stored payment-date predictions on the small ledger (SQLite and PostgreSQL): `cobro predict refresh` scores the
instalments open at the as-of date, once per date however often it runs; paid instalments are not scored; the API
(`ledger.read`), `predictions_for` and `cobro customers show` read them back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from cobro.app.cli import app as cli_app
from cobro.forecasting import service
from cobro.ledger.service import imports
from cobro.platform.cli.context import State
from cobro.platform.container import Container
from cobro.platform.http.paging import encode_cursor
from tests.e2e.auth import add_user, bearer
from tests.e2e.ledger import AS_OF

OPEN = {"F-002", "F-003", "F-004", "F-005"}  # F-001 is paid in full below


def _pay_f001(container: Container, tmp_path: Path) -> None:
    path = tmp_path / "paid.csv"
    path.write_text("reference,customer_code,date,amount,currency,invoice_number\n"
                    "P-2,C001,2025-06-20,1000.00,EUR,F-001\n", encoding="utf-8")
    with container.uow() as uow:
        assert imports.import_payments(uow, path).ok
        uow.commit()


def _refresh(container: Container, day: dt.date, tmp_path: Path) -> service.RefreshResult:
    with container.uow() as uow:
        result = service.refresh(uow, day, tmp_path / "models")
        uow.commit()
    return result


def _rows(container: Container) -> list[tuple[str, str]]:
    with container.engine.connect() as conn:
        return [(str(d)[:10], str(label)) for d, label in
                conn.execute(text("SELECT as_of, label FROM payment_predictions ORDER BY as_of, label"))]


def test_refresh_stores_one_row_per_open_instalment_and_date(ledger_container: Container, tmp_path: Path) -> None:
    _pay_f001(ledger_container, tmp_path)
    first = _refresh(ledger_container, AS_OF, tmp_path)
    assert (first.scored, first.replaced) == (4, 0)
    again = _refresh(ledger_container, AS_OF, tmp_path)
    assert (again.scored, again.replaced) == (4, 4)
    assert _rows(ledger_container) == [(AS_OF.isoformat(), n) for n in sorted(OPEN)]  # replaced, not duplicated
    earlier = AS_OF - dt.timedelta(days=16)  # before P-2: F-001 was open then; F-003 was not issued yet
    assert _refresh(ledger_container, earlier, tmp_path).scored == 4
    assert sorted(n for d, n in _rows(ledger_container) if d == earlier.isoformat()) == [
        "F-001", "F-002", "F-004", "F-005"]
    with ledger_container.uow() as uow:
        found = service.predictions_for(uow, None, AS_OF + dt.timedelta(days=3))  # the latest refresh by then
        c001 = next(p.customer_id for p in found if p.customer == "C001")
        mine = service.predictions_for(uow, [c001], AS_OF)
        assert service.predictions_for(uow, None, earlier - dt.timedelta(days=1)) == []
        audit = uow.session.execute(text("SELECT COUNT(*) FROM audit_log WHERE entity = 'payment_predictions'"))
        assert audit.scalar_one() == 3
    assert {p.instalment for p in found} == OPEN and {p.as_of for p in found} == {AS_OF}
    assert {p.instalment for p in mine} == {"F-002", "F-003"}
    for p in found:
        assert AS_OF < p.p10_date <= p.p50_date <= p.p90_date and p.expected_date > AS_OF
        assert dataclasses.asdict(p)["model_version"].startswith("paydate-baseline-v1-")
        assert p.reasons and 0 <= p.p_unpaid_180 <= 1
    f004 = next(p for p in found if p.instalment == "F-004")
    assert (f004.open.amount, f004.open.currency) == (Decimal("500.00"), "EUR")  # the open part after P-1
    assert f004.p_late == 1  # due 2025-05-01, still open: late already
    f005 = next(p for p in found if p.instalment == "F-005")  # not due yet; its one settled precedent was late
    assert f005.due_date > AS_OF and f005.reasons[0] == "customer median delay +81.0 d"


def test_predictions_over_the_api_and_in_customers_show(client: TestClient, ledger_container: Container,
                                                        tmp_path: Path) -> None:
    assert client.get("/api/v1/predictions", headers={"Authorization": ""}).status_code == 401
    empty = client.get("/api/v1/predictions", params={"as_of": AS_OF.isoformat()})
    assert empty.status_code == 200 and empty.json() == {"items": [], "next_cursor": None}
    _pay_f001(ledger_container, tmp_path)
    _refresh(ledger_container, AS_OF, tmp_path)
    add_user(ledger_container, "auditor@example.com", role="auditor")
    auditor = bearer(client, "auditor@example.com")
    page = client.get("/api/v1/predictions", params={"as_of": AS_OF.isoformat(), "limit": 3}, headers=auditor)
    assert page.status_code == 200, page.text
    body = page.json()
    assert len(body["items"]) == 3 and body["next_cursor"]
    rest = client.get("/api/v1/predictions", params={"as_of": AS_OF.isoformat(), "cursor": body["next_cursor"]},
                      headers=auditor).json()
    assert {i["instalment"] for i in body["items"] + rest["items"]} == OPEN and rest["next_cursor"] is None
    item = body["items"][0]
    assert set(item) >= {"expected_date", "p10_date", "p50_date", "p90_date", "p_late", "p_unpaid_180",
                         "model_version", "reasons"}
    one = client.get("/api/v1/predictions", params={"customer": "C002", "as_of": AS_OF.isoformat()}).json()
    assert [i["instalment"] for i in one["items"]] == ["F-004"] and one["items"][0]["open"] == "500.00"
    assert client.get("/api/v1/predictions", params={"customer": "C404"}).status_code == 404
    inv = client.get("/api/v1/invoices/F-005/predictions", params={"as_of": AS_OF.isoformat()})
    assert inv.status_code == 200 and [i["currency"] for i in inv.json()] == ["USD"]
    paid = client.get("/api/v1/invoices/F-001/predictions", params={"as_of": AS_OF.isoformat()})
    assert paid.status_code == 200 and paid.json() == []  # paid in full: not scored
    assert client.get("/api/v1/predictions", params={"cursor": "bad!"}).status_code == 422
    forged = client.get("/api/v1/predictions", params={"cursor": encode_cursor(["C001", "soon", "F-002"])})
    assert forged.status_code == 422 and forged.json()["detail"].startswith("cursor")
    walked, cursor = [], None
    while True:  # one by one: every open instalment once, in the listing's order
        got = client.get("/api/v1/predictions", params={"as_of": AS_OF.isoformat(), "limit": 1,
                                                        **({"cursor": cursor} if cursor else {})}).json()
        walked += [i["instalment"] for i in got["items"]]
        if not (cursor := got["next_cursor"]):
            break
    assert walked == ["F-002", "F-003", "F-004", "F-005"]  # C001 by due date, then C002, C003
    other = client.get("/api/v1/predictions", params={"as_of": AS_OF.isoformat()}, headers={"X-Cobro-Tenant": "other"})
    assert other.status_code == 200 and other.json()["items"] == []  # another tenant sees none of them
    shown = CliRunner().invoke(cli_app, ["customers", "show", "C001", "--as-of", AS_OF.isoformat(), "--json"],
                               obj=State(ledger_container))
    assert shown.exit_code == 0, shown.output
    section = json.loads(shown.stdout)["payment_predictions"]
    assert [p["instalment"] for p in section] == ["F-002", "F-003"]
    text_out = CliRunner().invoke(cli_app, ["customers", "show", "C001", "--as-of", AS_OF.isoformat()],
                                  obj=State(ledger_container))
    assert "predicted: F-002" in text_out.output


def test_the_daily_job_refreshes_the_slot_day(ledger_container: Container, tmp_path: Path) -> None:
    from cobro.app.jobs import registry
    from cobro.jobs.domain import Kind

    job = registry(ledger_container.settings).get("predict_refresh")
    assert job.schedule.kind is Kind.DAILY and job.scheduled
    now = dt.datetime.combine(AS_OF, dt.time(5, 30), tzinfo=dt.UTC)
    summary = job.run(ledger_container, "default", as_of=AS_OF, now=now)
    assert summary.startswith("5 open instalments scored as of 2025-06-30")
    assert job.run(ledger_container, "default", as_of=AS_OF, now=now) == summary  # a retried slot stores once
    assert len(_rows(ledger_container)) == 5
