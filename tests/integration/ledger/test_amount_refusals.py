"""Hostile amounts through `cobro import invoices`: refused with file, row and column, exit 2, nothing written;
and amounts at the bound import and sum without overflow.  SQLite and PostgreSQL (the `cli_env` fixture)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.kernel.amounts import MAX_MINOR

runner = CliRunner()

# (cell, decimal separator declared by the mapping or "auto", currency, what the message says)
HOSTILE = [
    ("1,50", ".", "EUR", "does not group three digits"),
    ("55,94", ".", "EUR", "does not group three digits"),
    ("1 234,56", ".", "EUR", "mixes thousands separators"),
    ("1e30", ".", "EUR", "contains 'e'"),
    ("12abc34", ".", "EUR", "contains 'a'"),
    ("15%", ".", "EUR", "contains '%'"),
    ("+34 600 123 456", ".", "EUR", "largest amount"),
    ("0x10", ".", "EUR", "contains 'x'"),
    ("\u0661\u0662\u0663", ".", "EUR", "digits 0-9"),
    ("1.234,5", ".", "EUR", "after the decimal separator"),
    ("--5", ".", "EUR", "more than one sign"),
    ("9223372036854775807", ".", "EUR", "largest amount"),  # the 64-bit maximum that crashed the reports
    ("92233720368547758070", ".", "EUR", "largest amount"),  # past Int64: crashed the import with a TypeError
    ("1000000000.01", ".", "EUR", "largest amount"),
    ("10.505", ".", "EUR", "more decimals than EUR allows"),
    ("1,234", "auto", "EUR", "ambiguous"),
    ("1.5", ".", "CLP", "more decimals than CLP allows"),
    ("USD 10", ".", "EUR", "is in USD but the currency is EUR"),
]


def cobro(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def _invoices(tmp_path: Path, rows: list[tuple[str, str]], decimal: str) -> tuple[Path, Path]:
    path = tmp_path / "invoices.csv"
    lines = ["Invoice;Customer;Date;Due;Amount;Currency"]
    lines += [f"F-{i};C001;2026-01-15;2026-02-15;{amount};{cur}" for i, (amount, cur) in enumerate(rows, 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("kind: invoices\ncolumns:\n  invoice_number: Invoice\n  customer_code: Customer\n"
                       "  issue_date: Date\n  due_date: Due\n  amount: Amount\n  currency: Currency\n"
                       f"options:\n  decimal: \"{decimal}\"\n  create_customers: true\n", encoding="utf-8")
    return path, mapping


def _summary() -> dict[str, object]:
    code, out = cobro("ledger", "summary", "--json")
    assert code == 0, out
    data: dict[str, object] = json.loads(out)
    return data


@pytest.mark.usefixtures("cli_env")
def test_every_hostile_amount_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    before = _summary()
    for cell, decimal, currency, says in HOSTILE:
        # a clean row first: it must not be written either (imports are all or nothing)
        path, mapping = _invoices(tmp_path, [("100", currency), (cell, currency)], decimal)
        code, out = cobro("import", "invoices", str(path), "--mapping", str(mapping), "--json")
        assert code == 2, (cell, out)
        report = json.loads(out)
        amount_errors = [e for e in report["errors"] if e["column"] == "Amount"]
        assert [e["row"] for e in amount_errors] == [3], (cell, report["errors"])
        assert amount_errors[0]["file"] == "invoices.csv"
        assert says in amount_errors[0]["message"], (cell, amount_errors[0]["message"])
        assert _summary() == before, cell


@pytest.mark.usefixtures("cli_env")
def test_accepted_forms_import(tmp_path: Path) -> None:
    rows = [("1.500.000", "CLP"), ("1.234.567,89", "EUR")]  # Chilean thousands dots; a decimal comma
    path, mapping = _invoices(tmp_path, rows, "auto")
    code, out = cobro("import", "invoices", str(path), "--mapping", str(mapping), "--json")
    assert code == 0, out
    code, out = cobro("customers", "show", "C001", "--json")
    assert code == 0, out
    assert "1500000" in out and "1234567.89" in out


@pytest.mark.usefixtures("cli_env")
def test_amounts_at_the_bound_sum_without_overflow(tmp_path: Path) -> None:
    """3,000 invoices at the bound (3 × 10^14 minor units): the reports that overflowed on one int64 invoice work
    and add up exactly.  10M at the bound would be 10^18 < 2^63 - 1 (the kernel test checks the arithmetic);
    PostgreSQL's SUM(bigint) is NUMERIC and SQLite's SUM is exact below 2^63, so neither can overflow."""
    n = 3000
    top = f"{MAX_MINOR // 100}.00"  # 1,000,000,000.00 EUR
    path, mapping = _invoices(tmp_path, [(top, "EUR")] * n, ".")
    code, out = cobro("import", "invoices", str(path), "--mapping", str(mapping), "--json")
    assert code == 0, out
    assert json.loads(out)["created"] == n
    data = _summary()
    assert data["invoices"] == n
    total = n * MAX_MINOR
    assert str(total // 100) in json.dumps(data), data
    code, out = cobro("report", "ageing", "--as-of", "2026-06-30", "--format", "json")
    assert code == 0, out
    assert str(total // 100) in out
    code, out = cobro("customers", "show", "C001", "--as-of", "2026-06-30", "--json")
    assert code == 0, out
    assert str(total // 100) in out
