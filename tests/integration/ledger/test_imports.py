"""Imports end to end through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cobro.app.cli import app
from tests.conftest import IBM_CSV, IBM_MAPPING

runner = CliRunner()


def cobro(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def summary() -> dict[str, object]:
    code, out = cobro("ledger", "summary", "--json")
    assert code == 0, out
    return json.loads(out)


CUSTOMERS_ES = (
    "Código;Razón social;País;NIF;Segmento;Límite de crédito;Condiciones\n"
    "C001;Construcciones Peña SL;ES;B12345674;construcción;15.000,00;net 60 pay days 10,25\n"
    "C002;Distribuidora Núñez SA;ES;A58818501;mayorista;;eom 30\n"
)
INVOICES_ES = (
    "Factura;Cliente;Fecha;Vencimiento;Importe;Moneda\n"
    "F-2025-001;C001;15/01/2025;25/03/2025;1.234,56;EUR\n"
    "F-2025-002;C001;20/02/2025;;12.100,00;EUR\n"
    "F-2025-003;C002;01/03/2025;30/04/2025;99,9;EUR\n"
)


@pytest.fixture
def es_files(tmp_path: Path) -> tuple[Path, Path]:
    customers = tmp_path / "clientes.csv"
    customers.write_bytes(CUSTOMERS_ES.encode("cp1252"))
    invoices = tmp_path / "facturas.csv"
    invoices.write_bytes(INVOICES_ES.encode("cp1252"))
    return customers, invoices


def test_ibm_file_with_shipped_mapping(cli_env: dict[str, str]) -> None:
    if not IBM_CSV.exists():
        pytest.skip("shared IBM data not present")
    code, out = cobro("import", "invoices", str(IBM_CSV), "--mapping", str(IBM_MAPPING), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["created"] == 1930
    assert report["errors"] == []
    data = summary()
    assert data["customers"] == 100
    assert data["invoices"] == 1930
    assert data["open_invoices"] == 0  # every invoice in the file is settled
    # as of 2013-03-31 the invoices settled later are still open
    code, out = cobro("ledger", "summary", "--as-of", "2013-03-31", "--json")
    as_of = json.loads(out)
    assert as_of["open_invoices"] > 0
    # idempotent: the second import changes nothing
    code, out = cobro("import", "invoices", str(IBM_CSV), "--mapping", str(IBM_MAPPING), "--json")
    again = json.loads(out)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1930)
    assert summary() == data


def test_spanish_semicolon_latin1_decimal_comma(cli_env: dict[str, str], es_files: tuple[Path, Path]) -> None:
    customers, invoices = es_files
    code, out = cobro("import", "customers", str(customers), "--json")
    assert code == 0, out
    assert json.loads(out)["created"] == 2
    code, out = cobro("import", "invoices", str(invoices), "--json")
    assert code == 0, out
    assert json.loads(out)["created"] == 3
    data = summary()
    assert data["open_amount"] == {"EUR": "13434.46"}  # 1,234.56 + 12,100.00 + 99.90
    code, out = cobro("customers", "show", "C001", "--json")
    shown = json.loads(out)
    assert shown["customer"]["legal_name"] == "Construcciones Peña SL"
    assert shown["customer"]["credit_limit"] == "15000.00 EUR"
    # F-2025-002 has no due date: customer terms are not applied by the file, the default net 30 is
    dues = {i["invoice"]: i["due_date"] for i in shown["open_items"]}
    assert dues == {"F-2025-001": "2025-03-25", "F-2025-002": "2025-03-22"}


def test_one_bad_row_changes_nothing(cli_env: dict[str, str], es_files: tuple[Path, Path], tmp_path: Path) -> None:
    customers, invoices = es_files
    assert cobro("import", "customers", str(customers))[0] == 0
    assert cobro("import", "invoices", str(invoices))[0] == 0
    before = summary()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Factura;Cliente;Fecha;Vencimiento;Importe;Moneda\n"
        "F-2025-010;C001;15/04/2025;15/05/2025;500,00;EUR\n"
        "F-2025-011;C002;31/02/2025;15/05/2025;10,00;EUR\n"
        "F-2025-012;C002;01/04/2025;15/05/2025;diez;EUR\n"
        "F-2025-013;C002;01/04/2025;15/05/2025;10,00;EURO\n"
        "F-2025-001;C001;15/01/2025;25/03/2025;-5,00;EUR\n"
        "F-2025-014;C002;01/04/2025;15/05/2025;10,00;EUR\n"
        "F-2025-014;C002;01/04/2025;15/05/2025;10,00;EUR\n",
        encoding="utf-8",
    )
    code, out = cobro("import", "invoices", str(bad), "--json")
    assert code == 2
    errors = json.loads(out)["errors"]
    located = {(e["row"], e["column"]) for e in errors}
    assert (3, "Fecha") in located  # impossible date
    assert (4, "Importe") in located  # non-numeric amount
    assert (5, "Moneda") in located  # unknown currency
    assert (6, "Importe") in located  # negative amount
    assert (8, "Factura") in located  # duplicate inside the file
    assert all(e["file"] == "bad.csv" for e in errors)
    assert any("31/02/2025" in e["message"] for e in errors)
    assert summary() == before


def test_missing_required_column_and_unknown_customer(cli_env: dict[str, str], tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("Factura,Fecha,Importe\nA1,2025-01-01,10\n", encoding="utf-8")
    code, out = cobro("import", "invoices", str(f), "--json")
    assert code == 2
    assert "customer_code" in json.loads(out)["errors"][0]["message"]
    g = tmp_path / "y.csv"
    g.write_text("invoice_number,customer_code,issue_date,amount,currency\nA1,NOPE,2025-01-01,10,EUR\n")
    code, out = cobro("import", "invoices", str(g), "--json")
    assert code == 2
    err = json.loads(out)["errors"][0]
    assert (err["row"], err["column"]) == (2, "customer_code")
    assert summary()["invoices"] == 0


def test_unknown_customers_are_reported_with_the_other_errors(cli_env: dict[str, str], es_files: tuple[Path, Path],
                                                              tmp_path: Path) -> None:
    """One pass shows every problem: a bad amount and an unknown customer together, in file order."""
    customers, _ = es_files
    cobro("import", "customers", str(customers))
    f = tmp_path / "mixed.csv"
    f.write_text("invoice_number,customer_code,issue_date,amount,currency,country\n"
                 "A1,NOPE,2025-01-01,10,EUR,ES\n"
                 "A2,C001,2025-01-01,diez,EUR,ES\n"
                 "A3,C001,2025-01-01,10,EUR,Chile\n", encoding="utf-8")
    code, out = cobro("import", "invoices", str(f), "--json")
    assert code == 2
    errors = [(e["row"], e["column"]) for e in json.loads(out)["errors"]]
    assert errors == [(2, "customer_code"), (3, "amount"), (4, "country")]
    assert summary()["invoices"] == 0


def test_reimport_updates_changed_rows(cli_env: dict[str, str], es_files: tuple[Path, Path], tmp_path: Path) -> None:
    customers, invoices = es_files
    cobro("import", "customers", str(customers))
    cobro("import", "invoices", str(invoices))
    changed = tmp_path / "facturas2.csv"
    changed.write_bytes(INVOICES_ES.replace("99,9;", "199,9;").encode("cp1252"))
    code, out = cobro("import", "invoices", str(changed), "--json")
    report = json.loads(out)
    assert code == 0
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 2)
    assert summary()["open_amount"] == {"EUR": "13534.46"}


@pytest.mark.parametrize("bulk", [False, True], ids=["merge", "bulk"])
def test_reimport_of_a_paid_invoice_keeps_its_payment(cli_env: dict[str, str], es_files: tuple[Path, Path],
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      bulk: bool) -> None:
    """A changed amount is rewritten with the payments already allocated: open = new amount - paid, and the
    status follows (also on the bulk path, which rebuilds the indexes after rewriting most of the ledger)."""
    from cobro.ledger.repository import invoice_import

    if bulk:
        monkeypatch.setattr(invoice_import, "BULK_MIN_ROWS", 1)
    customers, invoices = es_files
    cobro("import", "customers", str(customers))
    cobro("import", "invoices", str(invoices))
    pay = tmp_path / "cobros.csv"
    pay.write_text("reference;customer_code;date;amount;currency;invoice_number\n"
                   "TR-9;C002;2025-04-02;99,90;EUR;F-2025-003\n", encoding="utf-8")
    assert cobro("import", "payments", str(pay))[0] == 0
    assert json.loads(cobro("customers", "show", "C002", "--json")[1])["open_items"] == []
    changed = tmp_path / "facturas3.csv"
    changed.write_bytes(INVOICES_ES.replace("99,9;", "199,9;").replace("1.234,56", "1.334,56").encode("cp1252"))
    code, out = cobro("import", "invoices", str(changed), "--json")
    assert code == 0, out
    assert (json.loads(out)["updated"], json.loads(out)["unchanged"]) == (2, 1)
    c2 = json.loads(cobro("customers", "show", "C002", "--json")[1])
    assert {i["invoice"]: i["open"] for i in c2["open_items"]} == {"F-2025-003": "100.00"}
    c1 = json.loads(cobro("customers", "show", "C001", "--json")[1])
    assert {i["invoice"]: i["open"] for i in c1["open_items"]} == {"F-2025-001": "1334.56", "F-2025-002": "12100.00"}
    assert summary()["open_invoices"] == 3
    assert summary()["open_amount"] == {"EUR": "13534.56"}


def test_payments_allocate_oldest_first_and_keep_overpayment(
    cli_env: dict[str, str], es_files: tuple[Path, Path], tmp_path: Path
) -> None:
    customers, invoices = es_files
    cobro("import", "customers", str(customers))
    cobro("import", "invoices", str(invoices))
    pay = tmp_path / "cobros.csv"
    pay.write_text(
        "reference;customer_code;date;amount;currency;invoice_number\n"
        "TR-1;C001;2025-04-01;1.000,00;EUR;\n"  # partial on the earliest due (F-2025-002, due 22 March)
        "TR-2;C002;2025-04-02;150,00;EUR;F-2025-003\n",  # overpays 99.90 by 50.10
        encoding="utf-8",
    )
    code, out = cobro("import", "payments", str(pay), "--json")
    assert code == 0, out
    assert json.loads(out)["created"] == 2
    c1 = json.loads(cobro("customers", "show", "C001", "--json")[1])
    assert {i["invoice"]: i["open"] for i in c1["open_items"]} == {"F-2025-001": "1234.56", "F-2025-002": "11100.00"}
    c2 = json.loads(cobro("customers", "show", "C002", "--json")[1])
    assert c2["open_items"] == []
    assert c2["unapplied"] == {"EUR": "50.10"}
    assert c2["balance"] == {"EUR": "-50.10"}
    # same file again: nothing new
    code, out = cobro("import", "payments", str(pay), "--json")
    assert json.loads(out)["unchanged"] == 2


def test_xlsx_import_and_truncated_xlsx(cli_env: dict[str, str], tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["code", "legal_name", "country", "tax_id"])
    ws.append(["MX1", "Distribuidora del Norte SA de CV", "MX", "EKU9003173C9"])
    good = tmp_path / "c.xlsx"
    wb.save(good)
    assert cobro("import", "customers", str(good))[0] == 0
    wb2 = openpyxl.Workbook()
    ws2 = wb2.active
    assert ws2 is not None
    ws2.append(["invoice_number", "customer_code", "issue_date", "amount", "currency"])
    ws2.append(["MX-1", "MX1", dt.datetime(2025, 1, 10), 1500.5, "MXN"])
    ws2.append(["MX-2", "MX1", 45717, 20, "MXN"])  # an Excel serial date typed as a number
    inv = tmp_path / "i.xlsx"
    wb2.save(inv)
    code, out = cobro("import", "invoices", str(inv), "--json")
    assert code == 0, out
    assert summary()["open_amount"] == {"MXN": "1520.50"}
    truncated = tmp_path / "t.xlsx"
    truncated.write_bytes(inv.read_bytes()[:300])
    code, out = cobro("import", "invoices", str(truncated), "--json")
    assert code == 2
    assert "t.xlsx" in json.loads(out)["errors"][0]["message"]


def test_invalid_tax_id_error_or_warning(cli_env: dict[str, str], tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text("code,legal_name,country,tax_id\nX1,Foo SL,ES,B12345675\n", encoding="utf-8")
    code, out = cobro("import", "customers", str(f), "--json")
    assert code == 2
    assert json.loads(out)["errors"][0]["column"] == "tax_id"
    mapping = tmp_path / "m.yaml"
    mapping.write_text("kind: customers\noptions:\n  tax_id_invalid: warning\n", encoding="utf-8")
    code, out = cobro("import", "customers", str(f), "--mapping", str(mapping), "--json")
    assert code == 0
    assert json.loads(out)["warnings"][0]["column"] == "tax_id"


def test_dry_run_writes_nothing(cli_env: dict[str, str], es_files: tuple[Path, Path]) -> None:
    customers, _ = es_files
    code, out = cobro("import", "customers", str(customers), "--dry-run", "--json")
    assert code == 0
    assert json.loads(out)["created"] == 2
    assert summary()["customers"] == 0


def test_bulk_load_path_restores_foreign_keys(cli_env: dict[str, str], es_files: tuple[Path, Path],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """With the bulk threshold lowered, the import still writes the same ledger and the constraints are back."""
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.exc import IntegrityError

    from cobro.ledger.repository import invoice_import
    from cobro.platform.db.engine import normalize_url

    monkeypatch.setattr(invoice_import, "BULK_MIN_ROWS", 1)
    customers, invoices = es_files
    assert cobro("import", "customers", str(customers))[0] == 0
    assert cobro("import", "invoices", str(invoices))[0] == 0
    assert summary()["open_amount"] == {"EUR": "13434.46"}
    engine = create_engine(normalize_url(cli_env["COBRO_DATABASE_URL"]))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.execute(text("UPDATE instalments SET customer_id = 999999"))
    # the secondary indexes and unique constraints dropped for the load are back, with their definitions
    schema = inspect(engine)
    for table, indexes, uniques in (
            ("invoices", {"ix_invoices_customer_id", "ix_invoices_tenant_open", "ix_invoices_kind_issue"},
             {"uq_invoices_tenant_id_number"}),
            ("instalments", {"ix_instalments_customer_id", "ix_instalments_open"}, {"uq_instalments_invoice_id_seq"})):
        assert indexes <= {ix["name"] for ix in schema.get_indexes(table)}
        assert uniques <= {uq["name"] for uq in schema.get_unique_constraints(table)}
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("INSERT INTO invoices (tenant_id, customer_id, number, kind, issue_date, due_date, currency,"
                          " amount_minor, open_minor, status, disputed, corrects, channel, terms, over_legal_cap,"
                          " source, content_hash) SELECT tenant_id, customer_id, number, kind, issue_date, due_date,"
                          " currency, amount_minor, open_minor, status, disputed, corrects, channel, terms,"
                          " over_legal_cap, source, content_hash FROM invoices LIMIT 1"))
    engine.dispose()


@pytest.mark.parametrize("bulk", [False, True], ids=["merge", "bulk"])
def test_invoices_with_several_instalments(cli_env: dict[str, str], es_files: tuple[Path, Path], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch, bulk: bool) -> None:
    """One row per instalment: the invoice is their sum, due on the last; a changed instalment updates the
    invoice, a new instalment row is added to it."""
    from cobro.ledger.repository import invoice_import

    if bulk:
        monkeypatch.setattr(invoice_import, "BULK_MIN_ROWS", 1)
    customers, _ = es_files
    cobro("import", "customers", str(customers))
    head = "invoice_number,customer_code,issue_date,due_date,amount,currency,instalment\n"
    plan = tmp_path / "plan.csv"
    plan.write_text(head + "P-1,C001,2025-01-10,2025-02-10,100.00,EUR,1\n"
                           "P-1,C001,2025-01-10,2025-03-10,150.50,EUR,2\n"
                           "P-2,C002,2025-01-12,2025-02-12,80.00,EUR,1\n", encoding="utf-8")
    code, out = cobro("import", "invoices", str(plan), "--json")
    assert code == 0, out
    assert json.loads(out)["created"] == 2
    shown = json.loads(cobro("customers", "show", "C001", "--json")[1])
    assert sorted(i["open"] for i in shown["open_items"]) == ["100.00", "150.50"]
    assert summary()["open_amount"] == {"EUR": "330.50"}
    plan.write_text(head + "P-1,C001,2025-01-10,2025-02-10,100.00,EUR,1\n"
                           "P-1,C001,2025-01-10,2025-03-10,175.50,EUR,2\n"
                           "P-1,C001,2025-01-10,2025-04-10,10.00,EUR,3\n"
                           "P-2,C002,2025-01-12,2025-02-12,80.00,EUR,1\n", encoding="utf-8")
    code, out = cobro("import", "invoices", str(plan), "--json")
    assert code == 0, out
    assert (json.loads(out)["updated"], json.loads(out)["unchanged"]) == (1, 1)
    shown = json.loads(cobro("customers", "show", "C001", "--json")[1])
    assert sorted(i["open"] for i in shown["open_items"]) == ["10.00", "100.00", "175.50"]
    assert summary()["open_amount"] == {"EUR": "365.50"}


def test_a_credit_note_is_never_past_due(cli_env: dict[str, str], es_files: tuple[Path, Path],
                                         tmp_path: Path) -> None:
    customers, _ = es_files
    cobro("import", "customers", str(customers))
    f = tmp_path / "docs.csv"
    f.write_text("invoice_number,customer_code,issue_date,due_date,amount,currency,kind\n"
                 "F-9,C002,2025-01-10,2025-02-10,100.00,EUR,invoice\n"
                 "A-9,C002,2025-01-20,2025-01-20,30.00,EUR,credit_note\n", encoding="utf-8")
    assert cobro("import", "invoices", str(f))[0] == 0
    shown = json.loads(cobro("customers", "show", "C002", "--as-of", "2025-03-12", "--json")[1])
    days = {i["invoice"]: (i["days_past_due"], i["open"]) for i in shown["open_items"]}
    assert days == {"F-9": (30, "100.00"), "A-9": (0, "-30.00")}
    assert shown["balance"] == {"EUR": "70.00"}
