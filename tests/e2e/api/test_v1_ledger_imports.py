"""`POST /api/v1/imports/{kind}` on SQLite and PostgreSQL: the CLI's JSON report for an uploaded file, problems
naming file, row and column, nothing written on error or in a dry run; the body limit holds."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cobro.app.cli import app as cli
from cobro.app.http import create_app
from cobro.kernel.clock import FixedClock
from cobro.platform.container import Container, build
from cobro.platform.settings import Settings
from tests.e2e.auth import add_user, bearer
from tests.e2e.ledger import AS_OF

CUSTOMERS = "code;legal_name;country;tax_id\nC200;Hierros Norte SL;ES;B12345674\nC201;Vidrios Este SA;ES;\n"
BAD = "code,legal_name,country,tax_id\nC300,Uno SL,ES,\nC301,,ES,\nC302,Tres SL,ES,B12345670\n"


def upload(client: TestClient, kind: str, name: str, text: str, **form: str) -> httpx.Response:
    return client.post(f"/api/v1/imports/{kind}", files={"file": (name, text.encode(), "text/csv")}, data=form)


def customers(client: TestClient) -> set[str]:
    return {c["code"] for c in client.get("/api/v1/customers", params={"limit": 500}).json()["items"]}


def test_an_upload_imports_and_reports_like_the_cli(client: TestClient, tmp_path: Path) -> None:
    r = upload(client, "customers", "clientes.csv", CUSTOMERS)
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["created"], report["updated"], report["unchanged"], report["errors"]) == (2, 0, 0, [])
    assert {"C200", "C201"} <= customers(client)
    again = upload(client, "customers", "clientes.csv", CUSTOMERS).json()
    assert (again["created"], again["unchanged"]) == (0, 2)  # idempotent on the customer code


def test_the_report_is_the_one_the_cli_prints(client: TestClient, ledger_container: Container, tmp_path: Path,
                                              db_url: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    printed = CliRunner().invoke(cli, ["--db", db_url, "import", "customers", str(path), "--json"])
    assert printed.exit_code == 2, printed.output
    r = upload(client, "customers", "bad.csv", BAD)
    assert r.status_code == 422
    body = r.json()
    cli_report = json.loads(printed.stdout)
    assert body["errors"] == cli_report["errors"]
    assert [(e["file"], e["row"], e["column"]) for e in body["errors"]] == [("bad.csv", 3, "legal_name"),
                                                                            ("bad.csv", 4, "tax_id")]
    assert "C300" not in customers(client)  # one bad row: nothing of the file is written


def test_a_dry_run_counts_and_writes_nothing(client: TestClient) -> None:
    r = upload(client, "customers", "clientes.csv", CUSTOMERS, dry_run="true")
    assert r.status_code == 200
    assert (r.json()["created"], r.json()["dry_run"]) == (2, True)
    assert "C200" not in customers(client)


def test_invoices_and_payments_through_uploads(client: TestClient) -> None:
    invoices = ("invoice_number,customer_code,issue_date,due_date,amount,currency\n"
                "F-200,C002,2025-06-01,2025-07-01,99.90,EUR\n")
    r = upload(client, "invoices", "facturas.csv", invoices)
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    payments = ("reference,customer_code,date,amount,currency,invoice_number\n"
                "P-200,C002,2025-06-25,99.90,EUR,F-200\n")
    r = upload(client, "payments", "cobros.csv", payments)
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    assert client.get("/api/v1/invoices/F-200").json()["status"] == "paid"
    unknown = upload(client, "contacts", "contactos.csv", "customer_code,name\nC999,Ana\n")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["column"] == "customer_code"


def test_a_file_refused_as_a_whole_names_what_is_missing(client: TestClient) -> None:
    r = upload(client, "invoices", "facturas.csv", "number,amount\nF-1,10\n")
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert errors and all(e["file"] == "facturas.csv" for e in errors)
    assert {"customer_code"} <= {e["column"] for e in errors}
    assert upload(client, "invoices", "facturas.exe", "x").status_code == 422
    assert client.post("/api/v1/imports/budgets", files={"file": ("a.csv", b"x")}).status_code == 422
    assert client.post("/api/v1/imports/customers").status_code == 422  # no file part


def test_other_tenants_and_roles(client: TestClient, ledger_container: Container) -> None:
    r = client.post("/api/v1/imports/customers", files={"file": ("c.csv", CUSTOMERS.encode())},
                    headers={"X-Cobro-Tenant": "other"})
    assert r.status_code == 200
    assert "C200" not in customers(client)  # written to the other tenant only
    add_user(ledger_container, "auditor@example.com", role="auditor")
    denied = client.post("/api/v1/imports/customers", files={"file": ("c.csv", CUSTOMERS.encode())},
                         headers=bearer(client, "auditor@example.com"))
    assert denied.status_code == 403


def test_an_upload_above_the_body_limit_is_refused(ledger_container: Container, db_url: str) -> None:
    small = build(Settings(database_url=db_url, max_request_bytes=4096),
                  clock=FixedClock(dt.datetime.combine(AS_OF, dt.time(12), tzinfo=dt.UTC)))
    try:
        add_user(small, "big@example.com")
        with TestClient(create_app(container=small)) as c:
            c.headers.update(bearer(c, "big@example.com"))
            rows = "".join(f"C{i:05d},Cliente {i} SL\n" for i in range(2000))
            r = c.post("/api/v1/imports/customers", files={"file": ("c.csv", ("code,legal_name\n" + rows).encode())})
            assert r.status_code == 413
            assert "C00001" not in {x["code"] for x in c.get("/api/v1/customers").json()["items"]}
    finally:
        small.close()


def test_an_upload_reports_how_the_file_was_read_and_what_changed(client: TestClient) -> None:
    assert upload(client, "customers", "clientes.csv", CUSTOMERS).status_code == 200
    fewer = "Código;Nombre;Forma de pago\nC200;Hierros Norte SL;60 días f.f.\n"
    r = upload(client, "customers", "pocas.csv", fewer, dry_run="true")
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["file_format"] == {"file": "pocas.csv", "encoding": "utf-8", "delimiter": ";", "decimal": "-",
                                     "thousands": "-"}
    assert report["columns"] == {"code": "Código", "legal_name": "Nombre", "terms": "Forma de pago"}
    assert report["changes"] == [{"row": 2, "key": "C200", "field": "terms", "old": "net 30", "new": "net 60"}]
