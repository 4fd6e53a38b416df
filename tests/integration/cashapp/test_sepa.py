"""SEPA direct-debit export: pain.008 validated against the bundled XSD; the collection matches back."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from lxml import etree
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.cashapp.domain.matching import Line
from cobro.demo.statements import to_camt053

runner = CliRunner()


def cobro(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def test_export_validates_and_collection_matches_back(cli_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("code;legal_name;tax_id\nC1;Construcciones Peña SL;B12345674\n"
                                    "C2;Sin Mandato SA;A58818501\n", encoding="utf-8")
    (tmp_path / "i.csv").write_text(
        "invoice_number;customer_code;issue_date;due_date;amount;currency\n"
        "F-2026-0101;C1;2026-01-01;2026-01-31;1210.00;EUR\n"
        "F-2026-0102;C2;2026-01-01;2026-01-31;300.00;EUR\n"
        "F-2026-0103;C1;2026-03-01;2026-06-30;90.00;EUR\n", encoding="utf-8")
    assert cobro("import", "customers", str(tmp_path / "c.csv"))[0] == 0
    assert cobro("import", "invoices", str(tmp_path / "i.csv"))[0] == 0
    code, out = cobro("sepa", "creditor", "Cobro Demo SL", "ES9121000418450200051332", "ES11ZZZB12345674X")
    assert code != 0  # invalid creditor identifier refused
    assert cobro("sepa", "creditor", "Cobro Demo SL", "ES9121000418450200051332", "ES11ZZZB12345674")[0] == 0
    code, out = cobro("sepa", "mandate", "add", "C1", "MANDATE-001", "ES7620770024003102575766",
                      "--signed", "2025-12-01")
    assert code == 0, out
    xml = tmp_path / "dd.xml"
    code, out = cobro("sepa", "export", "--due-by", "2026-02-28", "--collection-date", "2026-03-05",
                      "--out", str(xml), "--json")
    assert code == 0, out
    result = json.loads(out)
    assert result["transactions"] == 1 and result["total"] == "1210.00"
    doc = etree.fromstring(xml.read_bytes())
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"}
    assert doc.findtext(".//p:EndToEndId", namespaces=ns) == "F-2026-0101"
    assert doc.findtext(".//p:SeqTp", namespaces=ns) == "FRST"
    assert doc.findtext(".//p:CdtrSchmeId//p:Othr/p:Id", namespaces=ns) == "ES11ZZZB12345674"
    # the bank credits the collection: the end-to-end id matches it back automatically
    assert cobro("bank-account", "add", "ES9121000418450200051332")[0] == 0
    stmt = tmp_path / "camt.xml"
    stmt.write_bytes(to_camt053([Line("dd", 121000, "EUR", dt.date(2026, 3, 5), "", "", "F-2026-0101",
                                      "COBRO DEMO", "")], account="ES9121000418450200051332", when=dt.date(2026, 3, 5)))
    code, out = cobro("import", "statement", str(stmt), "--json")
    assert code == 0 and json.loads(out)["details"] == {"matched": 1}


def test_written_off_and_cancelled_invoices_are_not_collected(cli_env: dict[str, str], tmp_path: Path) -> None:
    """Due by the date and with an open amount on the row, but written off or cancelled: not open by the ledger's
    rule, so no direct debit is drawn for them (they used to be collected)."""
    from sqlalchemy import create_engine, text

    (tmp_path / "c.csv").write_text("code;legal_name;tax_id\nC1;Construcciones Peña SL;B12345674\n", encoding="utf-8")
    (tmp_path / "i.csv").write_text(
        "invoice_number;customer_code;issue_date;due_date;amount;currency\n"
        "F-1;C1;2026-01-01;2026-01-31;100.00;EUR\n"
        "F-2;C1;2026-01-01;2026-01-31;200.00;EUR\n"
        "F-3;C1;2026-01-01;2026-01-31;400.00;EUR\n", encoding="utf-8")
    assert cobro("import", "customers", str(tmp_path / "c.csv"))[0] == 0
    assert cobro("import", "invoices", str(tmp_path / "i.csv"))[0] == 0
    engine = create_engine(cli_env["COBRO_DATABASE_URL"])
    with engine.begin() as conn:  # no command writes these off yet: set the statuses as a write-off would
        conn.execute(text("UPDATE invoices SET status = 'written_off' WHERE number = 'F-2'"))
        conn.execute(text("UPDATE invoices SET status = 'cancelled' WHERE number = 'F-3'"))
    engine.dispose()
    assert cobro("sepa", "creditor", "Cobro Demo SL", "ES9121000418450200051332", "ES11ZZZB12345674")[0] == 0
    assert cobro("sepa", "mandate", "add", "C1", "MANDATE-001", "ES7620770024003102575766",
                 "--signed", "2025-12-01")[0] == 0
    xml = tmp_path / "dd.xml"
    code, out = cobro("sepa", "export", "--due-by", "2026-02-28", "--collection-date", "2026-03-05",
                      "--out", str(xml), "--json")
    assert code == 0, out
    result = json.loads(out)
    assert (result["transactions"], result["total"]) == (1, "100.00")
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"}
    assert [e.text for e in etree.fromstring(xml.read_bytes()).iterfind(".//p:EndToEndId", ns)] == ["F-1"]
