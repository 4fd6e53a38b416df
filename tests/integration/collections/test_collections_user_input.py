"""What a credit manager types wrong on day one: amounts beyond what is open, promises in a currency the customer
does not owe in, unwritable output files; and the listings name invoices by number, not by internal id."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from collections_builder import Ledger
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.platform.container import Container

runner = CliRunner()
DUE = dt.date(2025, 12, 5)


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_dispute_amount_cannot_exceed_what_is_open(container: Container, cli_env: dict[str, str]) -> None:
    book = Ledger(container)
    c = book.customer("ACME")
    book.invoice(c, "F-1", DUE, "1000.00")
    book.pay(c, "F-1", "400.00", DUE)
    code, out = cli("dispute", "open", "ACME", "--invoice", "F-1", "--reason", "price", "--amount", "600.01")
    assert code == 2 and "600.01 EUR is more than what is still open on F-1 (600.00 EUR)" in " ".join(out.split())
    code, out = cli("dispute", "open", "ACME", "--invoice", "F-1", "--reason", "price", "--amount", "600.00")
    assert code == 0, out
    code, out = cli("dispute", "list", "--json")
    [dispute] = json.loads(out)
    assert dispute["invoices"] == ["F-1"] and dispute["amount"] == "600.00"
    code, out = cli("dispute", "list")
    assert code == 0 and "F-1" in out


def test_promise_currency_is_the_one_owed(container: Container, cli_env: dict[str, str]) -> None:
    book = Ledger(container)
    cop = book.customer("BOGOTA")
    book.invoice(cop, "FV-1", DUE, "5000000.00", currency="COP")
    code, out = cli("promise", "add", "BOGOTA", "--amount", "100000", "--date", "2099-01-10")
    assert code == 0, out
    [promise] = json.loads(cli("promise", "list", "--json")[1])
    assert (promise["currency"], promise["amount"]) == ("COP", "100000.00")
    # a promise in EUR would pause nothing for a customer who owes only COP
    code, out = cli("promise", "add", "BOGOTA", "--amount", "100", "--date", "2099-01-10", "--currency", "EUR")
    assert code == 2 and "nothing open in EUR (open: COP)" in " ".join(out.split())

    both = book.customer("MIXTO")
    book.invoice(both, "FV-2", DUE, "10.00", currency="COP")
    book.invoice(both, "F-2", DUE, "10.00", currency="EUR")
    code, out = cli("promise", "add", "MIXTO", "--amount", "5", "--date", "2099-01-10")
    assert code == 2 and "owes in COP, EUR" in out
    assert cli("promise", "add", "MIXTO", "--amount", "5", "--date", "2099-01-10", "--currency", "eur")[0] == 0
    book.customer("NADA")
    code, out = cli("promise", "add", "NADA", "--amount", "5", "--date", "2099-01-10")
    assert code == 2 and "no open invoices" in out


def test_hold_list_names_the_invoice(container: Container, cli_env: dict[str, str]) -> None:
    book = Ledger(container)
    c = book.customer("ACME")
    book.invoice(c, "F-9", DUE)
    assert cli("hold", "add", "ACME", "--invoice", "F-9", "--until", "2099-01-01", "--reason", "PO missing")[0] == 0
    [hold] = json.loads(cli("hold", "list", "--json")[1])
    assert hold["invoice"] == "F-9"
    assert "F-9" in cli("hold", "list")[1]


def test_unwritable_output_is_an_error_not_a_traceback(container: Container, cli_env: dict[str, str],
                                                       tmp_path: Path) -> None:
    book = Ledger(container)
    book.invoice(book.customer("ACME"), "F-1", DUE)
    missing = tmp_path / "no-such-dir" / "ageing.csv"
    code, out = cli("report", "ageing", "--as-of", "2026-01-31", "--format", "csv", "--out", str(missing))
    assert code == 2 and out.startswith("error: ") and str(missing) in out and "Traceback" not in out
    code, out = cli("report", "ageing", "--as-of", "2026-01-31", "--format", "csv", "--out", str(tmp_path))
    assert code == 2 and str(tmp_path) in out
    code, out = cli("import", "customers", str(tmp_path))
    assert code == 2 and "not a file" in out


def test_customer_country_must_be_a_two_letter_code(cli_env: dict[str, str], tmp_path: Path) -> None:
    """"Chile"[:2] used to be stored as CH (Switzerland) without a word."""
    f = tmp_path / "clientes.csv"
    f.write_text("code,legal_name,country\nK1,Uno SpA,cl\nK2,Dos SpA,Chile\nK3,Tres SL,\n", encoding="utf-8")
    code, out = cli("import", "customers", str(f), "--json")
    assert code == 2
    problems = json.loads(out)["errors"]
    assert [(p["row"], p["column"]) for p in problems] == [(3, "country")]
    f.write_text("code,legal_name,country\nK1,Uno SpA,cl\nK3,Tres SL,\n", encoding="utf-8")
    assert cli("import", "customers", str(f))[0] == 0
    show = json.loads(cli("customers", "show", "K1", "--json")[1])
    assert show["customer"]["country"] == "CL"
    assert json.loads(cli("customers", "show", "K3", "--json")[1])["customer"]["country"] == "ES"


def test_customers_show_as_of(container: Container, cli_env: dict[str, str]) -> None:
    """Like `ledger summary` and `credit check`, `customers show` takes --as-of (the API already took as_of)."""
    book = Ledger(container)
    book.invoice(book.customer("ACME"), "F-1", DUE)
    code, out = cli("customers", "show", "ACME", "--as-of", "2025-12-15", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["open_items"][0]["days_past_due"] == 10 and data["credit_check"]["as_of"] == "2025-12-15"
    assert cli("customers", "show", "ACME", "--as-of", "2025-12-32")[0] == 2


def test_typed_amounts_follow_the_one_grammar(container: Container, cli_env: dict[str, str]) -> None:
    """Promise and dispute amounts are read like imported ones: 1e30 (stored as 10^32 minor units, past any
    report's sum), 100.0051 (rounded without a word), 12abc34 and Arabic digits are refused, nothing is stored."""
    book = Ledger(container)
    c = book.customer("ACME")
    book.invoice(c, "F-1", DUE, "1000.00")
    for typed, says in (("1e30", "contains 'e'"), ("100.0051", "more decimals than EUR allows"), ("100.005", "ambiguous"),
                        ("12abc34", "contains 'a'"), ("\u0661\u0662", "digits 0-9"), ("1000000000.01", "largest")):
        code, out = cli("promise", "add", "ACME", "--amount", typed, "--date", "2099-01-10")
        assert code == 2 and says in " ".join(out.split()), (typed, out)
        code, out = cli("dispute", "open", "ACME", "--invoice", "F-1", "--reason", "price", "--amount", typed)
        assert code == 2 and says in " ".join(out.split()), (typed, out)
    assert json.loads(cli("promise", "list", "--json")[1]) == []
    assert json.loads(cli("dispute", "list", "--json")[1]) == []
    assert cli("promise", "add", "ACME", "--amount", "1.000,50", "--date", "2099-01-10")[0] == 0  # unambiguous
    [promise] = json.loads(cli("promise", "list", "--json")[1])
    assert promise["amount"] == "1000.50"
