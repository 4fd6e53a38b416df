"""Statement import end to end through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.cashapp.domain.matching import Line
from cobro.demo.statements import to_camt053

runner = CliRunner()
from tests.conftest import SHARED  # noqa: E402 - see conftest: COBRO_SHARED_DIR

FIXTURES = SHARED / "fixtures"
OUR_IBAN = "ES9121000418450200051332"
DAY = dt.date(2026, 3, 10)


def cobro(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout + (result.stderr if result.stderr_bytes is not None else "")


def cobro_json(*args: str) -> object:
    code, out = cobro(*args, "--json")
    assert code == 0, out
    return json.loads(out)


@pytest.fixture
def ledger(cli_env: dict[str, str], tmp_path: Path) -> Path:
    (tmp_path / "c.csv").write_text(
        "code;legal_name;country;tax_id\n"
        "C1;Construcciones Levante SL;ES;B12345674\n"
        "C2;Distribuidora Núñez SA;ES;A58818501\n", encoding="utf-8")
    (tmp_path / "i.csv").write_text(
        "invoice_number;customer_code;issue_date;due_date;amount;currency\n"
        "F-2026-0101;C1;2026-01-01;2026-01-31;1210.00;EUR\n"
        "F-2026-0102;C1;2026-02-01;2026-02-28;500.00;EUR\n"
        "F-2026-0201;C2;2026-01-15;2026-02-15;999.00;EUR\n"
        "E2EID1;C2;2026-01-20;2026-02-20;100.00;EUR\n", encoding="utf-8")
    assert cobro("import", "customers", str(tmp_path / "c.csv"))[0] == 0
    code, out = cobro("import", "invoices", str(tmp_path / "i.csv"))
    assert code == 0, out
    assert cobro("bank-account", "add", OUR_IBAN)[0] == 0
    return tmp_path


def open_amounts() -> dict[str, object]:
    data = cobro_json("ledger", "summary")
    assert isinstance(data, dict)
    return data


def write(tmp: Path, name: str, lines: list[Line], account: str = OUR_IBAN) -> Path:
    path = tmp / name
    path.write_bytes(to_camt053(lines, account=account, when=DAY, statement_id=name))
    return path


def test_import_matches_and_reimport_changes_nothing(ledger: Path) -> None:
    stmt = write(ledger, "s1.xml", [
        Line("a", 121000, "EUR", DAY, "", "FRA F-2026-0101", "", "CONSTRUCC. LEVANTE S.L.", "ES7620770024003102575766"),
        Line("b", 99000, "EUR", DAY, "", "F2026 0201", "", "DISTRIBUIDORA NUNEZ", ""),  # 9.00 fee
        Line("c", 4321, "EUR", DAY, "", "DEVOLUCION IVA", "", "AEAT", ""),
    ])
    report = cobro_json("import", "statement", str(stmt))
    assert report["created"] == 3 and report["details"] == {"matched": 2, "unmatched": 1}
    after = open_amounts()
    assert after["open_amount"] == {"EUR": "600.00"}  # 500 + the DD invoice of 100
    again = cobro_json("import", "statement", str(stmt))
    assert again["created"] == 0 and again["unchanged"] == 3
    # the same entries in another file (different bytes) are recognised one by one
    other = write(ledger, "s1-copy.xml", [
        Line("a", 121000, "EUR", DAY, "", "FRA F-2026-0101", "", "CONSTRUCC. LEVANTE S.L.", "ES7620770024003102575766"),
    ])
    copy = cobro_json("import", "statement", str(other))
    assert (copy["created"], copy["unchanged"]) == (0, 1)
    assert open_amounts() == after


def test_unknown_account_is_refused_unless_mapped(ledger: Path) -> None:
    stmt = write(ledger, "s2.xml", [Line("a", 50000, "EUR", DAY, "", "F-2026-0102", "", "", "")],
                 account="DE89370400440532013000")
    code, out = cobro("import", "statement", str(stmt), "--json")
    assert code != 0 and "unknown account" in out
    assert open_amounts()["open_amount"] == {"EUR": "2809.00"}
    report = cobro_json("import", "statement", str(stmt), "--account", "DE89370400440532013000")
    assert report["details"] == {"matched": 1}


def test_dry_run_writes_nothing(ledger: Path) -> None:
    stmt = write(ledger, "s3.xml", [Line("a", 50000, "EUR", DAY, "", "F-2026-0102", "", "", "")])
    report = cobro_json("import", "statement", str(stmt), "--dry-run")
    assert report["dry_run"] and report["created"] == 1
    assert open_amounts()["open_amount"] == {"EUR": "2809.00"}
    assert cobro_json("import", "statement", str(stmt))["created"] == 1


def test_bad_file_imports_nothing(ledger: Path) -> None:
    bad = ledger / "bad.xml"
    good = to_camt053([Line("a", 50000, "EUR", DAY, "", "F-2026-0102", "", "", "")], account=OUR_IBAN, when=DAY)
    bad.write_bytes(good.replace(b"<Amt Ccy=\"EUR\">500.00</Amt>", b"<Amt Ccy=\"EUR\">5x0.00</Amt>"))
    code, _ = cobro("import", "statement", str(bad), "--json")
    assert code != 0
    assert open_amounts()["open_amount"] == {"EUR": "2809.00"}
    assert cobro_json("matches", "review") == []


def test_review_accept_teaches_iban(ledger: Path) -> None:
    payer_iban = "ES7921000813610123456789"
    stmt = write(ledger, "s4.xml", [Line("a", 50000, "EUR", DAY, "", "TRANSFERENCIA", "", "GRUPO LEVANTINO", payer_iban)])
    report = cobro_json("import", "statement", str(stmt))
    assert report["details"] == {"unmatched": 1}
    queue = cobro_json("matches", "review")
    assert isinstance(queue, list) and len(queue) == 1
    out = cobro_json("matches", "accept", str(queue[0]["id"]), "--customer", "C1", "--invoices", "F-2026-0102")
    assert out["learned_account"] == payer_iban
    assert open_amounts()["open_amount"] == {"EUR": "2309.00"}
    # next month the same account pays without any reference: identified by the learned IBAN
    nxt = write(ledger, "s5.xml", [Line("b", 121000, "EUR", DAY, "", "PAGO", "", "GRUPO LEVANTINO", payer_iban)])
    assert cobro_json("import", "statement", str(nxt))["details"] == {"matched": 1}


def test_camt054_return_reopens_invoice_with_reason(ledger: Path) -> None:
    fixture = FIXTURES / "camt054" / "oca-payment-return-camt054.001.02-unpaid.xml"
    if not fixture.exists():
        pytest.skip("shared fixtures not present")
    assert cobro("bank-account", "add", "NL77ABNA0574908765")[0] == 0
    collected = write(ledger, "dd.xml", [Line("a", 10000, "EUR", DAY, "", "", "E2EID1", "DEBTOR4", "")],
                      account="NL77ABNA0574908765")
    assert cobro_json("import", "statement", str(collected))["details"] == {"matched": 1}
    assert open_amounts()["open_amount"] == {"EUR": "2709.00"}
    report = cobro_json("import", "statement", str(fixture))
    assert report["details"] == {"returned": 1}
    assert open_amounts()["open_amount"] == {"EUR": "2809.00"}
    alerts = cobro_json("matches", "alerts")
    assert isinstance(alerts, list) and alerts[0]["kind"] == "dd_return" and "AC06" in alerts[0]["message"]
    # importing the return again changes nothing
    assert cobro_json("import", "statement", str(fixture))["created"] == 0
    assert open_amounts()["open_amount"] == {"EUR": "2809.00"}


def test_norma43_mapped_with_account_option_and_pain002_rejects_alert(ledger: Path) -> None:
    n43 = FIXTURES / "norma43" / "oca-14.0-testmulti.n43"
    pain = FIXTURES / "pain002" / "oca-13.0-test-sepa-pain002-unpaid.xml"
    if not n43.exists():
        pytest.skip("shared fixtures not present")
    code, out = cobro("import", "statement", str(n43), "--json")
    assert code != 0 and "unknown account" in out
    assert cobro("bank-account", "add", "NL77ABNA0574908765")[0] == 0
    report = cobro_json("import", "statement", str(pain))
    assert report["details"] == {"returned": 4}
    alerts = cobro_json("matches", "alerts")
    assert isinstance(alerts, list) and {a["kind"] for a in alerts} == {"dd_return_unmatched"}
    assert any("MS02" in a["message"] for a in alerts)
