"""A credit note that names the invoice it corrects is applied to it (issue 13, item 5), on SQLite and PostgreSQL.

Through the CLI, as a user loads an ERP export: the invoice is settled (or reduced) from the credit note's date,
the standard policy no longer chases it, the customer's balance does not move, and a credit note whose reference
is ambiguous, another customer's or absent stays as credit with a warning naming it.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.platform.db.engine import normalize_url

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[3]

CUSTOMERS = "code,legal_name,country\nC1,Uno SL,ES\nC2,Dos SL,ES\n"
INVOICES = """invoice_number,customer_code,issue_date,due_date,amount,currency,kind,corrects
E001-170,C1,2026-01-10,2026-02-10,500.00,EUR,invoice,
E001-171,C1,2026-01-10,2026-02-10,300.00,EUR,invoice,
A-7,C1,2026-01-10,2026-02-10,90.00,EUR,invoice,
A7,C1,2026-01-10,2026-02-10,90.00,EUR,invoice,
F-9,C2,2026-01-10,2026-02-10,100.00,EUR,invoice,
NC-1,C1,2026-03-01,2026-03-01,500.00,EUR,credit_note,E001 - 170
NC-2,C1,2026-03-01,2026-03-01,100.00,EUR,credit_note,E001-00171
NC-3,C1,2026-03-01,2026-03-01,50.00,EUR,credit_note,
NC-4,C1,2026-03-01,2026-03-01,20.00,EUR,credit_note,F-9
NC-5,C1,2026-03-01,2026-03-01,10.00,EUR,credit_note,A 7
"""


def cobro_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    assert isinstance(data, dict)
    return data


def rows(db_url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(normalize_url(db_url))
    with engine.connect() as conn:
        found = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return found


def load(tmp_path: Path) -> dict[str, object]:
    (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "i.csv").write_text(INVOICES, encoding="utf-8")
    cobro_json("import", "customers", str(tmp_path / "c.csv"))
    return cobro_json("import", "invoices", str(tmp_path / "i.csv"))


def test_a_credit_note_closes_the_invoice_it_names(db_url: str, cli_env: dict[str, str], tmp_path: Path) -> None:
    before = load(tmp_path)
    state = {str(n): (int(o), str(s)) for n, o, s in rows(db_url, "SELECT number, open_minor, status FROM invoices")}
    assert state["E001-170"] == (0, "paid") and state["NC-1"] == (0, "paid")  # `E001 - 170`: closed, used up
    assert state["E001-171"] == (20000, "open") and state["NC-2"] == (0, "paid")  # leading zeros: reduced
    assert state["NC-3"] == (5000, "open")  # names nothing: credit
    assert state["NC-4"] == (2000, "open") and state["F-9"] == (10000, "open")  # another customer's invoice
    assert state["NC-5"] == (1000, "open") and state["A-7"] == state["A7"] == (9000, "open")  # ambiguous
    messages = [str(w["message"]) for w in before["warnings"]]  # type: ignore[union-attr]
    assert "credit note NC-1: reference 'E001 - 170' read as invoice E001-170 (compact match)" in messages
    assert any(m.startswith("credit note NC-4: names invoice F-9, which is another customer's") for m in messages)
    assert any(m.startswith("credit note NC-5: reference 'A 7' fits 2 invoices (A-7, A7): kept as credit, not "
                            "guessed") for m in messages)
    assert not any("NC-3" in m for m in messages)  # a credit note that names nothing is simply credit
    # the application is dated: the invoice is open before the credit note's date and settled from it on
    assert rows(db_url, "SELECT reference, method, amount_minor, date FROM payments ORDER BY reference") == [
        ("credit-note:NC-1", "credit_note", 50000, rows(db_url, "SELECT issue_date FROM invoices WHERE number"
                                                                  " = 'NC-1'")[0][0]),
        ("credit-note:NC-2", "credit_note", 10000, rows(db_url, "SELECT issue_date FROM invoices WHERE number"
                                                                  " = 'NC-2'")[0][0])]
    # C1 owed 800 + 180 against 680 of credit notes: the balance is the same, the open amount is what is owed
    summary = cobro_json("ledger", "summary")
    assert summary["open_amount"] == {"EUR": "480.00"}  # 200 (E001-171) + 90 + 90 + 100 (F-9)
    assert summary["unapplied_credit"] == {"EUR": "80.00"}  # NC-3, NC-4, NC-5
    early = cobro_json("ledger", "summary", "--as-of", "2026-02-20")
    assert early["open_amount"] == {"EUR": "1080.00"}

    # the standard policy does not chase the closed invoice and asks only for what is left of the reduced one
    applied = runner.invoke(app, ["policy", "apply", str(ROOT / "examples" / "policies" / "standard.yaml")])
    assert applied.exit_code == 0, applied.output
    cycle = cobro_json("cycle", "run", "--as-of", "2026-05-01", "--dry-run")
    chased = {(str(i["invoice"]), str(i["open"])) for a in cycle["actions"]  # type: ignore[union-attr]
              for i in a["items"]}
    assert ("E001-170" not in {n for n, _ in chased}) and ("E001-171", "200.00") in chased

    # once only: the same file again changes nothing and applies nothing twice
    again = cobro_json("import", "invoices", str(tmp_path / "i.csv"))
    assert again["created"] == 0
    assert len(rows(db_url, "SELECT id FROM payments")) == 2
    assert cobro_json("ledger", "summary") == summary


def test_a_credit_note_larger_than_what_is_open_leaves_the_rest_as_credit(
        db_url: str, cli_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "i.csv").write_text(
        "invoice_number,instalment,customer_code,issue_date,due_date,amount,currency,kind,corrects\n"
        "F-1,1,C1,2026-01-10,2026-02-10,100.00,EUR,invoice,\n"
        "F-1,2,C1,2026-01-10,2026-03-10,100.00,EUR,invoice,\n", encoding="utf-8")
    (tmp_path / "p.csv").write_text("reference,customer_code,date,amount,currency,invoice_number\n"
                                    "P-1,C1,2026-02-01,150.00,EUR,F-1\n", encoding="utf-8")
    (tmp_path / "n.csv").write_text("invoice_number,customer_code,issue_date,due_date,amount,currency,kind,corrects\n"
                                    "NC-9,C1,2026-02-15,2026-02-15,80.00,EUR,abono,Fra. F-1\n", encoding="utf-8")
    cobro_json("import", "customers", str(tmp_path / "c.csv"))
    cobro_json("import", "invoices", str(tmp_path / "i.csv"))
    cobro_json("import", "payments", str(tmp_path / "p.csv"))
    report = cobro_json("import", "invoices", str(tmp_path / "n.csv"))
    messages = [str(w["message"]) for w in report["warnings"]]  # type: ignore[union-attr]
    assert "credit note NC-9: 50.00 applied to F-1, all it had open; 30.00 EUR stays as credit" in messages
    state = {str(n): (int(o), str(s)) for n, o, s in rows(db_url, "SELECT number, open_minor, status FROM invoices")}
    assert state == {"F-1": (0, "paid"), "NC-9": (3000, "open")}
    assert cobro_json("ledger", "summary")["unapplied_credit"] == {"EUR": "30.00"}


def test_two_credit_notes_naming_one_invoice_share_what_it_has_open(
        db_url: str, cli_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "i.csv").write_text(
        "invoice_number,customer_code,issue_date,due_date,amount,currency,kind,corrects\n"
        "F-1,C1,2026-01-10,2026-02-10,100.00,EUR,invoice,\n"
        "NC-1,C1,2026-02-01,2026-02-01,60.00,EUR,credit_note,F-1\n"
        "NC-2,C1,2026-02-02,2026-02-02,60.00,EUR,credit_note,F-1\n", encoding="utf-8")
    cobro_json("import", "customers", str(tmp_path / "c.csv"))
    report = cobro_json("import", "invoices", str(tmp_path / "i.csv"))
    assert [str(w["message"]) for w in report["warnings"]] == [  # type: ignore[union-attr]
        "credit note NC-2: 40.00 applied to F-1, all it had open; 20.00 EUR stays as credit"]
    state = {str(n): (int(o), str(s)) for n, o, s in rows(db_url, "SELECT number, open_minor, status FROM invoices")}
    assert state == {"F-1": (0, "paid"), "NC-1": (0, "paid"), "NC-2": (2000, "open")}
    assert rows(db_url, "SELECT amount_minor FROM allocations ORDER BY date") == [(6000,), (4000,)]


def test_a_credit_note_imported_before_its_invoice_is_applied_when_the_invoice_arrives(
        db_url: str, cli_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "abonos.csv").write_text(
        "invoice_number,customer_code,issue_date,due_date,amount,currency,kind,corrects\n"
        "NC-1,C1,2026-02-01,2026-02-01,30.00,EUR,credit_note,FRA 2026/0001\n"
        "NC-2,C2,2026-02-01,2026-02-01,10.00,EUR,credit_note,X-404\n", encoding="utf-8")
    (tmp_path / "facturas.csv").write_text(
        "invoice_number,customer_code,issue_date,due_date,amount,currency\n"
        "2026-0001,C1,2026-01-10,2026-02-10,100.00,EUR\n"
        "2026-0002,C2,2026-01-10,2026-02-10,100.00,EUR\n", encoding="utf-8")
    cobro_json("import", "customers", str(tmp_path / "c.csv"))
    first = cobro_json("import", "invoices", str(tmp_path / "abonos.csv"))
    assert [str(w["message"]) for w in first["warnings"]] == [  # type: ignore[union-attr]
        "credit note NC-1: names 'FRA 2026/0001', which is no invoice of this customer in the ledger: kept as credit",
        "credit note NC-2: names 'X-404', which is no invoice of this customer in the ledger: kept as credit"]
    second = cobro_json("import", "invoices", str(tmp_path / "facturas.csv"))
    assert [str(w["message"]) for w in second["warnings"]] == [  # type: ignore[union-attr]
        "credit note NC-1: reference 'FRA 2026/0001' read as invoice 2026-0001 (compact match)",
        "credit note NC-1: imported before the invoice it names, now applied to 2026-0001"]  # NC-2: no repeat
    state = {str(n): (int(o), str(s)) for n, o, s in rows(db_url, "SELECT number, open_minor, status FROM invoices")}
    assert state == {"NC-1": (0, "paid"), "NC-2": (1000, "open"), "2026-0001": (7000, "open"),
                     "2026-0002": (10000, "open")}
