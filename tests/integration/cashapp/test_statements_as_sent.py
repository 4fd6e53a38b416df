"""An MT940 file as a bank sends it — SWIFT blocks, SOH/ETX, a DOS end-of-file byte between two messages — is
imported through the CLI with a warning naming the file and the lines stripped, and its entries are matched
(SQLite and PostgreSQL).  The file is written here (tests/unit/cashapp/bank/test_as_sent.py has every dialect)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cobro.app.cli import app
from tests.unit.cashapp.bank.test_as_sent import HEADER

runner = CliRunner()
OUR_IBAN = "ES9121000418450200051332"


def cobro_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    assert isinstance(data, dict)
    return data


def message(n: int, day: str, invoice: str, amount: str, balance: tuple[str, str]) -> str:
    return (f":20:STMT{n}\r\n:25:{OUR_IBAN}\r\n:28C:{n}/1\r\n:60F:C{day}EUR{balance[0]}\r\n"
            f":61:{day}{day[2:]}C{amount}NTRF{invoice}//BANK{n}\r\n:86:/NAME/CONSTRUCCIONES LEVANTE SL/REMI/{invoice}"
            f"\r\n:62F:C{day}EUR{balance[1]}\r\n")


def test_mt940_with_transport_bytes_imports_and_matches(cli_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("code;legal_name;country;tax_id\nC1;Construcciones Levante SL;ES;B12345674\n",
                                    encoding="utf-8")
    (tmp_path / "i.csv").write_text("invoice_number;customer_code;issue_date;due_date;amount;currency\n"
                                    "F-2026-0101;C1;2026-01-01;2026-01-31;1210.00;EUR\n"
                                    "F-2026-0102;C1;2026-02-01;2026-02-28;500.00;EUR\n", encoding="utf-8")
    cobro_json("import", "customers", str(tmp_path / "c.csv"))
    cobro_json("import", "invoices", str(tmp_path / "i.csv"))
    assert runner.invoke(app, ["bank-account", "add", OUR_IBAN]).exit_code == 0
    statement = tmp_path / "ABN-20260311.sta"
    statement.write_bytes(("\x01" + HEADER + message(1, "260310", "F-2026-0101", "1210,00", ("0,00", "1210,00"))
                           + "-}{5:{CHK:123456789ABC}}\x03\r\n\x1a" + HEADER
                           + message(2, "260311", "F-2026-0102", "500,00", ("1210,00", "1710,00")) + "-}\x03")
                          .encode("latin-1"))
    report = cobro_json("import", "statement", str(statement))
    assert report["errors"] == [] and report["created"] == 2
    (warning,) = [w for w in report["warnings"] if "stripped" in str(w["message"])]  # type: ignore[union-attr]
    assert warning["file"] == "ABN-20260311.sta"
    assert "read 2 statement(s)" in warning["message"] and "DOS end-of-file (0x1A) on line 10" in warning["message"]
    assert "ETX (0x03) on lines 9, 18" in warning["message"]
    summary = cobro_json("ledger", "summary")
    assert summary["open_invoices"] == 0 and summary["open_amount"] == {}
